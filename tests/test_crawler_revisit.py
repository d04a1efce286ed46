"""The revisit policy: which known articles are due, in what order, how many per crawl; and
crawls of the replica whose archive is months old, where it decides what is fetched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, text

from archive import Archive
from archive.known import KnownArticle
from archive.schema import UTCDateTime
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.profile import write_replica_profile
from crawler.profiles import build_profile
from crawler.revisit import DEFAULT_POLICY, RevisitPolicy, plan_revisits
from crawler.runner import run_crawl_subprocess

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def days(n: float) -> datetime:
    return NOW - timedelta(days=n)


def known(url: str, *, seen: float, changed: float, checked: float, versions: int = 1, gone=None):
    return KnownArticle(url, days(seen), days(changed), days(checked), versions, gone)


@pytest.mark.parametrize(
    ("article", "interval_days"),
    [
        (known("new", seen=2, changed=2, checked=1), 0),  # first seen lately: every crawl
        (known("edited", seen=400, changed=10, checked=1, versions=2), 0),  # changed lately
        (known("removed", seen=400, changed=400, checked=1, gone=days(5)), 0),  # gone lately
        (known("quiet", seen=40, changed=40, checked=1), 10),  # a quarter of its quiet time
        (known("twice", seen=40, changed=40, checked=1, versions=2), 5),  # seen to change
        (known("old", seen=3000, changed=3000, checked=1), 30),  # never more than 30 days
    ],
)
def test_interval_grows_with_quiet_time_and_shrinks_with_changes(article, interval_days):
    assert DEFAULT_POLICY.interval(article, NOW) == timedelta(days=interval_days)


def test_due_and_the_cap_spread_a_large_site_over_crawls():
    articles = [known(f"a{i:03}", seen=400, changed=400, checked=31 + i % 7) for i in range(300)]
    articles.append(known("fresh", seen=1, changed=1, checked=0.25))
    articles.append(known("recently checked", seen=400, changed=400, checked=2))
    plan = plan_revisits(articles, DEFAULT_POLICY, NOW, max_pages=100)
    assert (plan.known, plan.due, len(plan.urls)) == (302, 301, 50)  # half of max_pages
    assert "recently checked" not in plan.urls
    oldest = {a.url for a in articles if a.last_checked == days(37)}
    assert set(plan.urls[: len(oldest)]) == oldest  # least recently checked first
    assert len(plan_revisits(articles, DEFAULT_POLICY, NOW, max_pages=None).urls) == 301


def test_a_profile_revisit_table_overrides_the_defaults():
    profile = build_profile(
        {
            "name": "opdc",
            "start_urls": ["https://www.opdc.go.th/"],
            "revisit": {"recent_days": 7, "max_days": 14, "crawl_share": 0.2},
        },
        "opdc.toml",
    )
    assert profile.revisit == RevisitPolicy(recent_days=7, max_days=14, crawl_share=0.2)
    article = known("a", seen=100, changed=100, checked=1)
    assert profile.revisit.interval(article, NOW) == timedelta(days=14)
    assert profile.revisit.cap(500) == 100
    plain = build_profile({"name": "x", "start_urls": ["https://x.go.th/"]}, "x.toml")
    assert plain.revisit == DEFAULT_POLICY


def _age(db: str, *, changed_days: float, checked_days: float, stagger: bool = False) -> None:
    """Make every article of the archive look first seen and changed ``changed_days`` ago and
    checked ``checked_days`` ago (one more day per article with ``stagger``)."""
    now = datetime.now(UTC)
    stamp = bindparam("changed", type_=UTCDateTime), bindparam("checked", type_=UTCDateTime)
    with Archive.open(db) as archive, archive.writing() as conn:
        ids = conn.execute(text("SELECT id FROM articles ORDER BY id")).scalars().all()
        for offset, article_id in enumerate(ids):
            extra = offset if stagger else 0
            conn.execute(
                text(
                    "UPDATE articles SET first_seen = :changed, last_changed = :changed, "
                    "last_checked = :checked WHERE id = :id"
                ).bindparams(*stamp),
                {
                    "changed": now - timedelta(days=changed_days),
                    "checked": now - timedelta(days=checked_days + extra),
                    "id": article_id,
                },
            )


@pytest.fixture
def replica():
    with ReplicaServer(ReplicaSite(24, per_page=6, specials=False)) as server:
        yield server


def _crawl(tmp_path: Path, replica, fixtures_dir: Path, revisit: str = ""):
    """Crawl with the tests' replica profile, every article kept (no keyword filter), so that
    each link on the listings leads to an archived article."""
    template = (fixtures_dir / "crawler" / "replica.toml").read_text(encoding="utf-8")
    template = "\n".join(line for line in template.splitlines() if not line.startswith("keywords"))
    folder = tmp_path / "profile"
    folder.mkdir(exist_ok=True)
    (folder / "template.toml").write_text(template + revisit, encoding="utf-8")
    profile = write_replica_profile(folder, replica.base_url, folder / "template.toml")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    replica.site.reset_stats()
    summary = run_crawl_subprocess(["replica"], profile_files=[profile], db_url=db, timeout=120)
    return summary.sites[0], db, replica.site.stats()["hits"]


def _articles_hit(hits: dict[str, int]) -> set[str]:
    """Article pages requested (not their print versions, which name the article canonical)."""
    return {path for path in hits if path.startswith("/content.php") and "&" not in path}


def test_known_articles_not_due_are_not_fetched_and_the_listing_walk_stops(
    tmp_path, replica, fixtures_dir
):
    first, db, hits = _crawl(tmp_path, replica, fixtures_dir)
    assert first.counts["new"] == 26 and len(_articles_hit(hits)) == 26
    assert len([p for p in hits if p.startswith("/news.php")]) > 2  # the listing walked back
    _age(db, changed_days=100, checked_days=1)  # quiet for 100 days, checked yesterday
    second, _, hits = _crawl(tmp_path, replica, fixtures_dir)
    assert second.revisits == {"known": 26, "due": 0, "requested": 0}
    assert _articles_hit(hits) == set()  # listed, but not due: not one article request
    assert [p for p in hits if p.startswith("/news.php")] == ["/news.php?page=1"]
    assert second.outcome == "ok" and second.counts["errors"] == 0


def test_the_cap_rotates_through_due_articles_least_recently_checked_first(
    tmp_path, replica, fixtures_dir
):
    cap = "\n[revisit]\ncrawl_share = 0.1\n"  # max_pages 60: six revisits per crawl
    _, db, _ = _crawl(tmp_path, replica, fixtures_dir, cap)
    _age(db, changed_days=100, checked_days=40, stagger=True)  # all due, oldest check first
    with Archive.open(db) as archive, archive.reading() as conn:
        by_age = conn.execute(text("SELECT url FROM articles ORDER BY last_checked")).scalars()
        order = [url.split("/")[-1].replace("content.php", "/content.php") for url in by_age]
    covered: list[str] = []
    for _ in range(4):
        result, _, hits = _crawl(tmp_path, replica, fixtures_dir, cap)
        assert result.revisits["requested"] == 6 and result.counts["unchanged"] == 6
        assert len(_articles_hit(hits)) == 6
        covered += sorted(_articles_hit(hits), key=order.index)
    assert covered == order[:24]  # four crawls, each article once, the oldest checks first
    assert "revisited 6 of 6 known articles due" not in " ".join(result.details())
