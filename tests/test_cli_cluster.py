"""The cluster's commands refuse what cannot work in one line each: a broker URL of another
kind or that does not answer, a SQLite archive, Celery missing."""

from __future__ import annotations

import sys

import pytest

from crawler.config import ClusterConfig
from crawler.exceptions import ClusterError
from crawler.monitor import queue
from tests.cli_helpers import opdcwatch

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/opdcwatch_unused"
NOBODY = "redis://:s3cret@127.0.0.1:1/0"  # port 1: nothing listens there


def _one_error_line(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("opdcwatch: error: "), result.stderr
    return lines[0]


def test_a_broker_url_of_another_kind_is_refused():
    line = _one_error_line(opdcwatch("worker", "--broker", "ftp://queue.example/", "--db", PG))
    assert "unsupported broker URL 'ftp://queue.example/'" in line
    assert "redis://" in line and "amqp://" in line


def test_a_sqlite_archive_is_refused(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    for args in (["worker"], ["schedule", "run", "okmass"]):
        line = _one_error_line(opdcwatch(*args, "--broker", NOBODY, "--db", db))
        assert "a cluster shares one PostgreSQL archive" in line
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize("command", [["worker"], ["schedule", "run", "okmass"]])
def test_a_broker_that_does_not_answer_is_one_line_without_its_password(command):
    pytest.importorskip("celery", reason="Celery is not installed (opdcwatch[cluster])")
    line = _one_error_line(opdcwatch(*command, "--broker", NOBODY, "--db", PG, timeout=60))
    assert "cannot reach the broker at redis://:***@127.0.0.1:1/0" in line
    assert "s3cret" not in line


def test_the_worker_needs_a_broker():
    result = opdcwatch("worker", "--db", PG)
    assert result.returncode == 2 and "Missing option '--broker'" in result.stderr


def test_without_celery_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "celery", None)  # what a missing package looks like
    with pytest.raises(ClusterError, match=r"install opdcwatch\[cluster\]"):
        queue.require_celery()
    with pytest.raises(ClusterError, match=r"install opdcwatch\[cluster\]"):
        queue.make_app("redis://127.0.0.1:6379/0", ClusterConfig())
