"""The generic spider's other ways in: feeds, and the sitemaps robots.txt names."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import Archive
from archive.queries import list_articles
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.profile import write_replica_profile
from crawler.runner import run_crawl_subprocess


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
