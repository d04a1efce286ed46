"""``--json`` on every command that prints a result, and one "no such site" error for every
command that takes ``--site``; through the installed ``opdcwatch`` as a user runs it."""

from __future__ import annotations

import json

import pytest

from tests.archive_helpers import ARCHIVE_FIXTURES, ARTICLE_URL
from tests.cli_helpers import opdcwatch


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> str:
    """An archive holding the OPDC article, filed under its host (read-only for the tests)."""
    db = str(tmp_path_factory.mktemp("json") / "archive.db")
    page = str(ARCHIVE_FIXTURES / "opdc_v1.html")
    done = opdcwatch("ingest", page, "--url", ARTICLE_URL, "--db", db)
    assert done.returncode == 0, done.stderr
    return db


def test_ingest_json(tmp_path):
    db = str(tmp_path / "archive.db")
    assert (
        opdcwatch(
            "ingest", str(ARCHIVE_FIXTURES / "opdc_v1.html"), "--url", ARTICLE_URL, "--db", db
        ).returncode
        == 0
    )
    page = str(ARCHIVE_FIXTURES / "opdc_v2_sentence.html")
    done = opdcwatch("ingest", page, "--url", ARTICLE_URL, "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "url": ARTICLE_URL,
        "outcome": "changed",
        "article_id": 1,
        "version": 2,
        "revert_of": None,
        "rebaselined": False,
        "event": None,
    }


def test_import_warc_json(tmp_path):
    warc = str(ARCHIVE_FIXTURES / "other_crawler.warc.gz")
    done = opdcwatch("import-warc", warc, "--db", str(tmp_path / "w.db"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "file": warc,
        "new": 2,
        "changed": 1,
        "unchanged": 1,
        "gone": 1,
        "skipped": 3,
        "errors": 0,
        "dated_by_http": 0,
        "dated_by_file": 0,
        "error_messages": [],
    }


def test_sites_json(fixtures_dir):
    done = opdcwatch("sites", "--sites", str(fixtures_dir / "crawler" / "user-sites"), "--json")
    assert done.returncode == 0, done.stderr
    profiles = {p["name"]: p for p in json.loads(done.stdout)}
    assert sorted(profiles) == ["okmass", "opdc-news", "prd-news", "ryt9", "thaipr"]
    assert profiles["prd-news"]["origin"] == "user"
    assert profiles["opdc-news"] | {"description": ""} == profiles["opdc-news"] | {
        "description": "",
        "origin": "bundled",
        "schedule": "0 */6 * * *",
        "max_pages": 500,
        "file": "crawler/sites/opdc-news.toml",
    }
    assert "ก.พ.ร." in profiles["okmass"]["keywords"]


@pytest.mark.parametrize(
    "command",
    [["articles"], ["runs"], ["health"], ["search", "ก.พ.ร."]],
)
def test_an_unknown_site_is_the_same_one_line_everywhere(tmp_path, archive, command):
    done = opdcwatch(*command, "--site", "opdc", "--db", archive, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "opdcwatch: error: no such site 'opdc' in the archive (sites: opdc.go.th)\n"
    )
    assert done.stdout == ""
