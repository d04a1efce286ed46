"""Revisit benchmark: what one crawl's revisits of a 10,000-article site cost, and how many
crawls it takes to look at every article once.

Run by hand: ``.venv/bin/python bench/revisit.py [--articles 10000]``. It serves a replica of
N articles in a child process (``python -m crawler.demo --no-specials``), archives them with
one full crawl, then makes the archive months old (every article quiet for 100+ days and last
checked 31-60 days ago, so all are due) and measures, each time from that same state:

1. one crawl with the default policy (``max_pages = 500``: at most 250 revisits), the figure;
2. the same without conditional requests (``OPDCWATCH_CONDITIONAL=false``): what 304s save;
3. the baseline, every known article in one crawl (``crawl_share = 1``, no page limit);
4. policy crawls one after the other until every article was fetched once (the rotation).

Then it simulates four months of crawls every 6 hours with ``crawler.revisit`` alone (a site
of N articles first seen over three years, 10 new a day, some edited): revisits per crawl in
the steady state, the longest any article waits, and how late edits are noticed. Ratios are
against the baseline of the same run; CPU time is the crawl processes' own.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the project's archive package, not bench/archive.py

from sqlalchemy import bindparam, text  # noqa: E402

from archive import Archive  # noqa: E402
from archive.schema import UTCDateTime  # noqa: E402
from crawler.revisit import DEFAULT_POLICY, plan_revisits  # noqa: E402
from crawler.runner import SiteResult, run_crawl_subprocess  # noqa: E402

PROFILE = """\
name = "bench"
start_urls = ["{base}news.php?page=1"]
allowed_domains = ["127.0.0.1"]
follow = ['news\\.php\\?page=\\d+']
articles = ['content\\.php\\?content_id=\\d+']
max_pages = {max_pages}
{revisit}
[settings]
AUTOTHROTTLE_ENABLED = false
DOWNLOAD_DELAY = 0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 16
OPDCWATCH_ROBOTS_SITEMAPS = false
"""
POLICY_MAX_PAGES = 500  # the bundled opdc-news profile's
DAY = timedelta(days=1)


def write_profile(folder: Path, name: str, base: str, max_pages: int, revisit: str = "") -> Path:
    path = folder / name
    path.write_text(
        PROFILE.format(base=base, max_pages=max_pages, revisit=revisit), encoding="utf-8"
    )
    return path


def age_archive(db: str) -> datetime:
    """Make every article quiet for 100-999 days and last checked 31-60 days ago; return now."""
    now = datetime.now(UTC)
    stamps = bindparam("changed", type_=UTCDateTime), bindparam("checked", type_=UTCDateTime)
    with Archive.open(db) as archive, archive.writing() as conn:
        ids = conn.execute(text("SELECT id FROM articles ORDER BY id")).scalars().all()
        update = text(
            "UPDATE articles SET first_seen = :changed, last_changed = :changed, "
            "last_checked = :checked WHERE id = :id"
        ).bindparams(*stamps)
        conn.execute(
            update,
            [
                {
                    "changed": now - (100 + i % 900) * DAY,
                    "checked": now - (31 + i % 30) * DAY,
                    "id": article_id,
                }
                for i, article_id in enumerate(ids)
            ],
        )
    return now


def crawl(profile: Path, db: str, *settings: str) -> tuple[SiteResult, float]:
    """One crawl in a child process: its result and the child's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = run_crawl_subprocess(
        ["bench"], profile_files=[profile], db_url=db, settings=settings, timeout=7200
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return summary.sites[0], cpu


def unchecked_since(db: str, moment: datetime) -> int:
    with Archive.open(db) as archive, archive.reading() as conn:
        query = text("SELECT count(*) FROM articles WHERE last_checked < :at").bindparams(
            bindparam("at", type_=UTCDateTime)
        )
        return conn.execute(query, {"at": moment}).scalar_one()


def show(label: str, site: SiteResult, cpu: float, baseline: SiteResult | None = None) -> None:
    revisits = site.revisits.get("requested", 0)
    line = (
        f"{label:<34} {revisits:>6} revisits, {site.responses:>6} requests, "
        f"{site.response_bytes / 1e6:7.2f} MB, {site.elapsed:6.1f} s, "
        f"{site.not_modified:>6} x 304, CPU {cpu:5.1f} s"
    )
    if revisits:  # the child's CPU includes its start (Python, Scrapy): about 1.5 s
        line += f" ({cpu / revisits * 1000:.1f} ms/revisit)"
    print(line)
    if baseline is not None:
        print(
            f"{'':<34} = {site.responses / baseline.responses:.1%} of the baseline's requests, "
            f"{site.response_bytes / baseline.response_bytes:.1%} of its bytes, "
            f"{site.elapsed / baseline.elapsed:.1%} of its time"
        )


@dataclass
class Simulated:
    """An article in the simulation (the fields ``crawler.revisit`` reads, and its edits)."""

    url: str
    first_seen: datetime
    last_changed: datetime
    last_checked: datetime
    version_count: int = 1
    gone_at: datetime | None = None
    edit_at: datetime | None = None  # an edit not yet noticed


def simulate(n: int, days: int = 120, per_day: int = 4, seed: int = 13) -> None:
    """Crawls every 24/per_day hours with the default policy and a cap of 250 revisits."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    articles: list[Simulated] = []

    def publish(at: datetime) -> Simulated:
        article = Simulated(f"a{len(articles)}", at, at, at)
        if rng.random() < 0.05:  # corrected within its first month
            article.edit_at = at + rng.uniform(0.1, 30) * DAY
        articles.append(article)
        return article

    for i in range(n):  # first seen over the three years before, each checked lately
        article = publish(start - (3 * 365 * (n - i) / n) * DAY)
        article.last_checked = max(article.first_seen, start - rng.uniform(0, 30) * DAY)
        article.edit_at = None  # its early corrections were seen long ago
    quiet_fix = {a.url: start + rng.uniform(0, days) * DAY for a in rng.sample(articles, n // 100)}
    for article in articles:
        if article.url in quiet_fix and article.edit_at is None:
            article.edit_at = quiet_fix[article.url]
    revisits: list[int] = []
    delays_recent: list[float] = []
    delays_old: list[float] = []
    waits: list[float] = []
    step = DAY / per_day
    for k in range(days * per_day):
        now = start + k * step
        for _ in range(10 // per_day + (k % per_day < 10 % per_day)):  # 10 new a day
            publish(now - rng.uniform(0, 1) * step)
        plan = plan_revisits(articles, DEFAULT_POLICY, now, POLICY_MAX_PAGES)
        chosen = set(plan.urls)
        for article in articles:
            if article.url not in chosen:
                continue
            if k >= 60 * per_day:
                waits.append((now - article.last_checked) / DAY)
            if article.edit_at is not None and article.edit_at <= now:
                delay = (now - article.edit_at) / DAY
                age = (article.edit_at - article.first_seen) / DAY
                (delays_recent if age < 30 else delays_old).append(delay)
                article.version_count += 1
                article.last_changed = now
                article.edit_at = None
            article.last_checked = now
        if k >= 60 * per_day:
            revisits.append(len(plan.urls))
    print(
        f"simulated {days} days, a crawl every {24 // per_day} h, {len(articles)} articles "
        f"at the end (10 new a day): in the last {days - 60} days"
    )
    print(
        f"  revisits per crawl: mean {statistics.mean(revisits):.0f}, max {max(revisits)} "
        f"(cap {DEFAULT_POLICY.cap(POLICY_MAX_PAGES)})"
    )
    print(
        f"  days between two checks of an article: median {statistics.median(waits):.1f}, "
        f"max {max(waits):.1f} (policy: at most {DEFAULT_POLICY.max_days:g})"
    )
    for label, delays in (("in its first 30 days", delays_recent), ("later", delays_old)):
        if delays:
            print(
                f"  an edit {label} noticed after: median {statistics.median(delays):.2f} days, "
                f"max {max(delays):.1f} ({len(delays)} edits)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--skip-rotation", action="store_true", help="skip measurement 4")
    args = parser.parse_args()
    replica = ["--articles", str(args.articles), "--per-page", "20", "--no-specials"]
    server = subprocess.Popen(
        [sys.executable, "-m", "crawler.demo", *replica],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="opdcwatch-revisit-") as tmp:
            folder = Path(tmp)
            db = f"sqlite:///{folder / 'bench.db'}"
            full = write_profile(folder, "full.toml", base, 1_000_000)
            policy = write_profile(folder, "policy.toml", base, POLICY_MAX_PAGES)
            everything = write_profile(
                folder, "all.toml", base, 1_000_000, "[revisit]\ncrawl_share = 1.0\n"
            )
            t0 = time.monotonic()
            setup, _ = crawl(full, db)
            print(
                f"replica: {args.articles} articles at {base}; archived by one full crawl in "
                f"{time.monotonic() - t0:.0f} s ({setup.counts.get('new', 0)} new)"
            )
            age_archive(db)
            baseline, baseline_cpu = crawl(everything, db)
            age_archive(db)
            one, one_cpu = crawl(policy, db)
            age_archive(db)
            plain, plain_cpu = crawl(policy, db, "OPDCWATCH_CONDITIONAL=false")
            show("baseline: every known article", baseline, baseline_cpu)
            show("policy, one crawl (the figure)", one, one_cpu, baseline)
            show("policy, no conditional requests", plain, plain_cpu)
            print(
                f"{'':<34} conditional requests: {one.response_bytes / plain.response_bytes:.1%} "
                "of the bytes without them"
            )
            if not args.skip_rotation:
                start = age_archive(db)
                archived = unchecked_since(db, start)
                crawls, t0, cpu_total = 0, time.monotonic(), 0.0
                while unchecked_since(db, start):
                    _, cpu = crawl(policy, db)
                    crawls, cpu_total = crawls + 1, cpu_total + cpu
                print(
                    f"rotation: {crawls} policy crawls fetched every one of the {archived} "
                    f"archived articles once, in {time.monotonic() - t0:.0f} s "
                    f"(CPU {cpu_total:.0f} s); at 4 crawls a day, {crawls / 4:.1f} days"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)
    simulate(args.articles)


if __name__ == "__main__":
    main()
