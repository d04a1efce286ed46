"""Soak benchmark: the scheduling daemon over many scheduled crawls of the replica site.

Run by hand: ``.venv/bin/python bench/soak.py [--crawls 1000] [--every "every 1s"] [--db URL]``.
It serves the replica (``python -m crawler.demo --no-specials``: 10 OPDC articles) on
127.0.0.1 in a child process, and runs the real daemon (``crawler.monitor.daemon.Daemon``,
as ``opdcwatch schedule run`` builds it) in this process, scheduled every second: each crawl
a child process, its run closed and reported, the job store re-read every poll. Nothing
changes on the site after the first crawl, so every later crawl finds every article unchanged.

Every ``--sample`` finished crawls it prints the daemon's resident memory, open file
descriptors, threads and the database's size (SQLite: the pages in use; PostgreSQL:
``pg_database_size``), and at the end the slope of each per crawl, by least squares over the
samples after the first (the first crawl fills the archive): flat means no leak.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the project's archive package, not bench/archive.py

from apscheduler.events import EVENT_JOB_EXECUTED  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from archive import Archive  # noqa: E402
from archive.db import sqlite_path  # noqa: E402
from archive.schema import articles, captures, fetches, runs, versions  # noqa: E402
from crawler.config import load_config  # noqa: E402
from crawler.monitor.daemon import Daemon  # noqa: E402
from crawler.profiles import load_registry  # noqa: E402

PROFILE = """\
name = "soak"
description = "the local replica site, crawled by the soak benchmark"
start_urls = ["{base}news.php?page=1"]
allowed_domains = ["127.0.0.1"]
follow = ['news\\.php\\?page=\\d+']
articles = ['content\\.php\\?content_id=\\d+']
keywords = ["ก.พ.ร.", "สำนักงานคณะกรรมการพัฒนาระบบราชการ", "OPDC"]
max_pages = 30
schedule = "{every}"
min_interval_ok = true  # a crawl a second, on purpose

[settings]
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = false
OPDCWATCH_RETRY_BACKOFF_BASE = 0.1
OPDCWATCH_ROBOTS_SITEMAPS = false
DOWNLOAD_TIMEOUT = 10
"""
CONFIG = """\
[scheduler]
poll_interval = {poll}
crawl_timeout = "60s"
stop_timeout = "10s"
max_parallel = 1
"""
POLL_SECONDS = 0.2  # how often the daemon re-reads its job store


@dataclass(frozen=True)
class Sample:
    """The daemon process and the archive after ``crawls`` finished crawls."""

    crawls: int
    seconds: float
    rss_kb: int
    fds: int
    db_fds: int
    threads: int
    db_bytes: int
    articles: int
    versions: int
    captures: int
    fetches: int  # the fetch log: a row per answer, by design (docs/archive.md, "export")


def rss_kb() -> int:
    """This process's resident memory in KB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_fds(db_url: str) -> tuple[int, int]:
    """How many file descriptors this process has open, and how many of them are the
    database's (Linux): SQLite's files, or PostgreSQL's sockets. The connection pool keeps as
    many connections as threads once used at the same time: bounded, not a leak."""
    targets = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            targets.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the descriptor listdir itself used, closed since
            continue
    path = sqlite_path(db_url)
    mark = str(path.resolve()) if path is not None else "socket:"
    return len(targets), sum(target.startswith(mark) for target in targets)


def db_bytes(archive: Archive, db_url: str) -> int:
    """The database's size: SQLite's pages in use (its WAL is a journal whose size does not
    follow the data, reused after each checkpoint), PostgreSQL's ``pg_database_size``."""
    with archive.reading() as conn:
        if sqlite_path(db_url) is None:
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar())
        pages = conn.execute(text("PRAGMA page_count")).scalar()
        free = conn.execute(text("PRAGMA freelist_count")).scalar()
        return int((pages - free) * conn.execute(text("PRAGMA page_size")).scalar())


def _counts(archive: Archive) -> tuple[int, int, int, int, int]:
    """Finished runs, articles, versions, captures and logged fetches in the archive."""
    with archive.reading() as conn:
        finished = conn.execute(
            select(func.count()).select_from(runs).where(runs.c.finished_at.is_not(None))
        ).scalar()
        return (
            int(finished),
            *(
                int(conn.execute(select(func.count()).select_from(table)).scalar())
                for table in (articles, versions, captures, fetches)
            ),
        )


def soak(
    folder: Path,
    crawls: int,
    *,
    every: str = "every 1s",
    db_url: str | None = None,
    sample_every: int = 25,
    on_sample: Callable[[Sample], None] = lambda sample: None,
    n_articles: int = 10,
) -> list[Sample]:
    """Run the daemon until ``crawls`` scheduled crawls have finished; return the samples.

    Must be called in the main thread (the daemon installs its SIGTERM handler). The first
    sample is taken after the first crawl, then one every ``sample_every`` crawls.
    """
    url = db_url or f"sqlite:///{folder / 'soak.db'}"
    replica = subprocess.Popen(  # its own process: the daemon's figures are the daemon's
        [sys.executable, "-m", "crawler.demo", "--articles", str(n_articles), "--no-specials"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = (replica.stdout.readline() if replica.stdout else "").strip()
        if not base_url:
            raise RuntimeError("the replica did not start")
        profile = folder / "soak.toml"
        profile.write_text(PROFILE.format(base=base_url, every=every), encoding="utf-8")
        config_file = folder / "soak-config.toml"
        config_file.write_text(CONFIG.format(poll=POLL_SECONDS), encoding="utf-8")
        config = load_config(config_file)
        profiles = [load_registry([profile], include_bundled=False)["soak"]]
        with Archive.open(url) as archive:
            options = {"profile_files": [str(profile)]}
            daemon = Daemon(archive, config, profiles, db_url=url, crawl_options=options)
            samples: list[Sample] = []
            sampler = _Sampler(daemon, archive, url, crawls, sample_every, samples, on_sample)
            daemon.scheduler.add_listener(sampler, EVENT_JOB_EXECUTED)
            daemon.serve()
        return samples
    finally:
        replica.terminate()
        replica.wait(10)
        if replica.stdout:
            replica.stdout.close()


class _Sampler:
    """Samples the daemon after every ``sample_every``-th finished crawl; stops it after
    ``crawls``.

    An APScheduler listener: it runs in the executor's only thread right after a crawl's job
    returned, so its child process is gone and the next crawl has not started yet. What it
    measures is the daemon at rest between two crawls, every time.
    """

    def __init__(
        self,
        daemon: Daemon,
        archive: Archive,
        db_url: str,
        crawls: int,
        sample_every: int,
        samples: list[Sample],
        on_sample: Callable[[Sample], None],
    ) -> None:
        self.daemon, self.archive, self.db_url = daemon, archive, db_url
        self.crawls, self.sample_every = crawls, sample_every
        self.samples, self.on_sample = samples, on_sample
        self.started = time.monotonic()

    def __call__(self, event: Any) -> None:
        finished, n_articles, n_versions, n_captures, n_fetches = _counts(self.archive)
        if finished == 1 or finished % self.sample_every == 0 or finished >= self.crawls:
            fds, db_fds = open_fds(self.db_url)
            sample = Sample(
                crawls=finished,
                seconds=round(time.monotonic() - self.started, 1),
                rss_kb=rss_kb(),
                fds=fds,
                db_fds=db_fds,
                threads=threading.active_count(),
                db_bytes=db_bytes(self.archive, self.db_url),
                articles=n_articles,
                versions=n_versions,
                captures=n_captures,
                fetches=n_fetches,
            )
            self.samples.append(sample)
            self.on_sample(sample)
        if finished >= self.crawls:
            self.daemon.request_stop()


def slope(samples: list[Sample], field: str) -> float:
    """Least-squares growth of ``field`` per crawl over the samples after the first."""
    points = [(s.crawls, getattr(s, field)) for s in samples[1:]]
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crawls", type=int, default=1000, help="scheduled crawls to run")
    parser.add_argument("--every", default="every 1s", help="the site's schedule")
    parser.add_argument("--sample", type=int, default=50, help="sample every N crawls")
    parser.add_argument("--db", default=None, help="archive URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    # a crawl outlasting its 1 s interval makes APScheduler skip a firing and say so each time
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    header = list(Sample.__dataclass_fields__)
    print("  ".join(f"{h:>9}" for h in header), flush=True)
    with tempfile.TemporaryDirectory(prefix="opdcwatch-soak-") as tmp:
        samples = soak(
            Path(tmp),
            args.crawls,
            every=args.every,
            db_url=args.db,
            sample_every=args.sample,
            on_sample=lambda s: print("  ".join(f"{v:>9}" for v in asdict(s).values()), flush=True),
        )
    if len(samples) < 3:
        print("too few samples for a slope", flush=True)
        return
    first, last = samples[1], samples[-1]
    span = last.crawls - first.crawls
    print(f"\nover crawls {first.crawls}-{last.crawls} ({span} crawls, {last.seconds} s):")
    for field, unit in (("rss_kb", "KB"), ("fds", "fds"), ("db_fds", "fds"), ("threads", "thr")):
        print(
            f"  {field:9} {slope(samples, field):+.3f} {unit}/crawl "
            f"({getattr(first, field)} -> {getattr(last, field)})"
        )
    grew = last.db_bytes - first.db_bytes
    print(
        f"  db_bytes  {slope(samples, 'db_bytes'):+.1f} B/crawl "
        f"({first.db_bytes:,} -> {last.db_bytes:,}, {grew / max(span, 1):,.0f} B/crawl); "
        f"versions {first.versions} -> {last.versions}, "
        f"captures {first.captures} -> {last.captures}, "
        f"fetches logged {first.fetches} -> {last.fetches}"
    )


if __name__ == "__main__":
    main()
