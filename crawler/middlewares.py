"""Downloader middlewares: conditional re-fetches from the archive, retries with backoff."""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

from crawler.constants import STATS_PREFIX
from crawler.rendering import META_RENDER

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


def retry_delay(retry_times: int, base: float, cap: float, retry_after: str | None) -> float:
    """Return seconds to wait before retry number ``retry_times`` (1 for the first).

    Exponential (base, 2 base, 4 base ...), capped; a server's ``Retry-After`` (seconds or an
    HTTP date) wins when it asks for longer, still within the cap.
    """
    delay = base * (2 ** max(retry_times - 1, 0))
    if retry_after:
        asked: float | None = None
        value = retry_after.strip()
        if value.isdigit():
            asked = float(value)
        else:
            try:
                from datetime import UTC, datetime

                asked = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
            except (TypeError, ValueError):
                asked = None
        if asked is not None:
            delay = max(delay, asked)
    return max(0.0, min(delay, cap))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, waiting longer before each new try of a failing page.

    Scrapy retries at once; a struggling government server (5xx, timeouts) deserves a pause.
    ``OPDCWATCH_RETRY_BACKOFF_BASE`` seconds before the first retry, doubled each time, capped
    by ``OPDCWATCH_RETRY_BACKOFF_MAX``.
    """

    backoff_base: float = 0.0
    backoff_max: float = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = super().from_crawler(crawler)
        mw.backoff_base = crawler.settings.getfloat("OPDCWATCH_RETRY_BACKOFF_BASE")
        mw.backoff_max = crawler.settings.getfloat("OPDCWATCH_RETRY_BACKOFF_MAX")
        return mw

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
        result = super().process_response(request, response)
        if isinstance(result, Request):
            retry_after = response.headers.get("Retry-After")
            await self._pause(result, retry_after.decode("latin-1") if retry_after else None)
        return result

    async def process_exception(  # type: ignore[override]  # Scrapy awaits a coroutine here
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._pause(result, None)
        return result
