"""The scheduling daemon over many scheduled crawls keeps its descriptors, threads, memory and
database flat when nothing changes: the quick version of bench/soak.py.

The real daemon runs in this process (``crawler.monitor.daemon.Daemon``), scheduled every
second against the replica in a child process; each crawl is a child process of its own, as
in production. The daemon is sampled between two crawls, each time in the same state.
"""

from __future__ import annotations

import pytest

from bench.soak import soak

pytestmark = pytest.mark.slow

CRAWLS = 6  # each crawl starts a Python with Scrapy: ~2 s apiece
PAGE = 4096  # SQLite's page: the rows of a crawl may start a new one
ROW_BYTES = 300  # a fetch-log or run row with its index entries, generously


def test_the_daemon_stays_flat_over_scheduled_crawls(tmp_path):
    samples = soak(tmp_path, CRAWLS, sample_every=1)
    assert [s.crawls for s in samples] == list(range(1, CRAWLS + 1))
    first, warm, last = samples[0], samples[1], samples[-1]
    assert first.articles == 10 and first.versions == 10  # the first crawl archived the site
    assert (last.versions, last.captures) == (first.versions, first.captures)  # nothing new
    others = [s.fds - s.db_fds for s in samples[1:]]
    assert others == [others[0]] * (CRAWLS - 1), "descriptors leak"
    # the pool keeps a connection per thread that used the archive at once (the main loop,
    # the scheduler's, the executor's): a file and its WAL each, and the shared memory
    assert max(s.db_fds for s in samples) <= 2 * 3 + 1, "database connections leak"
    assert [s.threads for s in samples[1:]] == [warm.threads] * (CRAWLS - 1), "threads leak"
    # what an unchanged crawl adds is its run row and the fetch log's rows, by design
    logged = last.fetches - warm.fetches
    assert logged == (CRAWLS - 2) * (warm.fetches - first.fetches)
    grown = last.db_bytes - warm.db_bytes
    assert grown <= (logged + CRAWLS) * ROW_BYTES + PAGE, "the database grows beyond its rows"
    assert last.rss_kb - warm.rss_kb < 4096, "memory grows with every crawl"
