"""Text as a browser renders it: the one rule every parser follows to join an element's text.

Inline elements (``a``, ``b``, ``span``, ``font``, ``small``, ...) add nothing between their
text and their neighbours'; block elements and ``<br>`` end a line; whitespace in the source
(spaces, tabs, newlines) collapses to one space and vanishes at the ends of a line. So
``<b>คณะกรรมการ</b>พัฒนาระบบราชการ`` is one word and ``<b>a</b>\\n<i>b</i>`` is "a b", as on
screen. Thai, Chinese and Japanese put no spaces between words: a join that added one between
inline pieces would split words, and turn a change of markup alone into a change of text.

``<pre>`` is collapsed like any other block (a release hard-wrapped in ``<pre>`` stays one
paragraph), the one place where this differs from a browser on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from parsers.boilerplate import BLOCK_TAGS
from parsers.normalize import INVISIBLE

LINE_BREAK_TAGS = BLOCK_TAGS | {"br"}
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_EVENTS = ("start", "end", "comment", "pi")


def collapse_whitespace(text: str) -> str:
    """Return one rendered line: invisibles dropped, whitespace runs folded to one space.

    Cheap on purpose: it runs on every line of every page; the full Thai normalisation
    (:func:`parsers.normalize.normalize_text`) runs once, on the paragraphs kept.
    """
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub("", text)
    return " ".join(text.split())  # str.split's whitespace is the regex \s, 5x faster


def rendered_lines(root: etree._Element) -> Iterator[tuple[str, int, etree._Element]]:
    """Yield ``(text, link_chars, owner)`` for each line a browser shows inside ``root``.

    ``owner`` is the innermost block element holding the line; ``link_chars`` counts the
    line's characters inside ``<a>`` (what tells navigation from prose).
    """
    parts: list[str] = []
    link_chars = 0
    link_depth = 0
    owners: list[etree._Element] = [root]

    def add(text: str | None) -> None:
        nonlocal link_chars
        if text:
            parts.append(text)
            if link_depth:
                link_chars += len(text.strip())

    def line() -> tuple[str, int, etree._Element] | None:
        nonlocal link_chars
        text = collapse_whitespace("".join(parts)) if parts else ""
        found = (text, link_chars, owners[-1]) if text else None
        parts.clear()
        link_chars = 0
        return found

    for event, el in etree.iterwalk(root, events=_EVENTS):
        tag = el.tag
        if not isinstance(tag, str):  # a comment or processing instruction: only its tail shows
            add(el.tail)
            continue
        if event == "start":
            if tag in LINE_BREAK_TAGS:
                done = line()
                if done:
                    yield done
                if tag != "br":
                    owners.append(el)
            if tag == "a":
                link_depth += 1
            add(el.text)
            continue
        if tag == "a":
            link_depth -= 1
        if tag in BLOCK_TAGS:
            done = line()
            if done:
                yield done
            if len(owners) > 1:
                owners.pop()
        if el is not root:
            add(el.tail)
    done = line()
    if done:
        yield done


def element_lines(el: etree._Element) -> list[str]:
    """Return the lines a browser shows for ``el``."""
    return [text for text, _, _ in rendered_lines(el)]


def element_text(el: etree._Element) -> str:
    """Return ``el`` as one line (a headline, a date cell): its lines joined by a space."""
    return " ".join(element_lines(el))
