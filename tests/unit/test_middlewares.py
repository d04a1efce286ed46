"""The downloader middlewares, built by from_crawler from the project's settings."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.exceptions import NotConfigured
from twisted.internet.error import TimeoutError as TxTimeoutError

from archive import Archive
from crawler.constants import STATS_PREFIX
from crawler.middlewares import BackoffRetryMiddleware, ConditionalRequestMiddleware
from tests.archive_helpers import ARTICLE_URL, record
from tests.unit.scrapy_helpers import answer, make_spider


def test_conditional_requests_can_be_switched_off() -> None:
    spider = make_spider(OPDCWATCH_CONDITIONAL=False)
    with pytest.raises(NotConfigured):
        ConditionalRequestMiddleware.from_crawler(spider.crawler)


def test_a_known_article_is_asked_if_it_changed(sqlite_url: str) -> None:
    etag = {"ETag": '"5f3a-1200"', "Last-Modified": "Mon, 21 Sep 2020 03:30:00 GMT"}
    with Archive.open(sqlite_url) as arch:
        record(arch, "opdc_v1.html", 0, headers=etag, site="opdc-news")
        spider = make_spider(archive=arch)
        middleware = ConditionalRequestMiddleware.from_crawler(spider.crawler)
        known = spider.make_request(ARTICLE_URL, "article")
        fresh = spider.make_request("https://www.opdc.go.th/content/1300", "article")
        listing = spider.make_request("https://www.opdc.go.th/content.php?menu_id=3", "listing")
        for request in (known, fresh, listing):
            assert request is not None
            assert middleware.process_request(request) is None
    assert known.headers[b"If-None-Match"] == b'"5f3a-1200"'
    assert known.headers[b"If-Modified-Since"] == b"Mon, 21 Sep 2020 03:30:00 GMT"
    assert b"If-None-Match" not in fresh.headers and b"If-None-Match" not in listing.headers
    stats = spider.crawler.stats
    assert stats.get_value(f"{STATS_PREFIX}conditional_requests") == 1


def test_without_an_archive_requests_go_out_unchanged() -> None:
    spider = make_spider()
    middleware = ConditionalRequestMiddleware.from_crawler(spider.crawler)
    request = spider.make_request(ARTICLE_URL, "article")
    assert request is not None
    middleware.process_request(request)
    assert b"If-None-Match" not in request.headers


def _retrying(**settings: object) -> tuple[BackoffRetryMiddleware, object]:
    spider = make_spider(
        OPDCWATCH_RETRY_BACKOFF_BASE=0.0, OPDCWATCH_RETRY_BACKOFF_MAX=0.0, **settings
    )
    return BackoffRetryMiddleware.from_crawler(spider.crawler), spider


def test_the_backoff_comes_from_the_settings() -> None:
    spider = make_spider(OPDCWATCH_RETRY_BACKOFF_BASE=3.5, OPDCWATCH_RETRY_BACKOFF_MAX=90)
    middleware = BackoffRetryMiddleware.from_crawler(spider.crawler)
    assert (middleware.backoff_base, middleware.backoff_max) == (3.5, 90.0)


def test_a_server_error_is_retried_then_given_up() -> None:
    middleware, spider = _retrying(RETRY_TIMES=1)
    request = spider.make_request(ARTICLE_URL, "article")
    assert request is not None
    busy = answer(request, b"<h1>503 Service Unavailable</h1>", status=503)
    retry = asyncio.run(middleware.process_response(request, busy))
    assert retry is not request and retry.url == request.url
    assert retry.meta["retry_times"] == 1 and retry.dont_filter
    again = answer(retry, b"<h1>503 Service Unavailable</h1>", status=503)
    assert asyncio.run(middleware.process_response(retry, again)) is again  # given up


def test_a_good_answer_passes_through() -> None:
    middleware, spider = _retrying()
    request = spider.make_request(ARTICLE_URL, "article")
    assert request is not None
    ok = answer(request, b"<html><body>ok</body></html>")
    assert asyncio.run(middleware.process_response(request, ok)) is ok


def test_a_timeout_is_retried() -> None:
    middleware, spider = _retrying()
    request = spider.make_request(ARTICLE_URL, "article")
    assert request is not None
    retry = asyncio.run(middleware.process_exception(request, TxTimeoutError()))
    assert retry is not None and retry.meta["retry_times"] == 1


def test_a_retry_after_of_stray_bytes_is_no_retry_after() -> None:
    """``Retry-After: ²`` (the byte 0xB2, read as Latin-1) is not a number of seconds: the 503
    is retried with the ordinary backoff, not turned into an error by ``float("²")``."""
    middleware, spider = _retrying(RETRY_TIMES=1)
    request = spider.make_request(ARTICLE_URL, "article")
    assert request is not None
    for header in ("\xb2", "\xb9\xb3"):
        busy = answer(request, b"<h1>503 Service Unavailable</h1>", status=503)
        busy.headers["Retry-After"] = header.encode("latin-1")
        retry = asyncio.run(middleware.process_response(request, busy))
        assert retry is not request and retry.meta["retry_times"] == 1
