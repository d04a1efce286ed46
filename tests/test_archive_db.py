"""Database URL resolution, SQLite settings, unreadable databases, readers during a write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from archive import Archive, DatabaseUnavailableError, queries
from archive.db import resolve_url
from tests.archive_helpers import ARTICLE_URL, record


def test_url_comes_from_argument_then_environment_then_default(monkeypatch) -> None:
    monkeypatch.delenv("OPDCWATCH_DB", raising=False)
    assert resolve_url(None) == "sqlite:///data/opdcwatch.db"
    monkeypatch.setenv("OPDCWATCH_DB", "postgresql+psycopg://postgres@127.0.0.1/x")
    assert resolve_url(None) == "postgresql+psycopg://postgres@127.0.0.1/x"
    assert resolve_url("archive/here.db") == "sqlite:///archive/here.db"


def test_default_database_is_created_under_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPDCWATCH_DB", raising=False)
    with Archive.open() as arch:
        record(arch, "opdc_v1.html", 0)
    assert (tmp_path / "data" / "opdcwatch.db").is_file()


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_arch: Archive) -> None:
    with sqlite_arch.reading() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 10000


def test_a_reader_is_not_blocked_by_a_write_transaction(sqlite_url: str) -> None:
    with Archive.open(sqlite_url) as writer, Archive.open(sqlite_url) as reader:
        first = record(writer, "opdc_v1.html", 0)
        with writer.writing() as conn:  # holds the write lock, as a crawl recording does
            conn.execute(text("UPDATE articles SET last_checked = last_checked"))
            conn.execute(text("INSERT INTO sites (name) VALUES ('uncommitted')"))
            art = queries.get_article(reader, str(first.article_id))
            assert "ป่าดงทำเลดอนใหญ่" in art["text"]
            assert [a["id"] for a in queries.list_articles(reader)] == [first.article_id]
            with reader.reading() as rconn:
                sites = rconn.execute(text("SELECT name FROM sites")).scalars().all()
                assert "uncommitted" not in sites
        assert queries.get_article(reader, ARTICLE_URL)["version"] == 1


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("ข่าวประชาสัมพันธ์ ไม่ใช่ฐานข้อมูล\n" * 200, encoding="utf-8")
    with pytest.raises(DatabaseUnavailableError, match=r"cannot open database.*not a database"):
        Archive.open(f"sqlite:///{bogus}")


def test_read_only_open_does_not_create_a_missing_archive(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(DatabaseUnavailableError, match="no archive at"):
        Archive.open(f"sqlite:///{missing}", create=False)
    assert not missing.exists()


def test_a_postgres_server_that_does_not_answer_is_one_clear_error() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(DatabaseUnavailableError, match="cannot open database postgresql"):
        Archive.open("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")


def test_an_unknown_scheme_is_one_clear_error() -> None:
    with pytest.raises(DatabaseUnavailableError, match="cannot use database URL"):
        Archive.open("mongodb://127.0.0.1/opdc")


def test_integrity_holds_after_recording(sqlite_url: str) -> None:
    with Archive.open(sqlite_url) as arch:
        for hours, name in enumerate(
            ["opdc_v1.html", "opdc_v2_sentence.html", "opdc_v3_title.html"]
        ):
            record(arch, name, hours)
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
