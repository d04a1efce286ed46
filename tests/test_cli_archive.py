"""The archive commands, through click's runner and as real subprocesses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from tests.archive_helpers import ARCHIVE_FIXTURES, ARTICLE_URL, MIRROR_URL
from tests.cli_helpers import opdcwatch

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE_COMMANDS = ("ingest", "import-warc", "articles", "show", "diff", "export")


def run(args: list[str], db: str) -> tuple[int, str, str]:
    """Run ``opdcwatch`` in-process with click's runner; return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, [*args, "--db", db])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def ingest(db: str, name: str, when: str, url: str = ARTICLE_URL) -> str:
    code, out, err = run(
        ["ingest", str(ARCHIVE_FIXTURES / name), "--url", url, "--fetched-at", when], db
    )
    assert code == 0, err
    return out


@pytest.fixture
def filled(sqlite_url: str) -> str:
    """An archive holding three versions of the OPDC article and its mirror."""
    ingest(sqlite_url, "opdc_v1.html", "2563-09-21T10:30:00+07:00")  # Buddhist-era year
    ingest(sqlite_url, "opdc_v1_noise.html", "2020-09-21T12:00:00+07:00")
    ingest(sqlite_url, "opdc_v2_sentence.html", "2020-09-22T09:00:00+07:00")
    ingest(sqlite_url, "opdc_v3_title.html", "2020-09-23T09:00:00+07:00")
    ingest(sqlite_url, "mirror_v1.html", "2020-09-21T13:05:00+07:00", url=MIRROR_URL)
    return sqlite_url


def test_ingest_reports_each_outcome(sqlite_url: str) -> None:
    assert ingest(sqlite_url, "opdc_v1.html", "2020-09-21T03:30:00Z").startswith(
        "new: article 1 version 1  https://"
    )
    assert ingest(sqlite_url, "opdc_v1_tis620.html", "2020-09-21T04:00:00Z").startswith(
        "unchanged: article 1 version 1"
    )
    assert ingest(sqlite_url, "opdc_v2_sentence.html", "2020-09-21T05:00:00Z").startswith(
        "changed: article 1 version 2"
    )
    out = ingest(sqlite_url, "opdc_v1_noise.html", "2020-09-21T06:00:00Z")
    assert out.startswith("changed: article 1 version 3 (back to the content of version 1)")


def test_articles_lists_and_filters(filled: str) -> None:
    code, out, _ = run(["articles", "--json"], filled)
    rows = json.loads(out)
    assert code == 0 and [(r["id"], r["versions"]) for r in rows] == [(1, 3), (2, 1)]
    assert set(rows[0]) >= {
        "id",
        "url",
        "title",
        "published",
        "versions",
        "first_seen",
        "last_changed",
    }
    assert rows[0]["first_seen"] == "2020-09-21T03:30:00+00:00"
    _, out, _ = run(["articles", "--changed-since", "2020-09-22"], filled)
    header, row = out.splitlines()
    assert header.split() == ["id", "site", "ver", "last", "changed", "title", "url"]
    assert row.split()[:5] == ["1", "opdc.go.th", "v3", "2020-09-23", "02:00"]
    assert "พาสื่อมวลชน" in row and row.endswith(ARTICLE_URL)
    _, out, _ = run(["articles", "--changed-since", "2030-01-01"], filled)
    assert out == "no article in this period\n"
    _, out, _ = run(["articles", "--site", "prd.go.th", "--json"], filled)
    assert [r["url"] for r in json.loads(out)] == [MIRROR_URL]


def test_show_by_id_url_and_version(filled: str) -> None:
    code, out, _ = run(["show", ARTICLE_URL, "--json"], filled)
    art = json.loads(out)
    assert code == 0 and (art["id"], art["version"], art["versions"]) == (1, 3, 3)
    assert set(art) >= {"id", "url", "title", "published", "text", "version", "fetched_at"}
    assert art["fetched_at"] == "2020-09-23T02:00:00+00:00"
    code, out, _ = run(["show", "1", "--version", "1"], filled)
    lines = out.splitlines()
    assert lines[0] == "สำนักงาน ก.พ.ร. ยกระดับมาตรฐานการให้บริการสู่ความเป็นเลิศ"
    assert lines[1] == ARTICLE_URL and "version 1 of 3" in lines[2]
    assert f"also at {MIRROR_URL}" not in out  # the article has moved on since version 1
    _, out, _ = run(["show", "2", "--json"], filled)
    assert json.loads(out)["also_at"] == []  # its twin changed: no longer the same content


def test_diff_formats(filled: str, tmp_path: Path) -> None:
    code, out, _ = run(["diff", "1"], filled)
    assert code == 0 and "--- version 2" in out and "+++ version 3" in out
    assert re.search(r"^\d+ words? added, \d+ words? removed$", out.splitlines()[-1])
    _, out, _ = run(["diff", ARTICLE_URL, "--from", "1", "--to", "2", "--format", "json"], filled)
    data = json.loads(out)
    assert (data["from"], data["to"]) == (1, 2)
    assert {"op": "replace", "old": "ถึง", "new": "กว่า"} in data["ops"]
    _, out, _ = run(["diff", "1", "--format", "html"], filled)
    assert out.startswith("<!DOCTYPE html>") and "<ins>" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "99"], "no article with id 99"),
        (["show", "https://www.opdc.go.th/nope"], "no article with URL"),
        (["show", "1", "--version", "9"], "there is no version 9"),
        (["diff", "2"], "no version before version 1"),
        (
            ["diff", "1", "--format", "pdf"],
            "unknown diff format 'pdf': use one of html, json, text",
        ),
        (["export", "--format", "xml"], "unknown export format 'xml'"),
        (["articles", "--changed-since", "yesterday"], "not an ISO 8601 date"),
        (["ingest", "/nonexistent/page.html", "--url", ARTICLE_URL], "cannot read"),
        (["ingest", str(ARCHIVE_FIXTURES / "opdc_v1.html"), "--url", "notaurl"], "not an http"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(filled: str, args: list[str], message: str) -> None:
    code, _, err = run(args, filled)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("opdcwatch: error: ") and message in err


def test_export_writes_files_atomically(filled: str, tmp_path: Path) -> None:
    out_path = tmp_path / "versions.jsonl"
    code, _, err = run(["export", "--format", "jsonl", "--out", str(out_path)], filled)
    assert code == 0 and "wrote 4 jsonl records" in err
    assert len(out_path.read_text(encoding="utf-8").splitlines()) == 4
    assert not list(tmp_path.glob("*.partial"))
    code, _, _ = run(["export", "--format", "warc", "--out", str(tmp_path / "a.warc.gz")], filled)
    assert code == 0 and (tmp_path / "a.warc.gz").read_bytes()[:2] == b"\x1f\x8b"


def test_every_archive_command_has_help_with_an_example_and_docs() -> None:
    docs = (ROOT / "docs" / "archive.md").read_text(encoding="utf-8")
    for name in ARCHIVE_COMMANDS:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, name
        assert f"opdcwatch {name}" in docs, f"{name} is not documented in docs/archive.md"


# -- real subprocesses: the installed script, as a user runs it -------------------------------


def test_subprocess_ingest_articles_show_diff(tmp_path: Path) -> None:
    env = {"OPDCWATCH_DB": f"sqlite:///{tmp_path / 'env.db'}"}
    for name, when in [
        ("opdc_v1.html", "2020-09-21T03:30:00Z"),
        ("opdc_v2_sentence.html", "2020-09-22T03:30:00Z"),
    ]:
        done = opdcwatch(
            "ingest",
            str(ARCHIVE_FIXTURES / name),
            "--url",
            ARTICLE_URL,
            "--fetched-at",
            when,
            cwd=tmp_path,
            env=env,
        )
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "env.db").exists() and not (tmp_path / "data").exists()
    listed = opdcwatch("articles", "--json", cwd=tmp_path, env=env)
    assert json.loads(listed.stdout)[0]["versions"] == 2
    shown = opdcwatch("show", ARTICLE_URL, "--version", "1", cwd=tmp_path, env=env)
    assert shown.returncode == 0 and "๗๐ เท่า" in shown.stdout
    diffed = opdcwatch("diff", "1", "--format", "json", cwd=tmp_path, env=env)
    assert json.loads(diffed.stdout)["to"] == 2


def test_subprocess_import_and_export(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    done = opdcwatch(
        "import-warc", str(ARCHIVE_FIXTURES / "other_crawler.warc.gz"), "--db", db, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(
        "2 new, 1 changed, 1 unchanged, 1 gone, 3 skipped, 0 errors"
    )
    exported = opdcwatch("export", "--format", "csv", "--db", db, cwd=tmp_path)
    assert exported.returncode == 0 and exported.stdout.count(ARTICLE_URL) == 2


def test_subprocess_unreadable_database_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"PK\x03\x04 this is a zip file, not SQLite" * 100)
    done = opdcwatch("articles", "--db", str(bad), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "cannot open database" in done.stderr
    assert "Traceback" not in done.stderr
    missing = opdcwatch("show", "1", cwd=tmp_path)  # no archive in the user's data folder
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert missing.stderr.startswith("opdcwatch: error: no archive at ")
    assert missing.stderr.split()[5].endswith("/opdcwatch/opdcwatch.db")
    assert not (tmp_path / "data").exists()


# -- one URL key: what the crawler files is what a user's typed URL finds ---------------------

THAI_URL_RAW = "https://www.OKMASS.com:443/news/15-ก.พ.ร.-ยกระดับ?id=3&cat=ข่าว&utm_source=line#top"
THAI_URL_TYPED = [
    "https://www.okmass.com/news/15-%E0%B8%81.%E0%B8%9E.%E0%B8%A3.-%E0%B8%A2%E0%B8%81%E0%B8%A3"
    "%E0%B8%B0%E0%B8%94%E0%B8%B1%E0%B8%9A?cat=%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7&id=3",
    "https://www.okmass.com/news/15-ก.พ.ร.-ยกระดับ?cat=ข่าว&id=3",
    "https://www.okmass.com/news/15-%e0%b8%81.%e0%b8%9e.%e0%b8%a3.-ยกระดับ?fbclid=x&cat=ข่าว&id=3",
]


@pytest.mark.parametrize("typed", THAI_URL_TYPED)
def test_show_finds_an_article_by_its_url_raw_thai_or_encoded_params_reordered(
    sqlite_url: str, typed: str
) -> None:
    ingest(sqlite_url, "opdc_v1.html", "2024-11-23T09:30:00+07:00", url=THAI_URL_RAW)
    code, out, err = run(["show", typed, "--json"], sqlite_url)
    assert code == 0, err
    art = json.loads(out)
    assert art["id"] == 1 and art["title"].startswith("สำนักงาน ก.พ.ร.")
    assert art["url"] == THAI_URL_TYPED[0]
    code, _, err = run(
        ["show", "https://www.okmass.com/news/15-ก.พ.ร.-ยกระดับ?cat=ข่าว&id=4"], sqlite_url
    )
    assert code == 2 and "no article with URL" in err


def test_subprocess_show_by_a_reordered_raw_thai_url(tmp_path: Path) -> None:
    env = {"OPDCWATCH_DB": f"sqlite:///{tmp_path / 'thai.db'}"}
    encoded = THAI_URL_TYPED[0]
    done = opdcwatch(
        "ingest", str(ARCHIVE_FIXTURES / "opdc_v1.html"), "--url", encoded, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    shown = opdcwatch("show", THAI_URL_RAW, "--json", cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["url"] == encoded


THAI_HTML = ROOT / "tests" / "fixtures" / "thai-html"
PRACHATAI_URL = "https://prachatai.com/journal/2019/01/80642"
PRACHATAI_PROFILE = """\
name = "prachatai"
start_urls = ["https://prachatai.com/"]
allowed_domains = ["prachatai.com"]

[selectors]
title = "head > title"
"""


def test_ingest_parses_with_the_profile_of_the_page_and_rebaselines(
    sqlite_url: str, tmp_path: Path
) -> None:
    """A saved page is read as the crawler reads it, with its site profile's selectors; when
    the profile changes, the same article saved again is not a new version."""
    profile = tmp_path / "prachatai.toml"
    profile.write_text(PRACHATAI_PROFILE, encoding="utf-8")
    page = str(THAI_HTML / "newspaper4k" / "prachatai_thai_article.html")
    args = ["ingest", page, "--url", PRACHATAI_URL, "--fetched-at", "2019-01-21T14:00:00+07:00"]
    code, out, err = run([*args, "--profile", str(profile)], sqlite_url)
    assert (code, out.split(":")[0]) == (0, "new"), err
    code, out, _ = run(["show", "1", "--json"], sqlite_url)
    assert json.loads(out)["title"].endswith("| ประชาไท Prachatai.com")  # the <title>, by selector
    # the profile's selector is gone; the page saved by another project (other line endings)
    resaved = str(THAI_HTML / "newspaper" / "prachatai_thai_article.html")
    code, out, err = run(
        ["ingest", resaved, "--url", PRACHATAI_URL, "--fetched-at", "2019-01-22T14:00:00+07:00"],
        sqlite_url,
    )
    assert code == 0, err
    assert out.startswith("unchanged: article 1 version 1 (re-baselined")


# what a reading command runs in its own process; prints the heavy modules it imported
_LOADED = """
import sys
from crawler.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
heavy = ("lxml", "bs4", "scrapy", "twisted", "parsers.selectors")
print("LOADED", sorted(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["show", "1"], ["articles"], ["runs"], ["health"]])
def test_reading_commands_start_without_the_crawler_or_the_html_parser(
    filled: str, args: list[str]
) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *args, "--db", filled],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.stderr.splitlines()[-1] == "LOADED []", done.stderr
