"""Per-site CSS selectors that override the generic extractor for one field.

A site profile may pin ``title``, ``body`` or ``date`` to a CSS selector. A selector that
matches wins; one that matches nothing falls back to generic extraction silently (logged at
debug), because a site redesign must degrade the output, not stop the crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache

from cssselect import SelectorError as CssSyntaxError
from lxml import etree
from lxml.cssselect import CSSSelector

from parsers.dates import parse_date
from parsers.exceptions import SelectorError
from parsers.normalize import normalize_line
from parsers.render import element_text

logger = logging.getLogger(__name__)

SELECTOR_FIELDS = ("title", "body", "date")
_DATE_ATTRIBUTES = ("datetime", "content", "title")


@lru_cache(maxsize=256)
def compile_selector(css: str) -> CSSSelector:
    """Return a compiled selector; raise SelectorError for CSS that does not parse."""
    try:
        return CSSSelector(css, translator="html")
    except (CssSyntaxError, etree.XPathError) as exc:
        raise SelectorError(f"invalid CSS selector {css!r}: {exc}") from exc


def check_selectors(selectors: Mapping[str, str]) -> None:
    """Raise SelectorError for an unknown field or invalid CSS, before any page is parsed."""
    for name, css in selectors.items():
        if name not in SELECTOR_FIELDS:
            known = ", ".join(SELECTOR_FIELDS)
            raise SelectorError(f"unknown selector field {name!r} (known: {known})")
        compile_selector(css)


def select_all(
    root: etree._Element, selectors: Mapping[str, str], name: str
) -> list[etree._Element]:
    """Return the elements the ``name`` selector matches (empty if none is configured)."""
    css = selectors.get(name)
    if not css:
        return []
    found: list[etree._Element] = compile_selector(css)(root)
    if not found:
        logger.debug("selector %s=%r matched nothing; using generic extraction", name, css)
    return found


def select_title(root: etree._Element, selectors: Mapping[str, str]) -> str | None:
    """Return the text of the first element the title selector matches."""
    for el in select_all(root, selectors, "title"):
        text = normalize_line(element_text(el))
        if text:
            return text
    return None


def select_date(root: etree._Element, selectors: Mapping[str, str]) -> str | None:
    """Return the ISO date in the first matching element's datetime/content or its text."""
    for el in select_all(root, selectors, "date"):
        for value in [el.get(a) for a in _DATE_ATTRIBUTES] + [element_text(el)]:
            iso = parse_date(value)
            if iso:
                return iso
    return None
