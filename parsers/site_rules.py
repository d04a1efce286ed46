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
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from parsers.exceptions import SelectorError, SiteRuleError

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

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


def remove_from_soup(soup: BeautifulSoup, remove: Iterable[str]) -> None:
    """The same removal on a BeautifulSoup tree (pages libxml2 cannot read).

    soupsieve, not cssselect, reads the selectors here: one it does not take is skipped
    (logged) rather than failing the page.
    """
    for css in remove:
        try:
            found = soup.select(css)
        except Exception as exc:  # soupsieve's own syntax errors; checked by cssselect on load
            logger.debug("remove selector %r not applied by soupsieve: %s", css, exc)
            continue
        for element in found:
            element.decompose()
