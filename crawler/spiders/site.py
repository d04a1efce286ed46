"""One spider for every site: a :class:`~crawler.profiles.SiteProfile` says what to crawl.

Discovery goes feeds and sitemaps (cheap, list articles directly) and start pages, then the
links on listing pages that match ``follow``; pages whose URL matches ``articles`` are parsed
and handed to the archive pipeline. A listing that brings no article link new to the archive
and to this run's listings is a dead end (or a pagination trap) and its links are not followed;
one that shows only articles this run found elsewhere (its feed, its sitemap, the home page)
may still lead on to older ones, so a few such listings in a row are followed (see
:meth:`SiteSpider.follow_links`).

Known articles are fetched again when the profile's revisit policy picks them
(``crawler.revisit``), whether or not a listing still links to them: the due ones, at most the
policy's share of ``max_pages``, least recently checked first, are requested at the start
(after discovery). A link to a known article is followed only when the article was gone (it
may be back) or a sitemap's ``<lastmod>`` is newer than its last check. An article that
redirects to the site's home or a listing page has been taken down and is recorded as gone,
like a 404 or 410.

When every start request fails, the crawl fails; when the site gave no answer at all, it
stops early and says why (DNS, refused, timeout, TLS: ``crawler.fetch_errors``). Every request
that ends without a page is counted by kind (``crawler.reasons``): a timeout, a redirect loop,
a body cut short, a page too complex to parse, robots.txt, a long Retry-After.

Article pages are parsed in a background thread (``crawler.parse_worker``), within a time
budget, so the reactor keeps downloading (and hears a SIGTERM) while a hard page is read.

The spider keeps its own record of what it requested and finished in ``self.state``, which
Scrapy saves in the JOBDIR, so that ``--resume`` can re-issue the requests that were in flight
when the crawl was stopped (Scrapy's disk queue keeps only those not yet sent).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler import reasons
from crawler.constants import (
    BINARY_EXTENSIONS,
    FEED_CONTENT_TYPES,
    GONE_STATUSES,
    HANDLED_STATUSES,
    STATS_PREFIX,
)
from crawler.feeds import feed_links
from crawler.fetch_errors import CONNECTION
from crawler.fetch_errors import LABELS as NETWORK_KINDS
from crawler.items import PageItem
from crawler.links import LinkSorter
from crawler.middlewares import META_KIND, META_URL
from crawler.parse_worker import ParseWorker
from crawler.profiles import SiteProfile
from crawler.rendering import BROWSER, META_RENDER, PLAIN, strip_validators
from crawler.revisit import RevisitPlan, plan_revisits
from crawler.urls import find_canonical, host_matches, is_home_page
from parsers import PageLinks, ParseError, find_links, parse_page, ready_without_scripts
from parsers.constants import HTML_CONTENT_TYPES
from parsers.exceptions import BinaryInputError, PageTooComplexError
from parsers.urls import canonical_url

logger = logging.getLogger(__name__)

PRIORITY = {"article": 20, "feed": 10, "sitemap": 10, "robots": 10, "listing": 0}
REVISIT_PRIORITY = -10  # after discovery: a new article matters more than a re-check
META_VIA_CANONICAL = "opdcwatch_via_canonical"
META_START = "opdcwatch_start"
META_REVISIT = "opdcwatch_revisit"
META_STALE = "opdcwatch_stale"  # listings in a row, up to this one, that listed nothing new
CLOSE_UNREACHABLE = "unreachable"  # the close reason of a crawl that got no answer at all


class KnownState(NamedTuple):
    """What the spider keeps of an archived article: gone?, when last checked."""

    gone: bool
    last_checked: datetime


def _content_type(response: Response) -> str:
    raw = response.headers.get("Content-Type") or b""
    return raw.decode("latin-1").split(";")[0].strip().lower()


def _raw_content_type(response: Response) -> str | None:
    return (response.headers.get("Content-Type") or b"").decode("latin-1") or None


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
        self.known: dict[str, KnownState] = {}  # the site's archived articles, by URL
        self.revisit_plan = RevisitPlan((), 0, 0)
        self.starts = {"issued": 0, "ok": 0, "failed": 0}
        self.start_errors: list[str] = []
        self.network_errors: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()  # why requests ended without a page, by kind
        self.robots_unavailable: set[str] = set()  # origins whose robots.txt failed (5xx, timeout)
        self.links = LinkSorter(profile)
        self.listed: set[str] = set()  # article links some listing page of this run showed
        self.parse_worker: ParseWorker | None = None
        self.stopping = False  # set on SIGTERM / Ctrl-C by crawler.shutdown

    def closed(self, reason: str) -> None:
        if self.parse_worker is not None:
            self.parse_worker.close()

    async def off_thread(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a parse in the spider's parse thread; the reactor goes on meanwhile. Without a
        running reactor (a callback called directly, as the unit tests do), here and now."""
        from twisted.internet import reactor

        if not getattr(reactor, "running", False):
            return func(*args, **kwargs)
        if self.parse_worker is None:
            self.parse_worker = ParseWorker()
        return await maybe_deferred_to_future(self.parse_worker.run(func, *args, **kwargs))

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        """Build the spider; from ``scrapy crawl site -a profile=NAME`` too, whose arguments
        are strings (``crawler.spider_args`` makes the profile and opens the archive)."""
        if not isinstance(kwargs.get("profile"), SiteProfile):
            from crawler.spider_args import spider_arguments

            kwargs = spider_arguments(crawler, kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_dropped, signal=signals.request_dropped)
        return spider

    # --- bookkeeping -----------------------------------------------------------------------

    @property
    def run_state(self) -> dict[str, Any]:
        """The resumable record of this run (kept in the JOBDIR when there is one)."""
        state: dict[str, Any] | None = getattr(self, "state", None)
        if state is None:
            state = {}
            self.state = state
        state.setdefault("seen", set())
        state.setdefault("done", set())
        state.setdefault("issued", 0)
        return state

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"{STATS_PREFIX}{key}", n)

    def note_error(self, url: str, message: str) -> None:
        """Count and keep a page's error; logged at INFO (``-v``): the summary counts them and
        ``opdcwatch runs`` shows them, so a crawl's terminal is not a wall of errors."""
        self.count("errors")
        logger.info("%s: %s", url, message)
        if len(self.errors) < self.crawler.settings.getint("OPDCWATCH_MAX_ERRORS_KEPT"):
            self.errors.append(f"{url}: {message}")

    def note_reason(self, url: str, kind: str, message: str) -> None:
        """Count why a request ended without a page: an error, or (robots.txt, a long
        Retry-After) a refusal counted as skipped."""
        self.reasons[kind] += 1
        if kind in reasons.REFUSALS:
            self.count("skipped")
            logger.info("%s: not fetched %s: %s", self.name, url, message)
        else:
            self.note_error(url, message)

    def note_robots_unavailable(
        self, origin: str, message: str, network_kind: str | None = None
    ) -> None:
        """robots.txt answered 5xx or timed out (called by crawler.robots, once per host);
        ``network_kind`` says which network error it was, if one."""
        self.robots_unavailable.add(origin)
        if network_kind is not None:
            self.network_errors[network_kind] += 1
        self.note_reason(f"{origin}/robots.txt", reasons.ROBOTS_UNAVAILABLE, message)

    def make_request(
        self,
        url: str,
        kind: str,
        *,
        force: bool = False,
        via_canonical: bool = False,
        start: bool = False,
        revisit: bool = False,
    ) -> scrapy.Request | None:
        """Return a request for a not-yet-seen, on-site, page-like URL, within max_pages.

        Article requests skip Scrapy's duplicate filter (this run's ``seen`` set does that
        job): a redirect of an article to the home page must reach the spider, although the
        home page itself was crawled.
        """
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
        meta: dict[str, Any] = {
            META_KIND: kind,
            META_URL: url,
            "handle_httpstatus_list": list(HANDLED_STATUSES),
        }
        if via_canonical:
            meta[META_VIA_CANONICAL] = True
        if start:
            meta[META_START] = True
            self.starts["issued"] += 1
        if revisit:
            meta[META_REVISIT] = True
            self.count("revisits")
        render = self.profile.render
        if render is not None and render.wants(url, kind):
            meta[META_RENDER] = PLAIN  # tried without a browser first: see needs_browser
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta=meta,
            priority=REVISIT_PRIORITY if revisit else PRIORITY[kind],
            dont_filter=force or kind == "article",
        )

    def wants(self, url: str) -> bool:
        """Whether a linked article is worth a request: new, or gone (is it back?).

        The other known articles are fetched when the revisit plan picks them, at the start.
        """
        known = self.known.get(url)
        return known is None or known.gone

    def begin(self, response: Response) -> str | None:
        """Mark the response's URL done; return it, or None when this run already handled it."""
        url = response.meta.get(META_URL, canonical_url(response.url))
        done = self.run_state["done"]
        if url in done:
            return None
        done.add(url)
        self.count("pages")
        if response.meta.get(META_START) and response.status in (200, 304):
            self.starts["ok"] += 1
        return url

    # --- start -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests():
            yield request

    def load_known(self) -> None:
        """Read the site's archived articles and plan this crawl's revisits."""
        if self.archive is None:
            return
        from archive.known import known_articles

        policy, now = self.profile.revisit, datetime.now(UTC)
        articles = known_articles(self.archive, self.name)
        self.known = {a.url: KnownState(a.gone_at is not None, a.last_checked) for a in articles}
        self.revisit_plan = plan_revisits(articles, policy, now, self.max_pages)
        logger.info(
            "%s: %d known articles, %d due, %d to revisit",
            self.name,
            self.revisit_plan.known,
            self.revisit_plan.due,
            len(self.revisit_plan.urls),
        )

    def start_requests(self) -> Iterator[scrapy.Request]:
        self.load_known()
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
            request = self.make_request(url, kind, start=kind != "robots")
            if request is not None:
                yield request
        for url in lost:
            kind = "article" if self.profile.is_article(url) else "listing"
            request = self.make_request(url, kind, force=True)
            if request is not None:
                yield request
        for url in self.revisit_plan.urls:
            request = self.make_request(url, "article", revisit=True)
            if request is not None:
                yield request

    # --- rendering (crawler.rendering) -----------------------------------------------------

    def needs_browser(self, response: Response) -> bool:
        """True when a page the profile renders came back plain and its HTML is not enough.

        Enough: what ``wait_for`` marks holds text as served, or the article body is in a JSON
        script (``parsers.script_body`` reads it). Not rendered either: error answers, non-HTML,
        and an article redirected to the home page (taken down).
        """
        if response.meta.get(META_RENDER) != PLAIN or response.status != 200:
            return False
        if _content_type(response) not in HTML_CONTENT_TYPES:
            return False
        url = response.meta.get(META_URL, response.url)
        if response.meta.get(META_KIND) == "article" and self.removal_redirect(url, response):
            return False
        render = self.profile.render
        assert render is not None  # META_RENDER is set only for profiles with [render]
        why = ready_without_scripts(
            response.body, content_type=_raw_content_type(response), selector=render.wait_for
        )
        if response.meta.get(META_KIND) == "listing" and why == "script":
            why = None  # a listing's links are not in an article body
        if why is not None:
            self.count(f"render_not_needed/{why}")
            return False
        return True

    def rendered_request(self, response: Response) -> scrapy.Request:
        """The same page again, through the browser: no conditional headers, same callback."""
        request = response.request
        assert request is not None and self.profile.render is not None
        meta = {
            key: request.meta[key]
            for key in (META_KIND, META_URL, META_START, META_REVISIT, META_VIA_CANONICAL)
            if key in request.meta
        }
        meta["handle_httpstatus_list"] = list(HANDLED_STATUSES)
        meta[META_RENDER] = BROWSER
        meta.update(self.profile.render.playwright_meta())
        return scrapy.Request(
            meta[META_URL],
            callback=request.callback,
            errback=self.on_error,
            meta=meta,
            priority=request.priority,
            dont_filter=True,
        )

    def rendered_too_large(self, url: str, response: Response) -> bool:
        """Hold DOWNLOAD_MAXSIZE for a rendered page (scrapy-playwright does not): an error."""
        if response.meta.get(META_RENDER) != BROWSER:
            return False
        self.count("rendered")
        cap = response.meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE"))
        if not cap or len(response.body) <= cap:
            return False
        self.note_reason(
            url,
            reasons.TOO_LARGE,
            f"too large: rendered page is {len(response.body):,} bytes (cap {cap:,})",
        )
        return True

    # --- callbacks -------------------------------------------------------------------------

    def follow_links(
        self, response: Response, links: PageLinks, *, from_listing: bool
    ) -> Iterator[scrapy.Request]:
        """Request the article links on a page; on a listing, also its listing links.

        ``links`` come from the parse of the page (``parsers.parse_page`` or ``find_links``).
        A listing page's listing links are followed when the page shows an article link
        that the archive does not hold and no earlier listing of this run showed. A listing
        whose unarchived articles were all shown already (the first page of a list whose
        feed, or the home page, carries the latest items) is followed too, but only
        ``OPDCWATCH_STALE_LISTINGS`` such pages in a row: its next page may hold older
        articles, while an endless calendar that repeats a sidebar's links stops there. A
        listing of nothing but archived articles is a dead end: a walk into the archived
        past stops (the revisit policy, not the listings, decides when known articles are
        fetched again).
        """
        seen = self.run_state["seen"]
        articles, listings = self.links.sort(response.url, links)
        for url in articles:
            if url not in seen:
                request = self.make_request(url, "article") if self.wants(url) else None
                if request is not None:
                    yield request
        if not from_listing:
            return
        unarchived = [url for url in articles if url not in self.known]
        fresh = [url for url in unarchived if url not in self.listed]
        self.listed.update(articles)
        stale = 0 if fresh else response.meta.get(META_STALE, 0) + 1
        if not unarchived or stale > self.settings.getint("OPDCWATCH_STALE_LISTINGS"):
            self.count("dead_end_listings")
            logger.debug("%s: no new article link on %s, not following it", self.name, response.url)
            return
        for url in listings:
            request = self.make_request(url, "listing")
            if request is not None:
                if stale:
                    request.meta[META_STALE] = stale
                yield request

    def _links_of(self, response: Response) -> PageLinks:
        """A listing's links, read here: lxml alone, linear in the page and within the element
        budget (the article pages, which the extractor reads too, go to the parse thread)."""
        return find_links(response.body, content_type=_raw_content_type(response))

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if self.needs_browser(response):
            yield self.rendered_request(response)
            return
        url = self.begin(response)
        if url is None or self.rendered_too_large(url, response):
            return
        if response.status != 200:
            self.note_start_error(response, f"listing answered HTTP {response.status}")
            return
        if _content_type(response) not in HTML_CONTENT_TYPES:
            self.count("skipped")
            return
        yield from self.follow_links(response, self._links_of(response), from_listing=True)

    def removal_redirect(self, url: str, response: Response) -> PageItem | None:
        """Return a gone item when the article was redirected to the home or a listing page.

        What is recorded is the article's own answer: the first redirect's status and where
        it pointed. A redirect to another article (a moved page) is followed as before.
        """
        hops = response.meta.get("redirect_urls") or []
        reasons = response.meta.get("redirect_reasons") or []
        if not hops or not reasons or not isinstance(reasons[0], int):
            return None  # not redirected, or by a <meta refresh>
        final = canonical_url(response.url)
        if final == url or self.profile.is_article(final):
            return None
        starts = {canonical_url(u) for u in self.profile.start_urls}
        if not (is_home_page(final) or self.profile.is_listing(final) or final in starts):
            return None
        target = hops[1] if len(hops) > 1 else response.url
        logger.info("%s: %s redirects to %s: taken down", self.name, url, response.url)
        return PageItem(url=url, status=reasons[0], headers={"Location": target})

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        if self.needs_browser(response):
            yield self.rendered_request(response)
            return
        url = self.begin(response)
        if url is None or self.rendered_too_large(url, response):
            return
        removed = self.removal_redirect(url, response)
        if removed is not None:
            yield removed
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
        cut = reasons.cut_short(response)
        if cut:
            self.note_reason(url, reasons.TRUNCATED, cut)
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
            page = await self.off_thread(
                parse_page,
                response.body,
                url=url,
                content_type=_raw_content_type(response),
                options=self.profile.parse_options,
                time_limit=self.settings.getfloat("OPDCWATCH_PARSE_TIME_LIMIT") or None,
            )
        except BinaryInputError as exc:
            logger.info("%s: skipping %s: %s", self.name, url, exc)
            self.count("skipped")
            return
        except PageTooComplexError as exc:
            self.note_reason(url, reasons.TOO_COMPLEX, str(exc))
            return
        except ParseError as exc:
            self.note_error(url, f"cannot parse: {exc}")
            return
        article = page.article
        headers = _headers(response)
        if response.meta.get(META_RENDER) == BROWSER:
            headers = strip_validators(headers)
        if not self.profile.matches_keywords(f"{article.title or ''}\n{article.text}"):
            self.count("filtered")
        else:
            yield PageItem(
                url=url,
                status=response.status,
                headers=headers,
                body=response.body,
                article=article,
            )
        if not response.meta.get(META_REVISIT):  # a revisit checks the article, no more
            for request in self.follow_links(response, page.links, from_listing=False):
                yield request

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if self.begin(response) is None:
            return
        if response.status != 200:
            self.note_start_error(response, f"feed answered HTTP {response.status}")
            return
        kind = _content_type(response)
        if kind in HTML_CONTENT_TYPES:  # a feed URL that now serves a page: treat as listing
            yield from self.follow_links(response, self._links_of(response), from_listing=True)
            return
        if kind and kind not in FEED_CONTENT_TYPES:
            self.count("skipped")
            return
        header = (response.headers.get("Content-Type") or b"").decode("latin-1")
        for link in feed_links(response.body, header):
            url = canonical_url(response.urljoin(link))
            request = self.make_request(url, "article") if self.wants(url) else None
            if request is not None:
                yield request

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if self.begin(response) is None:
            return
        if response.status != 200:
            self.note_start_error(response, f"sitemap answered HTTP {response.status}")
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, EOFError) as exc:  # EOFError: a truncated download
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
            loc = canonical_url(response.urljoin(loc))  # patterns match canonical URLs
            if sitemap.type == "sitemapindex":
                kind = "sitemap"
            elif not self.profile.articles or self.profile.is_article(loc):
                kind = "article"
                if not (self.changed_since_checked(loc, entry) or self.wants(loc)):
                    continue
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
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            request = self.make_request(url, "sitemap")
            if request is not None:
                yield request

    def changed_since_checked(self, loc: str, entry: dict[str, Any]) -> bool:
        """True when a sitemap's ``<lastmod>`` says a known article changed since its check."""
        known = self.known.get(canonical_url(loc))
        lastmod = (entry.get("lastmod") or "").strip()
        if known is None or not lastmod:
            return False
        try:
            stamp = datetime.fromisoformat(lastmod.replace("Z", "+00:00"))
        except ValueError:
            return False
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return stamp > known.last_checked

    # --- failures --------------------------------------------------------------------------

    def note_start_error(self, response: Response, message: str) -> None:
        """An answer that is an error: counted, and a failed start when it was one."""
        self.note_error(response.url, message)
        if response.meta.get(META_START):
            self.starts["failed"] += 1
            self.start_errors.append(f"{response.url}: {message}")

    def start_failure(self) -> str | None:
        """Why the crawl failed when every start request failed, else None."""
        starts = self.starts
        if not starts["issued"] or starts["ok"] > 0 or starts["failed"] < starts["issued"]:
            return None
        first = self.start_errors[0] if self.start_errors else "no answer"
        more = f" (and {len(self.start_errors) - 1} more)" if len(self.start_errors) > 1 else ""
        return f"every start request failed: {first}{more}"

    def unreachable(self) -> str | None:
        """The kind of network error (DNS, refused, ...) when the site gave no answer at all."""
        if not self.network_errors or self.crawler.stats.get_value("downloader/response_count"):
            return None
        return self.network_errors.most_common(1)[0][0]

    def on_dropped(self, request: scrapy.Request, spider: Any = None) -> None:
        """A request Scrapy's duplicate filter dropped: a redirect to a page this run fetched
        (loops end in the redirect middleware, with their own reason)."""
        if not request.meta.get("redirect_urls") or META_URL not in request.meta:
            return
        url = request.meta[META_URL]
        self.run_state["done"].add(url)
        self.note_reason(
            url, reasons.ALREADY_FETCHED, f"redirected to {request.url}, fetched already"
        )

    def on_error(self, failure: Failure) -> None:
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]  # set by Scrapy
        url = request.meta.get(META_URL, request.url)
        if self.stopping and reasons.failure_reason(failure)[0] in (CONNECTION, reasons.TRUNCATED):
            # aborted by the stop (crawler.shutdown): unfinished, for --resume; not an error
            logger.info("%s: stopped before %s was fetched", self.name, url)
            return
        self.run_state["done"].add(url)
        if request.meta.get(META_KIND) == "robots":
            return  # no robots.txt is normal; an unavailable one is counted once, by crawler.robots
        if failure.check(HttpError):
            status = failure.value.response.status
            kind = message = f"HTTP {status}"
        elif request.meta.get(META_RENDER) == BROWSER and not failure.check(IgnoreRequest):
            # the page answered; the browser failed
            first = (str(failure.value).strip().splitlines() or [type(failure.value).__name__])[0]
            kind, message = reasons.RENDER_FAILED, f"render failed: {first}"
        else:
            kind, message = reasons.failure_reason(failure)
            if kind in NETWORK_KINDS:
                self.network_errors[kind] += 1
        origin = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
        if kind == reasons.ROBOTS and origin in self.robots_unavailable:
            message = "not crawled: robots.txt unavailable (5xx or timeout), so all is disallowed"
            self.note_reason(url, reasons.ROBOTS_UNAVAILABLE, message)
        else:
            self.note_reason(url, kind, message)
            if kind in reasons.REFUSALS:
                return
        if request.meta.get(META_START):
            self.starts["failed"] += 1
            self.start_errors.append(f"{url}: {message}")
            if self.start_failure() and self.unreachable():
                logger.info("%s: no answer to any start request: stopping", self.name)
                raise CloseSpider(CLOSE_UNREACHABLE)
