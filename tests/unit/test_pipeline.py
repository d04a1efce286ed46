"""The archive pipeline: the archive it opens from OPDCWATCH_DB, each page, the run's end."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive import Archive, queries
from archive.schema import versions
from crawler.constants import STATS_PREFIX
from crawler.items import PageItem
from crawler.pipelines import ArchivePipeline
from crawler.spiders.site import SiteSpider
from tests.archive_helpers import ARTICLE_URL, page
from tests.unit.scrapy_helpers import answer, drain, make_spider


def _item(spider: SiteSpider, name: str, *, status: int = 200) -> PageItem:
    """The item the spider makes of the saved page ``name`` answered for ARTICLE_URL."""
    spider.run_state["done"].discard(ARTICLE_URL)
    spider.run_state["seen"].discard(ARTICLE_URL)
    request = spider.make_request(ARTICLE_URL, "article")
    assert request is not None
    body = b"" if status == 304 else page(name)
    items = [
        r
        for r in drain(spider.parse_article(answer(request, body, status=status)))
        if isinstance(r, PageItem)
    ]
    assert len(items) == 1
    return items[0]


@pytest.fixture
def opened(sqlite_url: str):
    """A spider whose pipeline opened the archive of OPDCWATCH_DB, with its run started."""
    spider = make_spider(OPDCWATCH_DB=sqlite_url, OPDCWATCH_WORKER="worker-7")
    pipeline = ArchivePipeline.from_crawler(spider.crawler)
    pipeline.open_spider()
    yield spider, pipeline
    if pipeline.own_archive is not None:
        pipeline.own_archive.close()


def counts(spider: SiteSpider) -> dict[str, int]:
    stats = spider.crawler.stats.get_stats()
    return {k.removeprefix(STATS_PREFIX): v for k, v in stats.items() if k.startswith(STATS_PREFIX)}


def test_the_archive_comes_from_the_setting_and_the_spider_reads_it_too(opened) -> None:
    spider, pipeline = opened
    assert isinstance(pipeline.own_archive, Archive)
    assert spider.archive is pipeline.own_archive  # revisits and conditional requests
    runs = queries.list_runs(pipeline.own_archive)
    assert [(r["site"], r["worker"], r["outcome"]) for r in runs] == [
        ("opdc-news", "worker-7", None)
    ]
    assert spider.run_id == pipeline.run_id == runs[0]["id"]


def test_a_spider_with_its_own_archive_keeps_it(sqlite_url: str) -> None:
    with Archive.open(sqlite_url) as arch:
        spider = make_spider(archive=arch, OPDCWATCH_DB="sqlite:////nonexistent/never.db")
        pipeline = ArchivePipeline.from_crawler(spider.crawler)
        assert pipeline.own_archive is None and spider.archive is arch


def test_pages_are_recorded_new_unchanged_changed_then_gone(opened) -> None:
    spider, pipeline = opened
    for name in ("opdc_v1.html", "opdc_v1.html", "opdc_v2_sentence.html"):
        pipeline.process_item(_item(spider, name))
    pipeline.process_item(_item(spider, "", status=304))
    pipeline.process_item(_item(spider, "opdc_404.html", status=404))
    assert {
        k: v
        for k, v in counts(spider).items()
        if k in ("new", "unchanged", "changed", "gone", "not_modified")
    } == {
        "new": 1,
        "unchanged": 2,
        "changed": 1,
        "gone": 1,
        "not_modified": 1,
    }
    with pipeline.archive.reading() as conn:
        numbers = conn.execute(select(versions.c.number).order_by(versions.c.id)).scalars().all()
    assert numbers == [1, 2]
    assert [e["kind"] for e in pipeline.events] == ["removed"]


def test_the_run_ends_with_its_counts_and_the_archive_is_closed(opened, sqlite_url: str) -> None:
    spider, pipeline = opened
    pipeline.process_item(_item(spider, "opdc_v1.html"))
    pipeline.spider_closed(spider, "finished")
    assert spider.result["outcome"] == "ok" and spider.result["counts"]["new"] == 1
    assert pipeline.own_archive is not None
    with Archive.open(sqlite_url) as arch:
        [run] = queries.list_runs(arch)
    assert (run["outcome"], run["new"], run["pages"]) == ("ok", 1, 1)


def test_a_crawl_stopped_by_the_user_is_interrupted(opened, sqlite_url: str) -> None:
    spider, pipeline = opened
    pipeline.spider_closed(spider, "shutdown")
    with Archive.open(sqlite_url) as arch:
        assert queries.list_runs(arch)[0]["outcome"] == "interrupted"


def test_an_archive_error_is_the_page_s_error_and_the_crawl_goes_on(opened) -> None:
    spider, pipeline = opened
    item = _item(spider, "opdc_v1.html")
    item.headers = {"Date": "x"}
    item.url = "not a url"
    assert pipeline.process_item(item) is item
    assert counts(spider).get("errors") == 1
    assert spider.errors[0].startswith("not a url: archive:")


def test_items_pass_through_without_an_archive() -> None:
    spider = make_spider()
    pipeline = ArchivePipeline.from_crawler(spider.crawler)
    pipeline.open_spider()
    item = PageItem(url=ARTICLE_URL, status=404)
    assert pipeline.process_item(item) is item and pipeline.run_id is None
    pipeline.spider_closed(spider, "finished")
    assert spider.result["run_id"] is None and spider.result["outcome"] == "ok"
