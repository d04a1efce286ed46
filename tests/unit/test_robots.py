"""robots.txt fetched once per host and read as RFC 9309 says when it fails (crawler.robots).

The engine is the one thing replaced: its ``download_async`` answers the middleware's robots.txt
request from a script (a saved robots.txt, a 404, a 503, a timeout) and counts the fetches.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.internet.error import DNSLookupError
from twisted.internet.error import TimeoutError as TxTimeoutError

from archive import Archive
from crawler import reasons
from crawler.middlewares import META_KIND
from crawler.robots import RobotsPolicyMiddleware
from tests.unit.scrapy_helpers import fixture, make_spider

ORIGIN = "https://www.opdc.go.th"
ARTICLE = f"{ORIGIN}/content/1299"


class ScriptedEngine:
    """Answers each robots.txt request with the next of ``answers`` (a status and body, or an
    exception to raise), and keeps the requests it was asked."""

    def __init__(self, *answers: tuple[int, bytes] | BaseException) -> None:
        self.answers = list(answers)
        self.requests: list[Request] = []

    async def download_async(self, request: Request) -> Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        status, body = answer
        return TextResponse(request.url, status=status, body=body, request=request)


def _middleware(
    *answers: tuple[int, bytes] | BaseException, archive: Any = None, **settings: Any
) -> tuple[RobotsPolicyMiddleware, ScriptedEngine, Any]:
    spider = make_spider(archive=archive, **settings)
    engine = ScriptedEngine(*answers)
    spider.crawler.engine = engine
    return RobotsPolicyMiddleware.from_crawler(spider.crawler), engine, spider


def _allowed(middleware: RobotsPolicyMiddleware, url: str) -> bool:
    try:  # bounded: a request left waiting for a robots.txt that never comes fails the test
        asyncio.run(asyncio.wait_for(middleware.process_request(Request(url)), 5))
    except IgnoreRequest:
        return False
    return True


def _sitemaps_body(middleware: RobotsPolicyMiddleware, origin: str = ORIGIN) -> bytes:
    """What the spider's own request for robots.txt is answered with."""
    request = Request(f"{origin}/robots.txt", meta={META_KIND: "robots"})
    response = asyncio.run(middleware.process_request(request))
    assert isinstance(response, TextResponse) and response.request is request
    return response.body


def test_rules_of_a_2xx_robots_txt_are_kept_to() -> None:
    middleware, _, spider = _middleware((200, fixture("unit/robots.txt")))
    assert _allowed(middleware, ARTICLE)
    assert not _allowed(middleware, f"{ORIGIN}/admin/login.php")
    assert spider.robots_unavailable == set()
    assert spider.crawler.stats.get_value("robotstxt/response_status_count/200") == 1


def test_the_robots_request_has_no_retries_and_its_own_short_timeout() -> None:
    middleware, engine, _ = _middleware(
        (200, b""), OPDCWATCH_ROBOTS_TIMEOUT=4.5, DOWNLOAD_TIMEOUT=30
    )
    _allowed(middleware, ARTICLE)
    (request,) = engine.requests
    assert request.url == f"{ORIGIN}/robots.txt"
    assert request.meta["dont_retry"] and request.meta["dont_obey_robotstxt"]
    assert request.meta["download_timeout"] == 4.5


def test_the_download_timeout_bounds_the_robots_timeout() -> None:
    middleware, _, _ = _middleware(OPDCWATCH_ROBOTS_TIMEOUT=10, DOWNLOAD_TIMEOUT=3)
    assert middleware.timeout == 3.0


def test_robots_txt_is_fetched_once_per_host() -> None:
    middleware, engine, spider = _middleware(
        (200, fixture("unit/robots.txt")), (404, b"<h1>Not Found</h1>")
    )
    assert _allowed(middleware, ARTICLE)
    assert _allowed(middleware, f"{ORIGIN}/content.php?menu_id=3")
    assert not _allowed(middleware, f"{ORIGIN}/admin/")
    # the spider's own request for robots.txt (its Sitemap lines) is answered from that fetch
    assert _sitemaps_body(middleware) == fixture("unit/robots.txt")
    assert _allowed(middleware, "https://www.ocsc.go.th/news/1")  # another host: its own fetch
    assert [r.url for r in engine.requests] == [
        f"{ORIGIN}/robots.txt",
        "https://www.ocsc.go.th/robots.txt",
    ]
    assert spider.crawler.stats.get_value("robotstxt/request_count") == 2


def test_requests_waiting_for_the_fetch_share_it() -> None:
    """Two pages of a host asked while its robots.txt is on its way: one fetch, both decided."""

    class SlowEngine(ScriptedEngine):
        async def download_async(self, request: Request) -> Response:
            await asyncio.sleep(0)  # the second page is asked meanwhile
            return await super().download_async(request)

    spider = make_spider()
    engine = SlowEngine((200, fixture("unit/robots.txt")))
    spider.crawler.engine = engine
    middleware = RobotsPolicyMiddleware.from_crawler(spider.crawler)

    async def both() -> list[Any]:
        pages = (ARTICLE, f"{ORIGIN}/admin/")
        asked = [middleware.process_request(Request(url)) for url in pages]
        return await asyncio.gather(*asked, return_exceptions=True)

    allowed, refused = asyncio.run(both())
    assert allowed is None and isinstance(refused, IgnoreRequest)
    assert [r.url for r in engine.requests] == [f"{ORIGIN}/robots.txt"]


def test_a_4xx_robots_txt_allows_everything() -> None:
    middleware, _, spider = _middleware((404, b"<h1>Not Found</h1>"))
    assert _allowed(middleware, f"{ORIGIN}/admin/")
    assert spider.robots_unavailable == set()
    with pytest.raises(IgnoreRequest):  # no robots.txt: no Sitemap lines to read
        _sitemaps_body(middleware)


def test_a_5xx_robots_txt_disallows_everything_and_is_counted() -> None:
    middleware, _, spider = _middleware((503, b"<h1>503 Service Unavailable</h1>"))
    assert not _allowed(middleware, ARTICLE)
    assert not _allowed(middleware, f"{ORIGIN}/")
    assert spider.robots_unavailable == {ORIGIN}
    assert spider.reasons[reasons.ROBOTS_UNAVAILABLE] == 1
    assert sum(spider.network_errors.values()) == 0  # it answered: not a network error
    with pytest.raises(IgnoreRequest):  # nothing good to read Sitemap lines from
        _sitemaps_body(middleware)


def test_a_timeout_disallows_everything_and_counts_a_network_error() -> None:
    middleware, _, spider = _middleware(TxTimeoutError("robots.txt took longer than 10 s"))
    assert not _allowed(middleware, ARTICLE)
    assert spider.robots_unavailable == {ORIGIN}
    assert sum(spider.network_errors.values()) == 1


def test_no_connection_at_all_means_no_rules() -> None:
    """DNS, refused, TLS: the pages' own requests fail and name the site unreachable."""
    middleware, _, spider = _middleware(DNSLookupError("www.opdc.go.th"))
    assert _allowed(middleware, f"{ORIGIN}/admin/")
    assert spider.robots_unavailable == set()


def test_an_ignored_robots_request_means_no_rules() -> None:
    middleware, _, _ = _middleware(IgnoreRequest("offsite"))
    assert _allowed(middleware, f"{ORIGIN}/admin/")


def test_a_good_robots_txt_is_kept_and_used_when_the_server_fails_later(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="crawler.robots")
    last_good = fixture("unit/robots_last_good.txt")
    with Archive.open(sqlite_url) as arch:
        first, _, _ = _middleware((200, last_good), archive=arch)
        assert _allowed(first, ARTICLE)
        assert arch.cached_robots(ORIGIN) == last_good.decode()
        # the next crawl: the server answers 500, the archive's last good rules hold
        middleware, _, spider = _middleware((500, b"Internal Server Error"), archive=arch)
        assert _allowed(middleware, ARTICLE)
        assert not _allowed(middleware, f"{ORIGIN}/intranet/staff.php")
        assert _allowed(middleware, f"{ORIGIN}/admin/")  # the old rules, not today's fixture
        assert _sitemaps_body(middleware) == last_good
        assert spider.robots_unavailable == {ORIGIN}
        assert spider.reasons[reasons.ROBOTS_UNAVAILABLE] == 1
    assert "HTTP 500: crawling by the last good robots.txt" in caplog.text


def test_a_5xx_with_an_archive_that_never_saw_the_host_disallows_all(sqlite_url: str) -> None:
    with Archive.open(sqlite_url) as arch:
        arch.save_robots("https://www.ocsc.go.th", "User-agent: *\nDisallow:\n")
        middleware, _, _ = _middleware((502, b"Bad Gateway"), archive=arch)
        assert not _allowed(middleware, ARTICLE)


def test_an_archive_that_cannot_keep_the_rules_does_not_stop_the_crawl(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "opdcwatch.db"
    Archive.open(f"sqlite:///{db}").close()
    with Archive.open(f"sqlite:///file:{db}?mode=ro&uri=true") as read_only:
        middleware, _, _ = _middleware((200, fixture("unit/robots.txt")), archive=read_only)
        assert _allowed(middleware, ARTICLE)
        assert not _allowed(middleware, f"{ORIGIN}/admin/")
    assert "robots.txt: not kept in the archive: cannot write the archive" in caplog.text


def test_an_archive_that_cannot_be_read_at_a_5xx_means_disallow_all(tmp_path: Path) -> None:
    """RFC 9309: unreachable and no last good copy to keep to. The host's requests are all
    decided (none left waiting for ever), and the crawl goes on."""
    db = tmp_path / "opdcwatch.db"
    with Archive.open(f"sqlite:///{db}") as damaged:
        damaged.save_robots(ORIGIN, fixture("unit/robots_last_good.txt").decode())
        damaged.engine.dispose()
        db.write_bytes(fixture("unit/robots.txt") * 100)  # no longer a database
        middleware, _, spider = _middleware((503, b"Service Unavailable"), archive=damaged)
        assert not _allowed(middleware, ARTICLE)
        assert not _allowed(middleware, f"{ORIGIN}/news.php")
        assert spider.robots_unavailable == {ORIGIN}


def test_an_unexpected_failure_keeps_out_of_the_host_and_leaves_no_request_waiting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatever goes wrong while robots.txt is read, every page of the host is decided."""

    class SlowEngine(ScriptedEngine):
        async def download_async(self, request: Request) -> Response:
            await asyncio.sleep(0)  # the second page is asked meanwhile
            return await super().download_async(request)

    def broken_save(origin: str, body: bytes) -> None:
        raise RuntimeError("a bug while keeping the rules")

    spider = make_spider()
    spider.crawler.engine = SlowEngine((200, fixture("unit/robots.txt")))
    middleware = RobotsPolicyMiddleware.from_crawler(spider.crawler)
    middleware._save = broken_save  # type: ignore[method-assign]

    async def both() -> list[Any]:
        asked = [middleware.process_request(Request(u)) for u in (ARTICLE, f"{ORIGIN}/news.php")]
        return await asyncio.wait_for(asyncio.gather(*asked, return_exceptions=True), 5)

    first, second = asyncio.run(both())
    assert isinstance(first, IgnoreRequest) and isinstance(second, IgnoreRequest)
    assert "robots.txt: not read; nothing of it crawled" in caplog.text
