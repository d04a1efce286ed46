"""Database URL resolution, SQLite settings, unreadable databases, readers during a write."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from archive import Archive, DatabaseUnavailableError, queries
from archive.db import resolve_url, sqlite_path
from crawler.cli import cli
from tests.archive_helpers import ARCHIVE_FIXTURES, ARTICLE_URL, record
from tests.cli_helpers import opdcwatch


def test_url_comes_from_argument_then_environment_then_default(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("OPDCWATCH_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.chdir(tmp_path)
    assert resolve_url(None) == f"sqlite:///{tmp_path}/share/opdcwatch/opdcwatch.db"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "opdcwatch.db").touch()  # an archive made before: it keeps working
    assert resolve_url(None) == f"sqlite:///{tmp_path}/data/opdcwatch.db"
    monkeypatch.setenv("OPDCWATCH_DB", "postgresql+psycopg://postgres@127.0.0.1/x")
    assert resolve_url(None) == "postgresql+psycopg://postgres@127.0.0.1/x"
    assert resolve_url("archive/here.db") == "sqlite:///archive/here.db"


def test_sqlite_path_understands_uri_filenames() -> None:
    assert sqlite_path("sqlite:///file:/srv/a.db?mode=ro&uri=true") == Path("/srv/a.db")
    assert sqlite_path("sqlite:///file:/srv/a.db?mode=memory&uri=true") is None
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("sqlite:////srv/b.db") == Path("/srv/b.db")


def test_default_database_is_created_in_the_user_data_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPDCWATCH_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    with Archive.open() as arch:
        record(arch, "opdc_v1.html", 0)
    assert (tmp_path / "share" / "opdcwatch" / "opdcwatch.db").is_file()
    assert not (tmp_path / "data").exists()


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


# -- the command line on databases that cannot be opened: one line, exit 2 -----------------


def _cli(args: list[str]) -> tuple[int, str]:
    """Run ``opdcwatch`` in-process; return (exit code, stderr). A traceback fails the test."""
    result = CliRunner().invoke(cli, args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


def _ingest_args(db: str) -> list[str]:
    return ["ingest", str(ARCHIVE_FIXTURES / "opdc_v1.html"), "--url", ARTICLE_URL, "--db", db]


def _assert_one_line(code: int, stderr: str, *needles: str) -> None:
    assert code == 2, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("opdcwatch: error: "), stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    for needle in needles:
        assert needle in stderr


def test_cli_folder_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    _assert_one_line(*_cli(_ingest_args("/proc/opdcwatch-nope/x.db")), "cannot create database")
    blocker = tmp_path / "ข่าว.txt"  # a plain file where the folder should be
    blocker.write_text("ไม่ใช่โฟลเดอร์", encoding="utf-8")
    code, err = _cli(_ingest_args(str(blocker / "archive.db")))
    _assert_one_line(code, err, "a file is in the way")
    assert blocker.read_text(encoding="utf-8") == "ไม่ใช่โฟลเดอร์"


def test_cli_directory_as_database_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "archive.db"
    folder.mkdir()
    _assert_one_line(*_cli(_ingest_args(str(folder))), "it is a directory")
    _assert_one_line(*_cli(["articles", "--db", str(folder)]), "it is a directory")
    assert list(folder.iterdir()) == []


def test_cli_file_that_is_not_a_database_is_one_line_and_untouched(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    content = ("บันทึกการประชุม ก.พ.ร. ไม่ใช่ฐานข้อมูล\n" * 300).encode("utf-8")
    bogus.write_bytes(content)
    _assert_one_line(*_cli(_ingest_args(str(bogus))), "not a database")
    _assert_one_line(*_cli(["show", "1", "--db", str(bogus)]), "not a database")
    assert bogus.read_bytes() == content


def test_cli_read_only_database_refuses_writes_and_still_reads(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive.open(str(db)) as arch:
        record(arch, "opdc_v1.html", 0)
    read_only = f"sqlite:///file:{db}?mode=ro&uri=true"
    _assert_one_line(*_cli(_ingest_args(read_only)), "readonly database")
    result = CliRunner().invoke(cli, ["articles", "--json", "--db", read_only])
    assert result.exit_code == 0, result.stderr
    assert [a["url"] for a in json.loads(result.stdout)] == [ARTICLE_URL]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_cli_read_only_file_permissions_refuse_writes(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive.open(str(db)) as arch:
        record(arch, "opdc_v1.html", 0)
    os.chmod(tmp_path, 0o555)
    os.chmod(db, 0o444)
    try:
        _assert_one_line(*_cli(_ingest_args(str(db))))
    finally:
        os.chmod(tmp_path, 0o755)
        os.chmod(db, 0o644)


def test_subprocess_uncreatable_folder_is_one_line(tmp_path: Path) -> None:
    done = opdcwatch(*_ingest_args("/proc/opdcwatch-nope/x.db"), cwd=tmp_path)
    _assert_one_line(done.returncode, done.stderr, "cannot create database /proc/opdcwatch-nope")
