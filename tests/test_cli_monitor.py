"""``opdcwatch runs``, ``health`` and ``feed`` on an archive recorded from saved pages (the
press-release portal before and after its redesign), via CliRunner and real subprocesses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from archive.store import Archive
from crawler.cli import cli
from crawler.monitor import notify
from tests.cli_helpers import opdcwatch
from tests.scheduler_helpers import FIXTURES

PORTAL = FIXTURES / "redesign"
ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "สำนักงาน ก.พ.ร. ร่วมกับหน่วยงานรัฐจัดเวทีโชว์ผลงานบริการประชาชน"
RUN_FIELDS = [
    "id",
    "site",
    "started_at",
    "finished_at",
    "outcome",
    "pages",
    "new",
    "changed",
    "unchanged",
    "gone",
    "restored",
    "errors",
    "error_text",
    "unreachable",
    "worker",
    "reasons",
    "notifications",
    "removed_articles",
    "restored_articles",
]


def _crawl(archive: Archive, folder: str, outcome: str = "ok", error: str | None = None) -> int:
    run_id = archive.start_run("prnews")
    counts = {"pages": 4, "new": 0, "changed": 0, "unchanged": 0}
    for n in (1, 2, 3):
        result = archive.record_page(
            url=f"http://127.0.0.1:8000/news/{n}.html",
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            body=(PORTAL / folder / f"{n}.html").read_bytes(),
            site="prnews",
            run_id=run_id,
        )
        counts[result.outcome] += 1
    archive.finish_run(run_id, outcome=outcome, counts=counts, errors=[error] if error else [])
    return run_id


@pytest.fixture()
def archive_url(tmp_path) -> str:
    """Two crawls of the portal, a failed crawl of another site, a failed notification."""
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Archive.open(url) as archive:
        first = _crawl(archive, "before")
        _crawl(archive, "before")
        broken = archive.start_run("thaipr")
        archive.finish_run(
            broken,
            outcome="failed",
            counts={"errors": 1},
            errors=["crawl process failed (exit 2): cannot reach thaipr.net"],
        )
        with archive.writing() as conn:
            notify.record_deliveries(
                conn,
                "prnews",
                first,
                [
                    notify.Delivery("json://127.0.0.1:9/hook", True),
                    notify.Delivery("tgram://…", False, "Telegram: Unauthorized"),
                ],
                now=dt.datetime.now(dt.UTC),
            )
    return url


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_runs_table_shows_counts_errors_and_failed_notifications(archive_url):
    result = _run("runs", "--db", archive_url)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "id",
        "site",
        "started",
        "ended",
        "outcome",
        "pages",
        "new",
        "changed",
        "unchanged",
        "gone",
        "restored",
        "errors",
    ]
    assert lines[1].split()[:2] == ["3", "thaipr"] and lines[1].split()[6] == "failed"
    assert lines[2] == "    error: crawl process failed (exit 2): cannot reach thaipr.net"
    row = lines[3].split()
    assert row[0:2] == ["2", "prnews"] and row[6:] == ["ok", "4", "0", "0", "3", "0", "0", "0"]
    assert lines[-1] == "    notification to tgram://… failed: Telegram: Unauthorized"


def test_runs_json_has_the_issue_fields_and_filters_by_site(archive_url):
    result = _run("runs", "--json", "--site", "prnews", "--db", archive_url)
    runs = json.loads(result.output)
    assert [r["id"] for r in runs] == [2, 1]
    assert all(list(r) == RUN_FIELDS for r in runs)
    assert runs[1]["new"] == 3 and runs[0]["unchanged"] == 3
    assert runs[1]["notifications"][1] == {
        "target": "tgram://…",
        "ok": False,
        "error": "Telegram: Unauthorized",
    }
    unknown = _run("runs", "--site", "none", "--db", archive_url)
    assert unknown.exit_code == 2
    assert unknown.output == (
        "opdcwatch: error: no such site 'none' in the archive (sites: prnews, thaipr)\n"
    )


def test_health_exits_1_only_when_a_site_is_unhealthy(archive_url):
    result = _run("health", "--site", "prnews", "--db", archive_url)
    assert result.exit_code == 0 and result.output.startswith("ok         prnews")
    with Archive.open(archive_url) as archive:
        _crawl(archive, "after")
    result = _run("health", "--json", "--db", archive_url)
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["healthy"] is False
    sites = {s["site"]: s for s in report["sites"]}
    assert [w["rule"] for w in sites["prnews"]["warnings"]] == ["empty-bodies"]
    assert sites["thaipr"]["healthy"] is True  # one failure is not yet "failing"
    text = _run("health", "--db", archive_url).output
    assert "UNHEALTHY  prnews" in text and text.endswith("2 site(s), 1 unhealthy\n")
    unknown = _run("health", "--site", "okmass", "--db", archive_url)
    assert unknown.exit_code == 2 and "no such site 'okmass' in the archive" in unknown.output


def test_feed_is_valid_atom_with_thai_titles(archive_url, tmp_path):
    with Archive.open(archive_url) as archive:
        _crawl(archive, "after")
    out = tmp_path / "feed.atom"
    result = _run("feed", "--out", str(out), "--db", archive_url)
    assert result.exit_code == 0, result.output
    root = ET.fromstring(out.read_bytes())
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert len(entries) == 6  # three new versions, then three changed ones
    assert f"[ใหม่ (new)] {TITLE}" in titles
    assert any(t.startswith("[แก้ไข (changed, v2)] ") and TITLE in t for t in titles)
    for entry in entries:
        assert entry.findtext(f"{ATOM}id") and entry.findtext(f"{ATOM}updated")
        assert entry.find(f"{ATOM}link").get("href").startswith("http://127.0.0.1:8000/news/")
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)
    limited = _run("feed", "--limit", "2", "--db", archive_url)
    assert len(ET.fromstring(limited.output.encode()).findall(f"{ATOM}entry")) == 2


def test_commands_as_real_subprocesses(archive_url, tmp_path):
    runs = opdcwatch("runs", "--json", "--db", archive_url)
    assert runs.returncode == 0 and len(json.loads(runs.stdout)) == 3
    checked = opdcwatch("health", "--db", archive_url)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    feed = opdcwatch("feed", "--db", archive_url)
    assert feed.returncode == 0 and TITLE in feed.stdout
    ET.fromstring(feed.stdout.encode("utf-8"))
    missing = opdcwatch("runs", "--db", str(tmp_path / "nothing.db"))
    assert missing.returncode == 2 and missing.stderr.startswith("opdcwatch: error: no archive")
    assert "Traceback" not in missing.stderr


def test_every_command_is_documented():
    docs = (Path(__file__).parent.parent / "docs" / "scheduler.md").read_text(encoding="utf-8")
    for command in (
        "schedule run",
        "schedule list",
        "schedule pause",
        "schedule resume",
        "schedule run-now",
        "opdcwatch runs",
        "opdcwatch health",
        "opdcwatch feed",
    ):
        assert command in docs, command
    for command in ("runs", "health", "feed"):
        assert "Example:" in _run(command, "--help").output
