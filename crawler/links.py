"""Which of a page's links lead to articles and listings: each link worked out once per crawl.

A news site repeats its mega-menu, sidebar and footer on every page: on the benchmark's
portal pages about 130 links, of which a page has maybe 3 of its own. Resolving each against
its page, canonicalising it (``parsers.urls.canonical_url``) and matching it against the
profile's patterns was a third of a crawl's time. A :class:`LinkSorter` remembers the answer
per link as written, keyed by what the resolution depends on (nothing for an absolute link,
the page's origin for one starting with ``/``, the page itself otherwise), so a repeated
link costs one dictionary look-up. The patterns are still matched against the canonical URL,
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
        self._known: dict[tuple[str, str], tuple[str, str | None]] = {}

    def sort(self, page_url: str, links: PageLinks) -> tuple[list[str], list[str]]:
        """Return the article URLs and the listing URLs among ``links``, canonical, each once,
        in page order.

        ``page_url`` is the URL the page was fetched from; a ``<base href>`` overrides it, as
        in a browser.
        """
        base = urljoin(page_url, links.base.strip()) if links.base else page_url
        parts = urlsplit(base)
        origin = f"{parts.scheme}://{parts.netloc}"
        known = self._known
        articles: dict[str, None] = {}
        listings: dict[str, None] = {}
        for href in links.hrefs:
            href = href.strip()
            if not href or href.startswith(SKIPPED_PREFIXES):
                continue
            if _ABSOLUTE_RE.match(href):
                key = ("", href)
            elif href.startswith("//"):
                key = (parts.scheme, href)
            elif href.startswith("/"):
                key = (origin, href)
            else:
                key = (base, href)
            found = known.get(key)
            if found is None:
                found = self._classify(urljoin(base, href))
                if len(known) >= MAX_REMEMBERED:
                    known.clear()
                known[key] = found
            url, kind = found
            if kind is ARTICLE:
                articles[url] = None
            elif kind is LISTING:
                listings[url] = None
        return list(articles), list(listings)

    def _classify(self, url: str) -> tuple[str, str | None]:
        url = canonical_url(url)
        if self.profile.is_article(url):
            return url, ARTICLE
        if self.profile.is_listing(url):
            return url, LISTING
        return url, None
