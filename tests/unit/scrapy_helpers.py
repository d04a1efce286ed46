"""Scrapy's own test helpers, set up for opdcwatch's components: no reactor, no subprocess.

A spider is built by :func:`scrapy.utils.test.get_crawler` with the project's settings, so
every component reads the settings it reads in a crawl; a response answers the request the
spider itself made, so its ``meta`` is what Scrapy would hand the callback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.profiles import SiteProfile, bundled_profiles
from crawler.spiders.site import SiteSpider

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UNIT = FIXTURES / "unit"
OPDC = bundled_profiles()["opdc-news"]
HTML = "text/html; charset=utf-8"


def fixture(name: str) -> bytes:
    """Return the bytes of a saved file under tests/fixtures/ (``unit/listing.html``...)."""
    return (FIXTURES / name).read_bytes()


def project_settings_dict(**overrides: Any) -> dict[str, Any]:
    """The project's settings module as a dict, with ``overrides`` laid over it."""
    values = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    return {**values, **overrides}


def make_spider(profile: SiteProfile = OPDC, archive: Any = None, **settings: Any) -> SiteSpider:
    """Return a spider of ``profile`` bound to a crawler (``crawler.spider`` set, as Scrapy
    sets it before it builds the middlewares and pipelines)."""
    crawler: Crawler = get_crawler(SiteSpider, project_settings_dict(**settings))
    spider = SiteSpider.from_crawler(crawler, profile=profile, archive=archive)
    crawler.spider = spider
    return spider


def answer(
    request: Request,
    body: bytes = b"",
    *,
    status: int = 200,
    content_type: str | None = HTML,
    headers: dict[str, str] | None = None,
    url: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Response:
    """Return the response to ``request`` (optionally from another ``url``, after redirects)."""
    if meta:
        request.meta.update(meta)
    all_headers = dict(headers or {})
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    kind = content_type.split(";")[0] if content_type else ""
    cls: type[Response] = (
        HtmlResponse
        if "html" in kind
        else XmlResponse
        if "xml" in kind
        else TextResponse
        if kind.startswith("text/")
        else Response
    )
    return cls(url or request.url, status=status, body=body, headers=all_headers, request=request)


def drain(results: Any) -> list[Any]:
    """What a callback yields; an async one (parse_article parses off the reactor thread)
    is run to its end, here without a reactor, so its parse runs inline."""
    if not hasattr(results, "__aiter__"):
        return list(results)

    async def collect() -> list[Any]:
        return [item async for item in results]

    return asyncio.run(collect())


def spin(reactor: Any, done: Callable[[], bool], timeout: float = 5.0) -> None:
    """Iterate a reactor that is not running (the ``reactor`` fixture) until ``done()``."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"the reactor did not get there in {timeout} s"
        reactor.iterate(0.01)
