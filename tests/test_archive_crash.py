"""A bulk ingest killed with SIGKILL leaves a sound archive, and a re-run completes it."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import Archive, queries
from tests.archive_helpers import ARCHIVE_FIXTURES

ROOT = Path(__file__).resolve().parent.parent
BULK = ARCHIVE_FIXTURES / "bulk_ingest.py"
ARTICLES = 40


def _start(db_url: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHAINLP_OFFLINE": "1"}
    return subprocess.Popen(
        [sys.executable, str(BULK), db_url, str(ARTICLES)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_after(db_url: str, records: int) -> int:
    """Run the bulk ingest, SIGKILL it once ``records`` pages are done; return lines seen."""
    proc = _start(db_url)
    seen = 0
    try:
        for _line in proc.stdout:
            seen += 1
            if seen >= records:
                time.sleep(random.uniform(0, 0.03))  # land anywhere, inside a transaction too
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    return seen


def _assert_sound(path: Path) -> tuple[int, int]:
    """Check integrity and that no page is half recorded; return (articles, versions)."""
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute(
            "SELECT count(*) FROM articles a WHERE a.version_count < 1 "
            "OR a.version_count != (SELECT count(*) FROM versions v WHERE v.article_id = a.id) "
            "OR a.latest_version_id NOT IN (SELECT id FROM versions v WHERE v.article_id = a.id "
            "AND v.number = a.version_count)"
        ).fetchone() == (0,)
        assert db.execute(
            "SELECT count(*) FROM versions v LEFT JOIN captures c ON c.id = v.capture_id "
            "LEFT JOIN bodies b ON b.digest = c.digest WHERE b.digest IS NULL"
        ).fetchone() == (0,)
        assert db.execute(
            "SELECT count(*) FROM captures c LEFT JOIN bodies b ON b.digest = c.digest "
            "WHERE b.digest IS NULL OR c.article_id IS NULL"
        ).fetchone() == (0,)
        return db.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM versions)"
        ).fetchone()


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_completes_without_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    url = f"sqlite:///{path}"
    first = _kill_after(url, 25)
    articles, versions = _assert_sound(path)
    assert 0 < articles <= ARTICLES and versions >= first // 3

    _kill_after(url, first + 30)  # the re-run is killed too, further on
    _assert_sound(path)

    done = subprocess.run(
        [sys.executable, str(BULK), url, str(ARTICLES)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    outcomes = [line.split()[2] for line in done.stdout.splitlines()]
    assert len(outcomes) == 3 * ARTICLES
    assert outcomes[: first // 3 * 3].count("changed") == 0  # replays add no version
    assert _assert_sound(path) == (ARTICLES, 2 * ARTICLES)
    with Archive.open(url) as arch:
        rows = queries.list_articles(arch)
        assert {row["versions"] for row in rows} == {2}
        for row in rows[:3]:
            assert [v["revert_of"] for v in queries.list_versions(arch, row["id"])] == [None, None]
