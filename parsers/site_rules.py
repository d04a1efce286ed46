"""A site's own noise rules: elements to remove before extraction, lines to ignore after it.

The extractor drops the furniture most sites share; some sites add their own that reads like
text (a view counter in a sentence, a "news you may like" box inside the article). A site
profile names those: ``remove`` (CSS selectors: the elements go before anything is read) and
``ignore`` (regular expressions: a body line in which one is found is dropped before the
content hash is taken, so it can neither make a version nor show in a diff). Both are part of
the profile's :class:`parsers.options.ParseOptions`, hence of its extraction key: changing
them re-baselines the archive's articles instead of versioning them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from parsers.exceptions import SelectorError, SiteRuleError

logger = logging.getLogger(__name__)


@lru_cache(maxsize=256)
def compile_ignore(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """Return one pattern that finds any of ``patterns``; raise SiteRuleError for a bad one."""
    if not patterns:
        return None
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SiteRuleError(f"invalid ignore pattern {pattern!r}: {exc}") from exc
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def check_rules(ignore: Sequence[str], remove: Sequence[str]) -> None:
    """Raise SiteRuleError for an ignore pattern or a remove selector that does not compile."""
    compile_ignore(tuple(ignore))
    if remove:
        from parsers.selectors import compile_selector  # lxml: only when a profile has rules

        for css in remove:
            try:
                compile_selector(css)
            except SelectorError as exc:
                raise SiteRuleError(f"invalid remove selector: {exc}") from exc


def drop_ignored_lines(text: str, ignore: tuple[str, ...]) -> str:
    """Return the lines of ``text`` in which no ``ignore`` pattern is found."""
    finder = compile_ignore(ignore)
    if finder is None:
        return text
    return "\n".join(line for line in text.split("\n") if not finder.search(line))


def remove_elements(root: Any, remove: Iterable[str]) -> None:
    """Remove every element a ``remove`` selector matches from the lxml tree (text and all)."""
    from parsers.selectors import compile_selector

    for css in remove:
        for element in compile_selector(css)(root):
            parent = element.getparent()
            if parent is not None:  # the root itself is never removed
                _drop(element, parent)


def _drop(element: Any, parent: Any) -> None:  # lxml elements (lxml has no types)
    """Remove ``element`` but keep its tail text, which belongs to what follows it."""
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


# One compound selector of the kinds a start tag alone can answer: a tag, classes, an id,
# attributes present or equal to a value (``div.ads``, ``#share``, ``aside[data-ad]``).
_COMPOUND_RE = re.compile(r"^(?P<tag>[A-Za-z][\w-]*|\*)?(?P<rest>(?:[.#][\w-]+|\[[^\]]+\])*)$")
_PART_RE = re.compile(
    r"\.(?P<cls>[\w-]+)|#(?P<id>[\w-]+)|\[(?P<attr>[\w-]+)(?:=(?P<value>[^\]]*))?\]"
)
StartTagTest = Callable[[str, Sequence[tuple[str, str | None]]], bool]


def _compound_test(css: str) -> StartTagTest | None:
    """Return a test of one start tag for a compound selector, or None when it needs more."""
    match = _COMPOUND_RE.match(css.strip())
    if match is None or not css.strip():
        return None
    tag = (match.group("tag") or "*").lower()
    classes: list[str] = []
    ids: list[str] = []
    attrs: list[tuple[str, str | None]] = []
    for part in _PART_RE.finditer(match.group("rest")):
        if part.group("cls"):
            classes.append(part.group("cls"))
        elif part.group("id"):
            ids.append(part.group("id"))
        else:
            value = part.group("value")
            attrs.append((part.group("attr").lower(), value.strip("\"'") if value else None))

    def test(name: str, given: Sequence[tuple[str, str | None]]) -> bool:
        if tag != "*" and name != tag:
            return False
        found = {key: value or "" for key, value in given}
        have = found.get("class", "").split()
        if any(c not in have for c in classes) or any(found.get("id") != i for i in ids):
            return False
        return all(k in found and (v is None or found[k] == v) for k, v in attrs)

    return test


def start_tag_test(remove: Iterable[str]) -> StartTagTest | None:
    """The ``remove`` rules for the one-pass reader of markup libxml2 gives up on
    (:mod:`parsers.flat_text`), which sees one start tag at a time: a selector with a
    combinator (``div.news p``) needs the tree and is skipped there (logged)."""
    tests = []
    for css in remove:
        for alternative in css.split(","):
            test = _compound_test(alternative)
            if test is None:
                logger.debug("remove selector %r not applied to flat markup", alternative)
            else:
                tests.append(test)
    if not tests:
        return None
    return lambda name, attrs: any(test(name, attrs) for test in tests)
