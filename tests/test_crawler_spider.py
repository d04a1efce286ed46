"""The generic spider's other ways in: feeds, and the sitemaps robots.txt names."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse

from archive import Archive
from archive.queries import list_articles
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.profile import write_replica_profile
from crawler.demo.styles import make_style
from crawler.profiles import parse_profile
from crawler.runner import run_crawl_subprocess
from crawler.spiders.site import SiteSpider


@pytest.fixture
def replica():
    with ReplicaServer(ReplicaSite(10, slow_seconds=0.2)) as server:
        yield server


def crawl_with(tmp_path: Path, replica, fixtures_dir: Path, template: str, name: str):
    profile = write_replica_profile(tmp_path, replica.base_url, fixtures_dir / "crawler" / template)
    db = f"sqlite:///{tmp_path / 'a.db'}"
    summary = run_crawl_subprocess([name], profile_files=[profile], db_url=db, timeout=120)
    urls = {a["url"] for a in list_articles(Archive.open(db))}
    return summary.sites[0], urls


def test_feed_items_are_crawled_as_articles(tmp_path, replica, fixtures_dir):
    result, urls = crawl_with(tmp_path, replica, fixtures_dir, "replica-feed.toml", "replica-feed")
    base = replica.base_url.rstrip("/")
    newest = [base + a.path for a in replica.site.articles()[:5]]
    assert result.outcome == "ok"
    assert set(newest) <= urls  # the feed lists the five newest ...
    assert urls <= {base + a.path for a in replica.site.opdc_articles()}  # ... they link others
    hits = replica.site.stats()["hits"]
    assert "/rss.xml" in hits and not [p for p in hits if p.startswith("/news.php")]


def test_sitemap_named_in_robots_txt_finds_every_article(tmp_path, replica, fixtures_dir):
    result, urls = crawl_with(
        tmp_path, replica, fixtures_dir, "replica-robots-sitemap.toml", "replica-sitemap"
    )
    base = replica.base_url.rstrip("/")
    assert urls == {base + a.path for a in replica.site.opdc_articles()}
    assert result.counts["new"] == 10 and result.counts["filtered"] == 2
    assert replica.site.stats()["hits"]["/sitemap.xml"] == 1


def test_a_list_whose_first_page_the_feed_gave_is_still_walked(tmp_path, fixtures_dir):
    """The feed carries the latest 15; the blog's page 1 shows those 15, pages 2 and 3 the
    older 25 (a WordPress-style replica: its sidebar shows the latest 5, from the feed too;
    its articles link no older ones).

    Page 1 brings no article this run had not seen, yet the first crawl must reach page 3.
    """
    style = make_style("wordpress", sitemap=False, per_page=15)
    site = ReplicaSite(40, per_page=15, feed_items=15, specials=False, style=style, related_links=0)
    with ReplicaServer(site) as server:
        result, urls = crawl_with(
            tmp_path, server, fixtures_dir, "replica-feed-and-list.toml", "replica-feed-list"
        )
        hits = site.stats()["hits"]
    base = server.base_url.rstrip("/")
    assert result.outcome == "ok"
    assert urls == {base + a.path for a in site.articles()}  # 42: the off-topic two as well
    assert {"/page/2/", "/page/3/"} <= set(hits)


def _page(url: str, body: bytes) -> HtmlResponse:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    return HtmlResponse(url, body=body, headers=headers, request=Request(url))


def _spider_after_feed(fixtures_dir: Path, base: str, feed: bytes) -> SiteSpider:
    """A spider of the feed-and-list profile that has read ``feed`` (in a crawl the feed,
    of higher priority, is read before the list)."""
    from scrapy.utils.test import get_crawler

    text = (fixtures_dir / "crawler" / "replica-feed-and-list.toml").read_text(encoding="utf-8")
    profile = parse_profile(text.replace("${base}", base), "feed-and-list")
    spider = SiteSpider.from_crawler(get_crawler(SiteSpider), profile=profile)
    feed_response = XmlResponse(
        base + "feed/",
        body=feed,
        headers={"Content-Type": "text/xml"},
        request=Request(base + "feed/"),
    )
    list(spider.parse_feed(feed_response))
    return spider


def test_a_listing_the_feed_already_gave_still_leads_on(fixtures_dir):
    """Deterministic: the feed's 15 articles are all this run has seen when list page 1 (the
    same 15) is read; its next page is requested, and page 2, all new, leads on too."""
    style = make_style("wordpress", sitemap=False, per_page=15)
    site = ReplicaSite(40, per_page=15, feed_items=15, specials=False, style=style, related_links=0)
    with ReplicaServer(site) as server:
        base = server.base_url
        feed, home, page2 = (
            urllib.request.urlopen(base + path, timeout=10).read()
            for path in ("feed/", "", "page/2/")
        )
    spider = _spider_after_feed(fixtures_dir, base, feed)
    assert len(spider.run_state["seen"]) == 15
    requested = [r.url for r in spider.parse_listing(_page(base, home))]
    assert requested == [base + "page/2/", base + "page/3/"]  # no article request: all seen
    page2_url = base + "page/2/"
    requested = [r.url for r in spider.parse_listing(_page(page2_url, page2))]
    assert len([u for u in requested if "/page/" not in u]) == 15
