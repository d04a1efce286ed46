"""Downloader middlewares: conditional re-fetches from the archive, retries with backoff, a
bound on what a server's Retry-After may cost, redirects that end with a reason."""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

from crawler.constants import STATS_PREFIX
from crawler.reasons import (
    OFFSITE_REDIRECT,
    RATE_LIMITED,
    REDIRECT_LOOP,
    TOO_MANY_REDIRECTS,
    NoPage,
)
from crawler.rendering import META_RENDER
from crawler.urls import host_matches
from parsers.urls import canonical_url

logger = logging.getLogger(__name__)

META_KIND = "opdcwatch_kind"
META_URL = "opdcwatch_url"


class ConditionalRequestMiddleware:
    """Adds ``If-None-Match`` / ``If-Modified-Since`` to article requests the archive knows.

    An unchanged article then costs a 304 with no body instead of a full page and a parse.
    Pages a profile renders (``[render]``) get none: a browser never delivers a 304 to a
    page, and a shell's validators do not change with what its scripts load.
    Switched off with ``OPDCWATCH_CONDITIONAL = False``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        if not crawler.settings.getbool("OPDCWATCH_CONDITIONAL"):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get(META_KIND) != "article" or META_RENDER in request.meta:
            return None
        archive = getattr(self.crawler.spider, "archive", None)
        if archive is None:
            return None
        headers = archive.conditional_headers(request.meta.get(META_URL, request.url))
        for name, value in headers.items():
            if value:
                request.headers.setdefault(name, value)
        if headers:
            self.crawler.stats.inc_value(f"{STATS_PREFIX}conditional_requests")
        return None


def retry_after_seconds(retry_after: str | None) -> float | None:
    """Return the seconds a ``Retry-After`` value (seconds or an HTTP date) asks for, or None."""
    if not retry_after:
        return None
    value = retry_after.strip()
    if value.isdecimal():  # not isdigit(): "²" (the byte 0xB2 read as Latin-1) is no number
        return float(value)
    try:
        from datetime import UTC, datetime

        return (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
    except (TypeError, ValueError):
        return None


def retry_delay(retry_times: int, base: float, cap: float, retry_after: str | None) -> float:
    """Return seconds to wait before retry number ``retry_times`` (1 for the first).

    Exponential (base, 2 base, 4 base ...), capped; a server's ``Retry-After`` (seconds or an
    HTTP date) wins when it asks for longer, still within the cap.
    """
    delay = base * (2 ** max(retry_times - 1, 0))
    asked = retry_after_seconds(retry_after)
    if asked is not None:
        delay = max(delay, asked)
    return max(0.0, min(delay, cap))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, waiting longer before each new try of a failing page.

    Scrapy retries at once; a struggling government server (5xx, timeouts) deserves a pause.
    ``OPDCWATCH_RETRY_BACKOFF_BASE`` seconds before the first retry, doubled each time, capped
    by ``OPDCWATCH_RETRY_BACKOFF_MAX``.

    A server that asks for more than ``OPDCWATCH_RETRY_AFTER_LIMIT`` seconds (``Retry-After``
    on a 429 or 503) is not waited for: the page is left for the next crawl (:class:`NoPage`,
    "rate limited") and the site's download slot slows down to AutoThrottle's ceiling, so the
    rest of the crawl asks less often. Waiting would hold a crawl for hours on a site that
    rate-limits many pages.
    """

    backoff_base: float = 0.0
    backoff_max: float = 0.0
    retry_after_limit: float = 60.0
    slowest: float = 30.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = super().from_crawler(crawler)
        mw.backoff_base = crawler.settings.getfloat("OPDCWATCH_RETRY_BACKOFF_BASE")
        mw.backoff_max = crawler.settings.getfloat("OPDCWATCH_RETRY_BACKOFF_MAX")
        mw.retry_after_limit = crawler.settings.getfloat("OPDCWATCH_RETRY_AFTER_LIMIT")
        mw.slowest = crawler.settings.getfloat("AUTOTHROTTLE_MAX_DELAY")
        return mw

    def _defer_rate_limited(self, request: Request, response: Response) -> None:
        """Raise NoPage when the response asks us to come back later than the limit allows."""
        if response.status not in self.retry_http_codes or request.meta.get("dont_retry"):
            return
        header = response.headers.get("Retry-After")
        asked = retry_after_seconds(header.decode("latin-1") if header else None)
        if asked is None or asked <= self.retry_after_limit:
            return
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and slot.delay < self.slowest:
            logger.info(
                "%s asks for %.0f s: slowing to one request per %.0f s",
                request.url,
                asked,
                self.slowest,
            )
            slot.delay = self.slowest
        raise NoPage(
            RATE_LIMITED,
            f"rate limited: HTTP {response.status} with Retry-After {asked:.0f} s "
            f"(more than {self.retry_after_limit:.0f} s): left for the next crawl",
        )

    async def _pause(self, retry: Request, retry_after: str | None) -> None:
        from twisted.internet import reactor

        delay = retry_delay(
            retry.meta.get("retry_times", 1), self.backoff_base, self.backoff_max, retry_after
        )
        if delay > 0:
            logger.info("retrying %s in %.1f s", retry.url, delay)
            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))

    async def process_response(  # type: ignore[override]  # Scrapy awaits a coroutine here
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if getattr(self.crawler.spider, "stopping", False):
            return response  # the crawl is stopping (crawler.shutdown): no new tries
        self._defer_rate_limited(request, response)
        result = super().process_response(request, response)
        if isinstance(result, Request):
            retry_after = response.headers.get("Retry-After")
            await self._pause(result, retry_after.decode("latin-1") if retry_after else None)
        return result

    async def process_exception(  # type: ignore[override]  # Scrapy awaits a coroutine here
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        if getattr(self.crawler.spider, "stopping", False):
            return None
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._pause(result, None)
        return result


class GuardedRedirectMiddleware(RedirectMiddleware):
    """Scrapy's RedirectMiddleware, ending a redirect that goes nowhere with its reason.

    Scrapy drops a redirect loop through its duplicate filter, or after REDIRECT_MAX_TIMES
    hops, and an off-site target in its offsite filter, all without a word to the spider.
    Here each ends with :class:`NoPage`, so the run counts it: "redirect loop" (the target
    was already a hop of this chain), "too many redirects", "off-site redirect" (a host the
    profile does not allow).
    """

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        target = canonical_url(redirected.url)
        if target in {canonical_url(url) for url in chain}:
            raise NoPage(REDIRECT_LOOP, f"redirect loop: {request.url} -> {redirected.url}")
        if len(chain) > self.max_redirect_times:
            raise NoPage(
                TOO_MANY_REDIRECTS,
                f"too many redirects: more than {self.max_redirect_times} from {chain[0]}",
            )
        profile = getattr(self.crawler.spider, "profile", None)
        if profile is not None and not host_matches(target, profile.allowed_domains):
            raise NoPage(OFFSITE_REDIRECT, f"off-site redirect: {request.url} -> {redirected.url}")
        return super()._redirect(redirected, request, reason)
