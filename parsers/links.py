"""The links of a page, read from the tree the parsers build for the article anyway.

A crawler needs a page's links as well as its article; parsing the page a second time for
them (Scrapy's selectors) cost as much as the whole extraction. The links are read before
the extractor strips navigation from the tree, and exactly as ``a::attr(href)`` reads them:
every ``<a>`` with an ``href``, in document order, as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree


@dataclass(frozen=True)
class PageLinks:
    """``hrefs`` as written; ``base`` is the page's ``<base href>``, if it has one."""

    hrefs: tuple[str, ...] = ()
    base: str | None = None


NO_LINKS = PageLinks()


def links_in(root: etree._Element) -> PageLinks:
    """Return the links of a parsed page (read before anything is removed from the tree)."""
    hrefs = []
    base = None
    for el in root.iter("a", "base"):
        href = el.get("href")
        if href is None:
            continue
        if el.tag == "a":
            hrefs.append(href)
        elif base is None and href:
            base = href
    return PageLinks(tuple(hrefs), base)
