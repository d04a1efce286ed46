"""robots.txt: fetched once per host per crawl, and read as RFC 9309 says when it fails.

Scrapy's RobotsTxtMiddleware fetched it with the ordinary retries (4 tries of DOWNLOAD_TIMEOUT
each: a silent robots.txt held every request of the host for two minutes), and the spider
fetched it a second time for its ``Sitemap:`` lines. Here it is fetched once, without
retries and within ``OPDCWATCH_ROBOTS_TIMEOUT`` seconds, and the spider's request for it is
answered from that one fetch.

What the answer means (RFC 9309, 2.3.1):

- 2xx: its rules, kept in the archive as the host's last good robots.txt;
- 4xx: no rules (allow all), as before;
- 5xx or a timeout ("unreachable"): disallow all for this crawl, unless the archive holds
  the last good robots.txt, whose rules are kept to instead; either way the run counts
  "robots unavailable" and health warns;
- no connection at all (DNS, refused, TLS): no rules, so the pages' own requests fail and the
  site is named unreachable, as before.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler import fetch_errors
from crawler.middlewares import META_KIND

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware with one fetch per host, no retries, and RFC 9309's failure rules."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.timeout = min(
            crawler.settings.getfloat("OPDCWATCH_ROBOTS_TIMEOUT"),
            crawler.settings.getfloat("DOWNLOAD_TIMEOUT"),
        )
        # netloc -> the robots.txt whose Sitemap lines the spider reads: a 2xx one, or the
        # last good one kept to instead of a failing one
        self.bodies: dict[str, bytes] = {}

    async def process_request(  # type: ignore[override]  # a Response for robots.txt itself
        self, request: Request, spider: Any = None
    ) -> Response | None:
        """Answer the spider's own request for robots.txt from the one fetch; check the rest."""
        if request.meta.get(META_KIND) != "robots":
            await super().process_request(request)
            return None
        await self.robot_parser(request)
        body = self.bodies.get(urlparse_cached(request).netloc)
        if body is None:
            raise IgnoreRequest("no robots.txt to read sitemaps from")
        return TextResponse(request.url, status=200, body=body, encoding="utf-8", request=request)

    async def robot_parser(self, request: Request) -> Any:
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            origin = f"{url.scheme}://{netloc}"
            try:
                body = await self._fetch(origin, netloc)
                parser = (
                    None
                    if body is None
                    else build_from_crawler(self._parserimpl, self.crawler, body)
                )
            except Exception:  # never leave the host's other requests waiting on it
                logger.exception("%s/robots.txt: not read; nothing of it crawled", origin)
                parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
            waiting = self._parsers[netloc]
            self._parsers[netloc] = parser
            self._stats.inc_value("robotstxt/request_count")
            assert isinstance(waiting, Deferred)
            waiting.callback(parser)
        return await super().robot_parser(request)

    async def _fetch(self, origin: str, netloc: str) -> bytes | None:
        """Return the robots.txt to keep to for ``origin`` (None: no rules)."""
        robots_request = Request(
            f"{origin}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            meta={
                "dont_obey_robotstxt": True,
                "dont_retry": True,
                "download_timeout": self.timeout,
            },
            callback=NO_CALLBACK,
        )
        try:
            response = await self.crawler.engine.download_async(robots_request)
        except IgnoreRequest:
            return None
        except Exception as exc:
            kind = fetch_errors.error_kind(exc)
            if kind != fetch_errors.TIMEOUT:
                logger.info("%s/robots.txt: %s: no rules", origin, fetch_errors.describe(exc))
                return None
            return self._unavailable(origin, netloc, fetch_errors.describe(exc), kind)
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if 200 <= response.status < 300:
            self._save(origin, response.body)
            self.bodies[netloc] = response.body
            return response.body
        if response.status >= 500:
            return self._unavailable(origin, netloc, f"HTTP {response.status}")
        return None

    def _archive(self) -> Any:
        return getattr(self.crawler.spider, "archive", None)

    def _save(self, origin: str, body: bytes) -> None:
        archive = self._archive()
        if archive is None:
            return
        from parsers.exceptions import OpdcwatchError

        try:
            archive.save_robots(origin, body.decode("utf-8", "replace"))
        except OpdcwatchError as exc:  # the crawl goes on; next time it is saved again
            logger.warning("%s/robots.txt: not kept in the archive: %s", origin, exc)

    def _cached(self, origin: str) -> str | None:
        """The archive's last good robots.txt of ``origin``; None when it has none, or when
        it cannot be read (then, as with none, disallow all: the crawl goes on)."""
        archive = self._archive()
        if archive is None:
            return None
        from parsers.exceptions import OpdcwatchError

        try:
            cached: str | None = archive.cached_robots(origin)
        except OpdcwatchError as exc:
            logger.warning("%s/robots.txt: the last good one cannot be read: %s", origin, exc)
            return None
        return cached

    def _unavailable(
        self, origin: str, netloc: str, why: str, network_kind: str | None = None
    ) -> bytes:
        """The rules for a robots.txt that failed with 5xx or a timeout: the last good ones
        the archive holds, else disallow-all."""
        cached = self._cached(origin)
        keeping = "the last good robots.txt" if cached is not None else "nothing (disallow all)"
        spider: Any = self.crawler.spider
        if hasattr(spider, "note_robots_unavailable"):
            spider.note_robots_unavailable(origin, f"{why}; crawling by {keeping}", network_kind)
        logger.info("%s/robots.txt: %s: crawling by %s", origin, why, keeping)
        if cached is None:
            return DISALLOW_ALL
        self.bodies[netloc] = cached.encode("utf-8")
        return self.bodies[netloc]
