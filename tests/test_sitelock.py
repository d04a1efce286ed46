"""The cluster's site locks on PostgreSQL: one holder per site, gone with the holder's session."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from archive import Archive
from crawler.monitor.sitelock import LockSession, SiteLock

pytestmark = pytest.mark.postgres


@pytest.fixture
def archive(postgres_url):
    with Archive.open(postgres_url) as opened:
        yield opened


def test_a_site_has_one_holder_across_workers_and_within_one(archive):
    first, second = LockSession(archive), LockSession(archive)  # two worker processes
    try:
        with SiteLock(first, "กพร-news") as lock:
            assert lock.held and lock.alive()
            assert not SiteLock(second, "กพร-news").__enter__().held
            with SiteLock(first, "กพร-news") as again:  # advisory locks nest in a session
                assert not again.held
            with SiteLock(second, "thaipr") as other:
                assert other.held
        with SiteLock(second, "กพร-news") as freed:
            assert freed.held
    finally:
        first.close()
        second.close()


def test_a_lost_session_frees_its_sites_and_its_holder_knows(archive):
    worker, other = LockSession(archive), LockSession(archive)
    try:
        lock = SiteLock(worker, "opdc-news").__enter__()
        assert lock.held
        with archive.engine.connect() as admin:  # the worker's connection dies
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
                    "JOIN pg_database d ON d.oid = l.database "
                    "WHERE l.locktype = 'advisory' AND d.datname = current_database() "
                    "AND l.pid <> pg_backend_pid()"
                )
            )
        with SiteLock(other, "opdc-news") as taken:
            assert taken.held  # released by PostgreSQL, nothing to expire
            assert not lock.alive()  # the crawl holding it is told, and is stopped
            lock.__exit__(None, None, None)  # releasing a lock of a lost session is harmless
            with SiteLock(worker, "opdc-news") as retry:  # a new session: the site is taken
                assert not retry.held
            with SiteLock(worker, "thaipr") as fresh:
                assert fresh.held and fresh.alive()
    finally:
        worker.close()
        other.close()
