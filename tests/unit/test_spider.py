"""The spider's callbacks on saved pages: what each answer yields, counts and remembers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError
from twisted.python.failure import Failure

from archive import Archive
from crawler.constants import STATS_PREFIX
from crawler.items import PageItem
from crawler.middlewares import META_KIND, META_URL
from crawler.spiders.site import META_REVISIT, META_START, KnownState, SiteSpider
from tests.archive_helpers import ARTICLE_URL, page, record
from tests.unit.scrapy_helpers import OPDC, answer, drain, fixture, make_spider

LISTING_URL = "https://www.opdc.go.th/content.php?menu_id=3"


def stat(spider: SiteSpider, key: str) -> int:
    return spider.crawler.stats.get_value(f"{STATS_PREFIX}{key}", 0)


def requests(results: Any) -> list[Request]:
    found = drain(results)
    assert all(isinstance(r, Request) for r in found), found
    return found  # type: ignore[return-value]


def first_request(spider: SiteSpider, url: str, kind: str, **flags: bool) -> Request:
    request = spider.make_request(url, kind, **flags)
    assert request is not None
    return request


# --- start ---------------------------------------------------------------------------------


def test_start_requests_follow_the_profile_feeds_sitemaps_robots_then_start_pages() -> None:
    spider = make_spider()
    started = list(spider.start_requests())
    kinds = [(r.meta[META_KIND], r.url) for r in started]
    feeds = [("feed", f"https://www.opdc.go.th/_rss.php?cat={cat}") for cat in "DMV"]
    assert kinds == [
        *feeds,
        ("sitemap", "https://www.opdc.go.th/sitemap.xml"),
        ("robots", "https://www.opdc.go.th/robots.txt"),
        ("listing", "https://www.opdc.go.th/"),
        ("listing", LISTING_URL),
    ]
    assert [r.meta.get(META_START, False) for r in started] == [*[True] * 4, False, True, True]
    assert spider.starts["issued"] == 6  # robots.txt is not a start: a site may have none
    assert [r.priority for r in started[:5]] == [10] * 5 and started[-1].priority == 0
    assert all(r.errback == spider.on_error for r in started)


def test_robots_sitemaps_can_be_switched_off() -> None:
    spider = make_spider(OPDCWATCH_ROBOTS_SITEMAPS=False)
    assert "robots" not in {r.meta[META_KIND] for r in spider.start_requests()}


def test_a_resumed_crawl_reissues_the_requests_that_were_in_flight() -> None:
    spider = make_spider()
    spider.state = {"seen": {f"{ARTICLE_URL}", LISTING_URL}, "done": {LISTING_URL}, "issued": 2}
    started = list(spider.start_requests())
    assert [r.url for r in started if r.url == ARTICLE_URL] == [ARTICLE_URL]
    again = next(r for r in started if r.url == ARTICLE_URL)
    assert again.dont_filter and again.meta[META_KIND] == "article"


def test_known_articles_are_revisited_after_discovery(sqlite_url: str) -> None:
    with Archive.open(sqlite_url) as arch:
        record(arch, "opdc_v1.html", 0, site="opdc-news")
        spider = make_spider(archive=arch)
        started = list(spider.start_requests())
    revisits = [r for r in started if r.meta.get(META_REVISIT)]
    assert [r.url for r in revisits] == [ARTICLE_URL]
    assert revisits[0].priority < min(r.priority for r in started if r not in revisits)
    assert spider.revisit_plan.known == 1 and stat(spider, "revisits") == 1
    assert not spider.wants(ARTICLE_URL)  # known and present: only the revisit plan fetches it


# --- make_request --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind", "why"),
    [
        ("mailto:saraban@opdc.go.th", "article", "not http"),
        ("https://www.thaigov.go.th/news/1", "article", "offsite"),
        ("https://www.opdc.go.th/files/report2551.PDF", "article", "binary"),
    ],
)
def test_requests_that_are_never_made(url: str, kind: str, why: str) -> None:
    spider = make_spider()
    assert spider.make_request(url, kind) is None, why
    assert stat(spider, "offsite") == (1 if why == "offsite" else 0)


def test_a_url_is_requested_once_and_max_pages_caps_the_crawl() -> None:
    spider = make_spider(dataclasses.replace(OPDC, max_pages=2))
    tracked = "https://www.opdc.go.th/content.php?content_id=1&utm_source=line"
    assert first_request(spider, tracked, "article").url.endswith("content_id=1")
    assert spider.make_request("https://www.opdc.go.th/content.php?content_id=1", "article") is None
    first_request(spider, "https://www.opdc.go.th/content.php?content_id=2", "article")
    assert spider.make_request("https://www.opdc.go.th/content.php?content_id=3", "article") is None
    forced = spider.make_request(
        "https://www.opdc.go.th/content.php?content_id=1", "article", force=True
    )
    assert forced is not None and forced.dont_filter


# --- listings ------------------------------------------------------------------------------


def test_a_listing_yields_its_articles_and_its_next_pages() -> None:
    spider = make_spider()
    request = first_request(spider, LISTING_URL, "listing", start=True)
    found = requests(spider.parse_listing(answer(request, fixture("unit/opdc_listing.html"))))
    by_kind = {(r.meta[META_KIND], r.url) for r in found}
    assert by_kind == {
        ("article", "https://www.opdc.go.th/content.php?content_id=4711"),
        ("article", "https://www.opdc.go.th/content.php?content_id=4712"),  # tracking dropped
        ("article", "https://www.opdc.go.th/page.php?cat=7&id=88"),
        ("listing", "https://www.opdc.go.th/content.php?menu_id=3&page=2"),
        ("listing", "https://www.opdc.go.th/content.php?menu_id=3&page=3"),
    }
    assert all(r.priority > 0 for r in found if r.meta[META_KIND] == "article")
    assert spider.starts["ok"] == 1 and stat(spider, "pages") == 1


def test_a_listing_with_nothing_new_is_a_dead_end() -> None:
    spider = make_spider()
    spider.known = {
        url: KnownState(False, datetime(2024, 1, 1, tzinfo=UTC))
        for url in (
            "https://www.opdc.go.th/content.php?content_id=4711",
            "https://www.opdc.go.th/content.php?content_id=4712",
            "https://www.opdc.go.th/page.php?cat=7&id=88",
        )
    }
    request = first_request(spider, LISTING_URL, "listing")
    assert list(spider.parse_listing(answer(request, fixture("unit/opdc_listing.html")))) == []
    assert stat(spider, "dead_end_listings") == 1


def test_a_listing_answered_twice_is_handled_once() -> None:
    spider = make_spider()
    request = first_request(spider, LISTING_URL, "listing")
    body = fixture("unit/opdc_listing.html")
    assert list(spider.parse_listing(answer(request, body)))
    assert list(spider.parse_listing(answer(request, body))) == []
    assert stat(spider, "pages") == 1


def test_a_failed_start_listing_fails_the_crawl_when_every_start_did() -> None:
    spider = make_spider()
    request = first_request(spider, LISTING_URL, "listing", start=True)
    assert list(spider.parse_listing(answer(request, b"<h1>503</h1>", status=503))) == []
    assert (
        spider.start_failure()
        == f"every start request failed: {LISTING_URL}: listing answered HTTP 503"
    )
    assert spider.errors == [f"{LISTING_URL}: listing answered HTTP 503"]


def test_a_listing_that_is_not_html_is_skipped() -> None:
    spider = make_spider()
    request = first_request(spider, LISTING_URL, "listing")
    pdf = answer(request, fixture("unit/report.pdf"), content_type="application/pdf")
    assert list(spider.parse_listing(pdf)) == []
    assert stat(spider, "skipped") == 1


# --- articles ------------------------------------------------------------------------------


def test_an_article_becomes_an_item_with_its_parsed_article_and_links() -> None:
    spider = make_spider()
    request = first_request(spider, ARTICLE_URL, "article")
    response = answer(request, page("opdc_v1.html"), headers={"ETag": '"v1"'})
    results = drain(spider.parse_article(response))
    items = [r for r in results if isinstance(r, PageItem)]
    assert len(items) == 1
    item = items[0]
    assert (item.url, item.status, item.not_modified) == (ARTICLE_URL, 200, False)
    assert item.article is not None and item.article.title
    assert "สำนักงาน" in item.article.text
    assert item.headers["Etag"] == '"v1"'
    assert item.body == page("opdc_v1.html")
    assert all(isinstance(r, Request) for r in results if r is not item)


def test_a_revisit_checks_the_article_and_follows_nothing() -> None:
    spider = make_spider()
    request = first_request(
        spider, "https://www.opdc.go.th/content/MTIzNA", "article", revisit=True
    )
    results = drain(spider.parse_article(answer(request, fixture("pages/opdc_new_utf8.html"))))
    assert [type(r) for r in results] == [PageItem]


def test_an_article_page_links_to_more_articles() -> None:
    spider = make_spider()
    request = first_request(spider, "https://www.opdc.go.th/content/MTIzNA", "article")
    results = drain(spider.parse_article(answer(request, fixture("pages/opdc_new_utf8.html"))))
    linked = {r.url for r in results if isinstance(r, Request)}
    assert {"https://www.opdc.go.th/news/91", "https://www.opdc.go.th/news/92"} <= linked
    assert all(r.meta[META_KIND] == "article" for r in results if isinstance(r, Request))


@pytest.mark.parametrize(("status", "not_modified"), [(304, True), (404, False), (410, False)])
def test_not_modified_and_gone_answers_are_items_without_a_body(
    status: int, not_modified: bool
) -> None:
    spider = make_spider()
    request = first_request(spider, ARTICLE_URL, "article")
    body = b"" if status == 304 else page("opdc_404.html")
    [item] = drain(spider.parse_article(answer(request, body, status=status)))
    assert isinstance(item, PageItem)
    assert (item.status, item.not_modified, item.article, item.body) == (
        status,
        not_modified,
        None,
        b"",
    )


def test_an_article_redirected_to_the_home_page_is_gone() -> None:
    spider = make_spider()
    request = first_request(spider, ARTICLE_URL, "article")
    meta = {"redirect_urls": [ARTICLE_URL], "redirect_reasons": [301]}
    response = answer(
        request, fixture("unit/opdc_listing.html"), url="https://www.opdc.go.th/", meta=meta
    )
    [item] = drain(spider.parse_article(response))
    assert isinstance(item, PageItem)
    assert (item.url, item.status, item.headers) == (
        ARTICLE_URL,
        301,
        {"Location": "https://www.opdc.go.th/"},
    )


def test_an_article_moved_to_another_article_is_read_there() -> None:
    spider = make_spider()
    request = first_request(spider, ARTICLE_URL, "article")
    moved = "https://www.opdc.go.th/content/1201"
    meta = {"redirect_urls": [ARTICLE_URL], "redirect_reasons": [301]}
    results = drain(
        spider.parse_article(answer(request, page("opdc_v1.html"), url=moved, meta=meta))
    )
    assert [r.status for r in results if isinstance(r, PageItem)] == [200]


def test_a_canonical_elsewhere_is_fetched_instead() -> None:
    spider = make_spider()
    url = "https://www.opdc.go.th/content/1200?print=1"
    request = first_request(spider, url, "article")
    body = page("opdc_v1.html").replace(
        b"</head>", b'<link rel="canonical" href="https://www.opdc.go.th/content/1200"></head>', 1
    )
    [follow] = requests(spider.parse_article(answer(request, body)))
    assert follow.url == ARTICLE_URL and follow.meta.get("opdcwatch_via_canonical")
    assert stat(spider, "canonical_redirects") == 1


def test_an_article_without_the_profile_keywords_is_filtered() -> None:
    spider = make_spider(dataclasses.replace(OPDC, keywords=("ภาษีที่ดินและสิ่งปลูกสร้าง",)))
    request = first_request(spider, ARTICLE_URL, "article")
    results = drain(spider.parse_article(answer(request, page("opdc_v1.html"))))
    assert not any(isinstance(r, PageItem) for r in results)
    assert stat(spider, "filtered") == 1


def test_a_pdf_served_as_an_article_is_skipped() -> None:
    spider = make_spider()
    request = first_request(spider, ARTICLE_URL, "article")
    pdf = answer(request, fixture("unit/report.pdf"), content_type="application/pdf")
    assert drain(spider.parse_article(pdf)) == []
    assert stat(spider, "skipped") == 1


def test_a_binary_body_labelled_html_is_skipped_not_an_error() -> None:
    spider = make_spider()
    request = first_request(spider, ARTICLE_URL, "article")
    assert drain(spider.parse_article(answer(request, fixture("unit/report.pdf")))) == []
    assert stat(spider, "skipped") == 1 and spider.errors == []


def test_an_empty_page_is_an_error_of_that_page() -> None:
    spider = make_spider()
    request = first_request(spider, ARTICLE_URL, "article")
    assert drain(spider.parse_article(answer(request, b"   \n"))) == []
    assert stat(spider, "errors") == 1
    assert spider.errors[0].startswith(f"{ARTICLE_URL}: cannot parse:")


# --- feeds, sitemaps, robots ---------------------------------------------------------------


def test_an_atom_feed_yields_its_articles() -> None:
    spider = make_spider()
    request = first_request(spider, "https://www.opdc.go.th/atom.xml", "feed", start=True)
    feed = answer(request, fixture("crawler/feeds/atom.xml"), content_type="application/atom+xml")
    urls = {r.url for r in requests(spider.parse_feed(feed))}
    assert {
        "https://www.opdc.go.th/content/MTIzNA",
        "https://www.opdc.go.th/content/MTIzNQ",
    } <= urls


def test_a_feed_url_serving_a_page_is_read_as_a_listing() -> None:
    spider = make_spider()
    request = first_request(spider, "https://www.opdc.go.th/rss.xml", "feed")
    found = requests(spider.parse_feed(answer(request, fixture("unit/opdc_listing.html"))))
    assert "listing" in {r.meta[META_KIND] for r in found}


def test_a_feed_that_fails_or_is_no_feed_yields_nothing() -> None:
    spider = make_spider()
    request = first_request(spider, "https://www.opdc.go.th/rss.xml", "feed", start=True)
    assert list(spider.parse_feed(answer(request, b"", status=404))) == []
    other = first_request(spider, "https://www.opdc.go.th/feed.json", "feed")
    assert list(spider.parse_feed(answer(other, b"{}", content_type="application/json"))) == []
    assert stat(spider, "skipped") == 1 and stat(spider, "errors") == 1


def test_a_sitemap_yields_articles_and_listings_of_the_profile() -> None:
    spider = make_spider()
    request = first_request(spider, "https://www.opdc.go.th/sitemap.xml", "sitemap")
    xml = answer(request, fixture("unit/sitemap.xml"), content_type="application/xml")
    found = {(r.meta[META_KIND], r.url) for r in requests(spider.parse_sitemap(xml))}
    assert found == {
        ("article", "https://www.opdc.go.th/content.php?content_id=5001"),
        ("article", "https://www.opdc.go.th/news/812"),
        ("listing", "https://www.opdc.go.th/content.php?menu_id=3"),
    }


def test_a_gzipped_sitemap_skips_known_articles_unless_lastmod_is_newer() -> None:
    spider = make_spider()
    checked = datetime(2024, 3, 12, tzinfo=UTC)
    spider.known = {
        "https://www.opdc.go.th/content.php?content_id=5001": KnownState(False, checked),
        "https://www.opdc.go.th/news/812": KnownState(False, checked),
    }
    url = "https://www.opdc.go.th/sitemap-news-2567.xml.gz"
    request = first_request(spider, url, "sitemap")
    gz = answer(
        request, fixture("unit/sitemap-news-2567.xml.gz"), content_type="application/x-gzip"
    )
    urls = {r.url for r in requests(spider.parse_sitemap(gz))}
    assert "https://www.opdc.go.th/content.php?content_id=5001" in urls  # lastmod 14 March
    assert "https://www.opdc.go.th/news/812" not in urls  # lastmod 10 March: checked since


def test_a_sitemap_index_yields_sitemaps() -> None:
    spider = make_spider()
    request = first_request(spider, "https://www.opdc.go.th/sitemap_index.xml", "sitemap")
    xml = answer(request, fixture("unit/sitemap_index.xml"), content_type="application/xml")
    found = requests(spider.parse_sitemap(xml))
    assert [(r.meta[META_KIND], r.url) for r in found] == [
        ("sitemap", "https://www.opdc.go.th/sitemap-news-2567.xml.gz"),
        ("sitemap", "https://www.opdc.go.th/sitemap-pages.xml"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"\x1f\x8b\x08\x00truncated", "bad gzip sitemap"), (b"", "not a sitemap")],
)
def test_a_broken_sitemap_is_an_error(body: bytes, message: str) -> None:
    spider = make_spider()
    request = first_request(spider, "https://www.opdc.go.th/sitemap.xml", "sitemap", start=True)
    assert list(spider.parse_sitemap(answer(request, body, content_type="application/xml"))) == []
    assert message in spider.errors[0]
    gone = first_request(spider, "https://www.opdc.go.th/sitemap2.xml", "sitemap")
    assert list(spider.parse_sitemap(answer(gone, b"", status=404))) == []


def test_robots_txt_names_the_sitemaps() -> None:
    spider = make_spider()
    request = first_request(spider, "https://www.opdc.go.th/robots.txt", "robots")
    robots = answer(request, fixture("unit/robots.txt"), content_type="text/plain")
    assert [r.url for r in requests(spider.parse_robots(robots))] == [
        "https://www.opdc.go.th/sitemap_index.xml",
        "https://www.opdc.go.th/sitemap-news-2567.xml.gz",
    ]


# --- failures ------------------------------------------------------------------------------


def _failure(exc: Exception, request: Request) -> Failure:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]  # what Scrapy's errback gets
    return failure


def test_a_site_that_never_answers_is_unreachable_and_says_why() -> None:
    spider = make_spider()
    *others, last = list(spider.start_requests())
    for request in others:
        spider.on_error(_failure(DNSLookupError("www.opdc.go.th"), request))
    with pytest.raises(CloseSpider) as closed:  # no use waiting for the rest
        spider.on_error(_failure(DNSLookupError("www.opdc.go.th"), last))
    assert closed.value.reason == "unreachable"
    assert spider.unreachable() == "DNS"
    assert spider.start_failure() is not None
    assert spider.start_failure().startswith("every start request failed: https://www.opdc.go.th/")
    assert stat(spider, "errors") == 6  # robots.txt failing is not an error


def test_an_http_error_counts_for_its_page_not_the_network() -> None:
    spider = make_spider()
    request = first_request(spider, ARTICLE_URL, "article")
    response: Response = answer(request, b"", status=500)
    spider.on_error(_failure(HttpError(response), request))
    refused = first_request(spider, "https://www.opdc.go.th/content/1201", "article")
    spider.on_error(_failure(ConnectionRefusedError(), refused))
    assert spider.errors[0] == f"{ARTICLE_URL}: HTTP 500"
    assert spider.network_errors == {"refused": 1}
    assert spider.start_failure() is None


def test_a_request_robots_txt_forbids_is_skipped() -> None:
    spider = make_spider()
    request = first_request(spider, ARTICLE_URL, "article")
    spider.on_error(_failure(IgnoreRequest("Forbidden by robots.txt"), request))
    assert stat(spider, "skipped") == 1 and spider.errors == []
    assert request.meta[META_URL] in spider.run_state["done"]


def test_errors_kept_with_the_run_are_capped() -> None:
    spider = make_spider(OPDCWATCH_MAX_ERRORS_KEPT=2)
    for n in range(5):
        spider.note_error(f"https://www.opdc.go.th/content/{n}", "cannot parse: empty")
    assert len(spider.errors) == 2 and stat(spider, "errors") == 5
