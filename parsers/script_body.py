"""Article bodies a page holds only in JSON inside ``<script>``.

Pages built by JavaScript frameworks may ship the article as data, not markup: JSON-LD's
``articleBody``, Next.js's ``__NEXT_DATA__`` props, or a hydration state pushed into a global
(``window["__RQ_..."].push({...})`` on a real Korean news site, where the HTML holds no body at
all). Such a body is used when the HTML has none, or only a stub of it; see
:func:`body_from_scripts`. Every script is read at most once and only on that rare path.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

from lxml import etree

from parsers.boilerplate import SCRIPT_TAGS
from parsers.extract import paragraphs_of, strip_furniture
from parsers.textclean import finish_paragraphs

logger = logging.getLogger(__name__)

MIN_BODY_CHARS = 200  # a shorter string is a teaser or a label, not an article body
STUB_CHARS = 500  # an HTML body shorter than this may be a stub of the body in a script
STUB_SHARE = 0.5  # ... and is replaced when it is at most this share of the script's body
MAX_DECODE_TRIES = 50  # JSON starts tried per script (a long JS bundle is not searched through)
# keys that name a body ("articleBody", "contentHtml", "body", "story"); not a bare "text",
# which as often holds a cookie notice or a button's label
_BODY_KEY = re.compile(r"body|content|html|article|story|fulltext", re.IGNORECASE)
_NOT_BODY_KEY = re.compile(
    r"description|summary|excerpt|abstract|caption|title|seo|keyword|url|image|script|style",
    re.IGNORECASE,
)
_JSON_START = re.compile(r"(?:^|[=(,:]|\bpush\()\s*(?=[{\[])")
_MARKUP = re.compile(r"<(?:p|br|div|h[1-6]|li|span|strong|b|em)\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_FRAGMENT_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)


def script_texts(root: etree._Element) -> list[str]:
    """Return the text of every ``<script>`` long enough to hold a body (read before removal)."""
    return [el.text for el in root.iter("script") if el.text and len(el.text) >= MIN_BODY_CHARS]


def _json_values(script: str) -> Iterator[object]:
    """Yield the JSON values in a script: all of it, or each object a JS statement hands over."""
    text = script.strip()
    if text[:1] in "{[":
        try:
            yield json.loads(text)
            return
        except (ValueError, RecursionError):
            pass
    decoder = json.JSONDecoder()
    position = 0
    for _ in range(MAX_DECODE_TRIES):
        match = _JSON_START.search(text, position)
        if match is None:
            return
        try:
            value, position = decoder.raw_decode(text, match.end())
        except (ValueError, RecursionError):
            position = match.end() + 1
            continue
        yield value


def _long_strings(value: object) -> Iterator[str]:
    """Yield strings of at least MIN_BODY_CHARS found under keys that name a body."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        key, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((key, v) for v in node)
        elif (
            isinstance(node, str)
            and len(node) >= MIN_BODY_CHARS
            and _BODY_KEY.search(key)
            and not _NOT_BODY_KEY.search(key)
        ):
            yield node


def _paragraphs(body: str, title: str | None) -> list[str]:
    """Return the lines of a body string, HTML or plain text, as the HTML extractor reads them."""
    if _MARKUP.search(body):
        root = etree.fromstring(f"<html><body>{body}</body></html>", _FRAGMENT_PARSER)
        if root is None:
            return []
        etree.strip_elements(root, *SCRIPT_TAGS, with_tail=False)
        strip_furniture(root)
        return paragraphs_of([root], title)
    return finish_paragraphs([line.strip() for line in body.splitlines() if line.strip()], title)


def _squeezed(text: str) -> str:
    return _SPACES.sub("", text)


def body_from_scripts(
    paragraphs: list[str], scripts: list[str], title: str | None = None
) -> list[str]:
    """Return the body in the page's scripts when the HTML gave none or only a stub of it.

    A stub (a teaser, a paywall's first lines) is replaced only by a script body that holds
    its first paragraph and is at least twice as long; otherwise ``paragraphs`` stand.
    """
    html_chars = sum(map(len, paragraphs))
    if html_chars >= STUB_CHARS or not scripts:
        return paragraphs
    best: list[str] = []
    best_chars = 0
    for script in scripts:
        for value in _json_values(script):
            for string in _long_strings(value):
                found = _paragraphs(string, title)
                chars = sum(map(len, found))
                if chars > best_chars:
                    best, best_chars = found, chars
    if not best or best_chars * STUB_SHARE < html_chars:
        return paragraphs
    if paragraphs and _squeezed(paragraphs[0]) not in _squeezed("".join(best)):
        return paragraphs
    logger.debug(
        "body taken from a script (%d characters; the HTML had %d)", best_chars, html_chars
    )
    return best
