"""The fetch log, the WARC export it drives, and ``opdcwatch backup``.

A crawl, then a re-crawl of the unchanged site (a 304 for the article), then a page recorded
again with the same bytes (as from a server that sends no validators): the archive logs all
three answers, and the exported WARC holds a warcinfo record, the response and a revisit
record for each re-fetch, read back with warcio. A backup of a live SQLite archive (its
latest writes still in the WAL) opens with the same articles.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator

from archive import Archive, queries
from archive.backup import libpq_url
from crawler.cli import cli
from tests.archive_helpers import ARCHIVE_FIXTURES, ARTICLE_URL, MIRROR_URL, at, record
from tests.cli_helpers import opdcwatch
from tests.page_server import PageSite, fixture_page, write_site_profile

PROFILES = "http://netpreserve.org/warc/1.1/revisit/"


def _crawl(tmp_path: Path, profile: Path, db: str) -> str:
    result = opdcwatch("crawl", "agency", "--profile", str(profile), "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_fetch_is_in_the_warc_as_a_response_or_a_revisit(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with PageSite({5: fixture_page("article-v1.html")}) as site:
        profile = write_site_profile(tmp_path, site.base_url)
        assert "new 1," in _crawl(tmp_path, profile, db)
        assert "unchanged 1," in _crawl(tmp_path, profile, db)
        assert site.requests[304] == 1
    url = f"{site.base_url}news/5.html"
    with Archive.open(db) as arch:
        again = arch.record_page(
            url=url, status=200, headers={}, body=fixture_page("article-v1.html")
        )
        assert again.outcome == "unchanged"
        with arch.reading() as conn:
            log = conn.execute(
                text("SELECT status, digest, capture_id FROM fetches ORDER BY id")
            ).all()
    assert [(status, capture is not None) for status, _, capture in log] == [
        (200, True),
        (304, False),
        (200, False),
    ]
    assert len({digest for _, digest, _ in log}) == 1  # the 304 names the body it confirmed
    warc = tmp_path / "archive.warc.gz"
    exported = CliRunner().invoke(
        cli, ["export", "--format", "warc", "--out", str(warc), "--db", db]
    )
    assert exported.exit_code == 0, exported.output
    with warc.open("rb") as stream:
        records = [
            (
                r.rec_type,
                r.rec_headers.get_header("WARC-Profile"),
                r.http_headers.get_statuscode() if r.http_headers else None,
                r.rec_headers.get_header("WARC-Refers-To-Target-URI"),
                r.content_stream().read(),
            )
            for r in ArchiveIterator(stream)
        ]
    kinds = [(kind, profile_, status) for kind, profile_, status, _, _ in records]
    assert kinds == [
        ("warcinfo", None, None),
        ("response", None, "200"),
        ("revisit", PROFILES + "server-not-modified", "304"),
        ("revisit", PROFILES + "identical-payload-digest", "200"),
    ]
    assert records[1][4] == fixture_page("article-v1.html")
    assert records[2][3] == records[3][3] == url


def test_a_backup_of_a_live_sqlite_archive_has_the_same_articles(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    copy = tmp_path / "backup.db"
    with Archive.open(db) as arch:
        record(arch, "opdc_v1.html", 0, site="opdc")
        record(arch, "opdc_v2_sentence.html", 1, site="opdc")
        record(arch, "mirror_v1.html", 2, url=MIRROR_URL, site="prd")
        assert (tmp_path / "archive.db-wal").stat().st_size > 0  # the writes are in the WAL
        with arch.reading() as conn:  # a reader in the middle of its transaction
            conn.execute(text("SELECT count(*) FROM articles")).scalar()
            done = CliRunner().invoke(cli, ["backup", str(copy), "--db", db])
        assert done.exit_code == 0, done.output
        assert done.output.startswith(f"wrote {copy} (") and "SQLite" in done.output
        original = queries.list_articles(arch)
    assert not (tmp_path / "backup.db-wal").exists()
    with Archive.open(f"sqlite:///{copy}", create=False) as restored:
        assert queries.list_articles(restored) == original
        assert queries.get_article(restored, ARTICLE_URL)["versions"] == 2
    again = opdcwatch("backup", str(copy), "--db", db)
    assert again.returncode == 2
    assert again.stderr == f"opdcwatch: error: {copy} exists: remove it or name another file\n"


def test_postgresql_backup_is_pg_dump_and_says_how_without_it(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("pg_dump") is None:
        if os.environ.get("CI") == "true":  # CI's PostgreSQL comes with its client tools
            pytest.fail("pg_dump is not installed")
        pytest.skip("pg_dump is not installed")
    with Archive.open(postgres_url) as arch:
        record(arch, "opdc_v1.html", at(0).hour, site="opdc")
    dump = tmp_path / "archive.dump"
    done = CliRunner().invoke(cli, ["backup", str(dump), "--db", postgres_url])
    assert done.exit_code == 0, done.output
    assert dump.read_bytes()[:5] == b"PGDMP"
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True)
    assert "TABLE DATA public articles" in listing.stdout
    assert libpq_url("postgresql+psycopg://u:p@h:5432/d") == ("postgresql://u@h:5432/d", "p")
    assert libpq_url("postgresql+psycopg://u@h/d") == ("postgresql://u@h/d", None)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    missing = CliRunner().invoke(cli, ["backup", str(tmp_path / "b.dump"), "--db", postgres_url])
    assert missing.exit_code == 2
    assert "pg_dump is not on PATH: install PostgreSQL's client tools" in missing.output
    assert not (tmp_path / "b.dump").exists() and ARCHIVE_FIXTURES.is_dir()
