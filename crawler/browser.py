"""The browser side of rendering: scrapy-playwright's download handler, made to last a crawl.

Loaded only through the settings ``crawler.rendering.render_settings`` gives a profile with a
``[render]`` table, so a plain crawl never imports playwright. One browser per crawler; its
pages are closed as soon as their content is read (scrapy-playwright does, with
``playwright_include_page`` False), and its contexts are recycled: every
``OPDCWATCH_RENDER_PAGES_PER_CONTEXT`` pages the next ones open in a fresh context and the old
one is closed once its last page is done, so cache, service workers and leaked pages of a
long crawl do not pile up in memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_playwright.handler import _SCRAPY_ASYNC_API, ScrapyPlaywrightDownloadHandler
from scrapy_playwright.headers import use_scrapy_headers

from crawler.constants import STATS_PREFIX

logger = logging.getLogger(__name__)

CONDITIONAL_HEADERS = frozenset({"if-none-match", "if-modified-since"})
STOP_POLL_SECONDS = 0.5  # how often a page waiting in the browser checks the crawl still runs
_SHARED = "_opdcwatch_rendering_handler"  # the crawler's one handler, kept on the crawler


async def headers_without_validators(**kwargs: Any) -> dict[str, str]:
    """scrapy-playwright's headers (Scrapy's on navigations) minus conditional ones.

    A navigation answered 304 is never delivered to a page (``net::ERR_ABORTED``), and the
    shell's validators say nothing of what its scripts load; the browser's own cache must
    not ask either.
    """
    headers = await use_scrapy_headers(**kwargs)
    return {k: v for k, v in headers.items() if k.lower() not in CONDITIONAL_HEADERS}


class BlockResources:
    """``PLAYWRIGHT_ABORT_REQUEST``: abort requests for the profile's ``block`` types."""

    def __init__(self, kinds: Iterable[str]) -> None:
        self.kinds = frozenset(kinds)

    def __call__(self, request: Any) -> bool:
        return request.resource_type in self.kinds


class RenderingHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler with recycled browser contexts (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.closed = False
        self.stopping = False
        self.abort_request = BlockResources(crawler.settings.getlist("OPDCWATCH_RENDER_BLOCK"))
        self.pages_per_context = crawler.settings.getint("OPDCWATCH_RENDER_PAGES_PER_CONTEXT")
        self.generation = 0
        self.opened = 0  # pages opened in the current generation's context
        self.in_flight: Counter[str] = Counter()
        self.crawler_stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderingHandler:
        """One handler for http and https alike: one browser, not one per scheme."""
        shared = crawler.__dict__.get(_SHARED)
        if shared is None:
            shared = crawler.__dict__[_SHARED] = cls(crawler)
        return shared

    if _SCRAPY_ASYNC_API:

        async def close(self) -> None:
            """Close once, though Scrapy asks each scheme's handler (the same one here)."""
            if not self.closed:
                self.closed = True
                await super().close()

    else:  # Scrapy before 2.14: Deferred-based handlers

        def close(self) -> Any:  # type: ignore[misc]  # a Deferred here, a coroutine above
            from twisted.internet import defer

            if self.closed:
                return defer.succeed(None)
            self.closed = True
            return super().close()

    async def _context_name(self) -> str:
        """The context of the next page: the current one, or a fresh one every N pages (the
        old one closed now when no page of it is open, else when its last page is done)."""
        if self.opened >= self.pages_per_context:
            old = f"render-{self.generation}"
            self.generation += 1
            self.opened = 0
            if self.in_flight[old] <= 0:
                self.in_flight.pop(old, None)
                await self._retire(old)
        self.opened += 1
        return f"render-{self.generation}"

    def _crawl_stopping(self) -> bool:
        crawler = self._crawler
        return not crawler.crawling or (crawler.engine is not None and not crawler.engine.running)

    async def _download_request(self, request: Request, spider: Any = None) -> Response:
        """Render in a recycled context; a page still waiting when the crawl is asked to stop
        fails at once (its context is closed) instead of holding the stop for ``timeout``."""
        name = request.meta["playwright_context"] = await self._context_name()
        self.in_flight[name] += 1
        work = asyncio.ensure_future(super()._download_request(request, spider))
        try:
            while True:
                done, _ = await asyncio.wait({work}, timeout=STOP_POLL_SECONDS)
                if done:
                    return work.result()
                if self._crawl_stopping() and not self.stopping:
                    await self._stop_rendering()
        finally:
            if not work.done():  # this download was cancelled itself: so is its page's work
                work.cancel()
            self.in_flight[name] -= 1
            if name != f"render-{self.generation}" and self.in_flight[name] <= 0:
                del self.in_flight[name]
                await self._retire(name)

    async def _stop_rendering(self) -> None:
        """Close every context: the pages in them fail now, and are not opened again."""
        logger.info("the crawl is stopping: closing the pages still rendering")
        self.stopping = True
        self.config.target_closed_max_retries = 0
        self.config.download_timeout_secs = 0  # an aborted navigation: wait for no download
        for name in list(self.context_wrappers):
            await self._retire(name)

    async def _retire(self, name: str) -> None:
        """Close a context: a used-up one whose last page is done, or any when stopping (its
        open pages then fail)."""
        wrapper = self.context_wrappers.get(name)
        if wrapper is None:
            return
        logger.debug("closing browser context %s", name)
        try:
            await wrapper.context.close()
        except Exception as exc:  # a browser that went away meanwhile: nothing to close
            logger.debug("closing browser context %s: %s", name, exc)
        self.crawler_stats.inc_value(f"{STATS_PREFIX}render_contexts_closed")
