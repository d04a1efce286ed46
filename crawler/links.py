"""Which of a page's links lead to articles and listings: each link worked out once per crawl.

A news site repeats its mega-menu, sidebar and footer on every page: on the benchmark's
portal pages about 130 links, of which a page has maybe 3 of its own. Resolving each against
its page, canonicalising it (``parsers.urls.canonical_url``) and matching it against the
profile's patterns was a third of a crawl's time. A :class:`LinkSorter` remembers the answer
per link as written, under what the resolution depends on (the page's origin for a link that
is absolute or starts with ``/``, the page itself otherwise), so a repeated link costs one
dictionary look-up. The patterns are still matched against the canonical URL,
as before: a link whose raw form would not match (``?utm_source=x&id=5`` against ``\\?id=``)
is not lost.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.profiles import SiteProfile
from parsers.links import PageLinks
from parsers.urls import canonical_url

ARTICLE = "article"
LISTING = "listing"
SKIPPED_PREFIXES = ("javascript:", "mailto:", "tel:", "#")
MAX_REMEMBERED = 200_000  # links remembered per crawl; forgotten all at once past that
_ABSOLUTE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class LinkSorter:
    """Sorts a page's links into canonical article URLs and listing URLs, for one profile."""

    def __init__(self, profile: SiteProfile) -> None:
        self.profile = profile
        # origin -> link as written -> (canonical URL, kind), for links whose target does not
        # depend on the page they are on (absolute, or starting with "/"), and links skipped
        self._by_origin: dict[str, dict[str, tuple[str | None, str | None]]] = {}
        self._relative: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        self._size = 0

    def sort(self, page_url: str, links: PageLinks) -> tuple[list[str], list[str]]:
        """Return the article URLs and the listing URLs among ``links``, canonical, each once,
        in page order.

        ``page_url`` is the URL the page was fetched from; a ``<base href>`` overrides it, as
        in a browser.
        """
        base = urljoin(page_url, links.base.strip()) if links.base else page_url
        parts = urlsplit(base)
        origin = f"{parts.scheme}://{parts.netloc}"
        shared = self._by_origin.get(origin)
        if shared is None:
            shared = self._by_origin[origin] = {}
        articles: dict[str, None] = {}
        listings: dict[str, None] = {}
        for href in links.hrefs:
            found = shared.get(href)
            if found is None:
                found = self._resolve(href, base, shared)
            url, kind = found
            if kind is ARTICLE:
                articles[url] = None  # type: ignore[index]
            elif kind is LISTING:
                listings[url] = None  # type: ignore[index]
        return list(articles), list(listings)

    def _resolve(
        self, href: str, base: str, shared: dict[str, tuple[str | None, str | None]]
    ) -> tuple[str | None, str | None]:
        """Work out a link met for the first time on this origin (or on this page)."""
        if self._size >= MAX_REMEMBERED:
            for known in self._by_origin.values():
                known.clear()
            self._relative.clear()
            self._size = 0
        link = href.strip()
        if not link or link.startswith(SKIPPED_PREFIXES):
            found: tuple[str | None, str | None] = (None, None)
        elif link.startswith("/") or _ABSOLUTE_RE.match(link):
            found = self._classify(urljoin(base, link))
        else:  # relative to the page itself
            key = (base, link)
            found = self._relative.get(key) or self._classify(urljoin(base, link))
            self._relative[key] = found
            self._size += 1
            return found
        shared[href] = found
        self._size += 1
        return found

    def _classify(self, url: str) -> tuple[str, str | None]:
        url = canonical_url(url)
        if self.profile.is_article(url):
            return url, ARTICLE
        if self.profile.is_listing(url):
            return url, LISTING
        return url, None
