"""One spider for every site: a :class:`~crawler.profiles.SiteProfile` says what to crawl.

Discovery goes feeds and sitemaps (cheap, list articles directly) and start pages, then the
links on listing pages that match ``follow``; pages whose URL matches ``articles`` are parsed
and handed to the archive pipeline. A listing that brings no article link not already seen in
this run is a dead end (or a pagination trap) and its links are not followed.

The spider keeps its own record of what it requested and finished in ``self.state``, which
Scrapy saves in the JOBDIR, so that ``--resume`` can re-issue the requests that were in flight
when the crawl was stopped (Scrapy's disk queue keeps only those not yet sent).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.constants import (
    BINARY_EXTENSIONS,
    FEED_CONTENT_TYPES,
    GONE_STATUSES,
    HANDLED_STATUSES,
    HTML_CONTENT_TYPES,
    STATS_PREFIX,
)
from crawler.feeds import feed_links
from crawler.items import PageItem
from crawler.links import LinkSorter
from crawler.middlewares import META_KIND, META_URL
from crawler.profiles import SiteProfile
from crawler.urls import find_canonical, host_matches
from parsers import PageLinks, ParseError, find_links, parse_page
from parsers.exceptions import BinaryInputError
from parsers.urls import canonical_url

logger = logging.getLogger(__name__)

PRIORITY = {"article": 20, "feed": 10, "sitemap": 10, "robots": 10, "listing": 0}
META_VIA_CANONICAL = "opdcwatch_via_canonical"


def _content_type(response: Response) -> str:
    raw = response.headers.get("Content-Type") or b""
    return raw.decode("latin-1").split(";")[0].strip().lower()


def _raw_content_type(response: Response) -> str | None:
    return response.headers.get("Content-Type", b"").decode("latin-1") or None


def _headers(response: Response) -> dict[str, str]:
    return {
        key.decode("latin-1"): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }


class SiteSpider(scrapy.Spider):
    """Crawls one site as its profile describes; ``archive`` is the open Archive (or None)."""

    name = "site"

    def __init__(
        self,
        profile: SiteProfile,
        archive: Any = None,
        max_pages: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=profile.name, **kwargs)
        self.profile = profile
        self.archive = archive
        self.max_pages = max_pages or profile.max_pages
        self.allowed_domains = list(profile.allowed_domains)
        self.errors: list[str] = []
        self._limit_logged = False
        self.links = LinkSorter(profile)

    # --- bookkeeping -----------------------------------------------------------------------

    @property
    def run_state(self) -> dict[str, Any]:
        """The resumable record of this run (kept in the JOBDIR when there is one)."""
        state = getattr(self, "state", None)
        if state is None:
            state = self.state = {}
        state.setdefault("seen", set())
        state.setdefault("done", set())
        state.setdefault("issued", 0)
        return state

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"{STATS_PREFIX}{key}", n)

    def note_error(self, url: str, message: str) -> None:
        self.count("errors")
        logger.warning("%s: %s", url, message)
        if len(self.errors) < self.crawler.settings.getint("OPDCWATCH_MAX_ERRORS_KEPT"):
            self.errors.append(f"{url}: {message}")

    def make_request(
        self, url: str, kind: str, *, force: bool = False, via_canonical: bool = False
    ) -> scrapy.Request | None:
        """Return a request for a not-yet-seen, on-site, page-like URL, within max_pages."""
        url = canonical_url(url)
        if urlsplit(url).scheme not in ("http", "https"):
            return None
        if not host_matches(url, self.profile.allowed_domains):
            self.crawler.stats.inc_value(f"{STATS_PREFIX}offsite")
            return None
        if kind in ("article", "listing") and urlsplit(url).path.lower().endswith(
            BINARY_EXTENSIONS
        ):
            return None
        state = self.run_state
        if url in state["seen"] and not force:
            return None
        if self.max_pages is not None and state["issued"] >= self.max_pages and not force:
            if not self._limit_logged:
                logger.info("%s: max_pages (%d) reached", self.name, self.max_pages)
                self._limit_logged = True
            return None
        if url not in state["seen"]:
            state["issued"] += 1
        state["seen"].add(url)
        callback = {
            "article": self.parse_article,
            "listing": self.parse_listing,
            "feed": self.parse_feed,
            "sitemap": self.parse_sitemap,
            "robots": self.parse_robots,
        }[kind]
        meta = {META_KIND: kind, META_URL: url, "handle_httpstatus_list": list(HANDLED_STATUSES)}
        if via_canonical:
            meta[META_VIA_CANONICAL] = True
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta=meta,
            priority=PRIORITY[kind],
            dont_filter=force,
        )

    def begin(self, response: Response) -> str | None:
        """Mark the response's URL done; return it, or None when this run already handled it."""
        url = response.meta.get(META_URL, canonical_url(response.url))
        done = self.run_state["done"]
        if url in done:
            return None
        done.add(url)
        self.count("pages")
        return url

    # --- start -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        state = self.run_state
        lost = sorted(state["seen"] - state["done"])
        if lost:  # resuming: requests that were in flight when the crawl stopped
            logger.info("%s: resuming, re-issuing %d unfinished requests", self.name, len(lost))
        plan: list[tuple[str, str]] = [(url, "feed") for url in self.profile.feeds]
        plan += [(url, "sitemap") for url in self.profile.sitemaps]
        if self.settings.getbool("OPDCWATCH_ROBOTS_SITEMAPS"):
            origins = dict.fromkeys(
                f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in self.profile.start_urls
            )
            plan += [(urljoin(origin, "/robots.txt"), "robots") for origin in origins]
        plan += [
            (url, "article" if self.profile.is_article(url) else "listing")
            for url in self.profile.start_urls
        ]
        for url, kind in plan:
            request = self.make_request(url, kind)
            if request is not None:
                yield request
        for url in lost:
            kind = "article" if self.profile.is_article(url) else "listing"
            request = self.make_request(url, kind, force=True)
            if request is not None:
                yield request

    # --- callbacks -------------------------------------------------------------------------

    def follow_links(
        self, response: Response, links: PageLinks, *, from_listing: bool
    ) -> Iterator[scrapy.Request]:
        """Request the article links on a page; on a listing, also its listing links.

        ``links`` come from the parse of the page (``parsers.parse_page`` or ``find_links``).
        A listing page's listing links are followed only when the page brought at least one
        article link this run had not seen: endless calendars and "next" chains stop there.
        """
        seen = self.run_state["seen"]
        articles, listings = self.links.sort(response.url, links)
        fresh = [url for url in articles if url not in seen]
        for url in fresh:
            request = self.make_request(url, "article")
            if request is not None:
                yield request
        if not from_listing:
            return
        if not fresh:
            self.count("dead_end_listings")
            logger.debug("%s: no new article link on %s, not following it", self.name, response.url)
            return
        for url in listings:
            request = self.make_request(url, "listing")
            if request is not None:
                yield request

    def _links_of(self, response: Response) -> PageLinks:
        return find_links(response.body, content_type=_raw_content_type(response))

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if self.begin(response) is None:
            return
        if response.status != 200:
            self.note_error(response.url, f"listing answered HTTP {response.status}")
            return
        if _content_type(response) not in HTML_CONTENT_TYPES:
            self.count("skipped")
            return
        yield from self.follow_links(response, self._links_of(response), from_listing=True)

    def parse_article(self, response: Response) -> Iterator[Any]:
        url = self.begin(response)
        if url is None:
            return
        if response.status == 304:
            yield PageItem(url=url, status=304, headers=_headers(response), not_modified=True)
            return
        if response.status in GONE_STATUSES:
            yield PageItem(url=url, status=response.status, headers=_headers(response))
            return
        if _content_type(response) not in HTML_CONTENT_TYPES:
            logger.info("%s: skipping %s (%s)", self.name, url, _content_type(response) or "?")
            self.count("skipped")
            return
        canonical = find_canonical(response.body, response.url)
        if (
            canonical
            and canonical != url
            and not response.meta.get(META_VIA_CANONICAL)
            and host_matches(canonical, self.profile.allowed_domains)
        ):
            request = self.make_request(canonical, "article", via_canonical=True)
            if request is not None:
                yield request
            self.count("canonical_redirects")
            return
        try:
            page = parse_page(
                response.body,
                url=url,
                content_type=_raw_content_type(response),
                options=self.profile.parse_options,
            )
        except BinaryInputError as exc:
            logger.info("%s: skipping %s: %s", self.name, url, exc)
            self.count("skipped")
            return
        except ParseError as exc:
            self.note_error(url, f"cannot parse: {exc}")
            return
        article = page.article
        if not self.profile.matches_keywords(f"{article.title or ''}\n{article.text}"):
            self.count("filtered")
        else:
            yield PageItem(
                url=url,
                status=response.status,
                headers=_headers(response),
                body=response.body,
                article=article,
            )
        yield from self.follow_links(response, page.links, from_listing=False)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if self.begin(response) is None:
            return
        if response.status != 200:
            self.note_error(response.url, f"feed answered HTTP {response.status}")
            return
        kind = _content_type(response)
        if kind in HTML_CONTENT_TYPES:  # a feed URL that now serves a page: treat as listing
            yield from self.follow_links(response, self._links_of(response), from_listing=True)
            return
        if kind and kind not in FEED_CONTENT_TYPES:
            self.count("skipped")
            return
        for link in feed_links(response.body):
            request = self.make_request(response.urljoin(link), "article")
            if request is not None:
                yield request

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if self.begin(response) is None:
            return
        if response.status != 200:
            self.note_error(response.url, f"sitemap answered HTTP {response.status}")
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except OSError as exc:
                self.note_error(response.url, f"bad gzip sitemap: {exc}")
                return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises several types for a non-XML body
            self.note_error(response.url, f"not a sitemap: {exc}")
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            loc = response.urljoin(loc)
            if sitemap.type == "sitemapindex":
                kind = "sitemap"
            elif not self.profile.articles or self.profile.is_article(loc):
                kind = "article"
            elif self.profile.is_listing(loc):
                kind = "listing"
            else:
                continue
            request = self.make_request(loc, kind)
            if request is not None:
                yield request

    def parse_robots(self, response: Response) -> Iterator[Any]:
        if self.begin(response) is None or response.status != 200:
            return
        for url in sitemap_urls_from_robots(response.text, base_url=response.url):
            request = self.make_request(url, "sitemap")
            if request is not None:
                yield request

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        url = request.meta.get(META_URL, request.url)
        self.run_state["done"].add(url)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.count("skipped")  # robots.txt said no, or the response was too big
            logger.info("%s: not fetched %s: %s", self.name, url, failure.value)
            return
        if request.meta.get(META_KIND) == "robots":
            return  # no robots.txt is normal
        if failure.check(HttpError):
            self.note_error(url, f"HTTP {failure.value.response.status}")
        else:
            self.note_error(url, f"{failure.type.__name__}: {failure.getErrorMessage()}")
