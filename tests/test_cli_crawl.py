"""``opdcwatch crawl`` end to end: the real command, Scrapy, the parsers and the archive,
against the replica site on 127.0.0.1, in two phases."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from archive import Archive
from archive.diff import diff_versions
from archive.queries import list_articles, list_runs
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.profile import write_replica_profile
from crawler.demo.site import NEW_TITLE_PREFIX
from tests.cli_helpers import OPDCWATCH, opdcwatch

SUMMARY_RE = re.compile(
    r"^replica: pages (?P<pages>\d+), new (?P<new>\d+), changed (?P<changed>\d+), "
    r"unchanged (?P<unchanged>\d+), gone (?P<gone>\d+), restored (?P<restored>\d+), "
    r"errors (?P<errors>\d+) "
    r"\((?P<outcome>\w+)\); filtered (?P<filtered>\d+), skipped (?P<skipped>\d+), "
    r"rebaselined (?P<rebaselined>\d+)$",
    re.MULTILINE,
)


@pytest.fixture
def replica():
    with ReplicaServer(ReplicaSite(10, slow_seconds=0.5)) as server:
        yield server


@pytest.fixture
def profile(tmp_path, replica, fixtures_dir) -> Path:
    return write_replica_profile(
        tmp_path, replica.base_url, fixtures_dir / "crawler" / "replica.toml"
    )


def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


def crawl(tmp_path: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return opdcwatch(
        "crawl",
        "replica",
        "--profile",
        str(profile),
        "--db",
        db_url(tmp_path),
        *extra,
        cwd=tmp_path,
    )


def summary(proc: subprocess.CompletedProcess[str]) -> dict[str, int | str]:
    match = SUMMARY_RE.search(proc.stdout)
    assert match, f"no summary line in {proc.stdout!r} / {proc.stderr[-2000:]!r}"
    return {k: (v if k == "outcome" else int(v)) for k, v in match.groupdict().items()}


def archived(tmp_path: Path) -> dict[str, dict]:
    return {a["url"]: a for a in list_articles(Archive.open(db_url(tmp_path)))}


def test_two_phases_record_exact_versions(tmp_path, replica, profile):
    site, base = replica.site, replica.base_url.rstrip("/")
    first = crawl(tmp_path, profile)
    assert first.returncode == 0, first.stderr
    counts = summary(first)
    assert counts | {"pages": 0} == {
        "pages": 0,
        "new": 10,
        "changed": 0,
        "unchanged": 0,
        "gone": 0,
        "restored": 0,
        "errors": 0,
        "outcome": "ok",
        "filtered": 2,  # the two press releases that do not mention OPDC
        "skipped": 2,  # the PDF behind an article link, the robots-disallowed page
        "rebaselined": 0,
    }
    phase1 = {base + a.path: a for a in site.opdc_articles()}
    found = archived(tmp_path)
    assert set(found) == set(phase1)  # the two press releases not about OPDC are filtered out
    assert all(a["versions"] == 1 for a in found.values())
    for url, article in phase1.items():  # windows-874 with or without a charset: no mojibake
        assert found[url]["title"] == article.title

    stats = site.stats()
    flaky = site.by_role("flaky").path
    assert stats["statuses"][flaky] == [503, 200]  # retried after the 503
    assert not [p for p in stats["hits"] if p.startswith("/private/")]  # robots.txt obeyed
    assert sum(n for p, n in stats["hits"].items() if p.startswith("/calendar.php")) <= 2
    # pages 1-3, the empty page 4 and, since page 4's sidebar still shows articles not yet
    # archived, page 5 (one stale listing is followed: crawler.spiders.site.follow_links)
    assert sum(n for p, n in stats["hits"].items() if p.startswith("/news.php")) <= 5
    assert stats["hits"]["/content.php?content_id=9001"] == 1  # the PDF: fetched, skipped
    assert "/files/annual-report.pdf" not in stats["hits"]
    assert all(ua.startswith("opdcwatch/") for ua in stats["user_agents"])
    assert not stats["conditional"]  # nothing known yet, nothing conditional

    site.set_phase(2)
    site.reset_stats()
    second = crawl(tmp_path, profile)
    assert second.returncode == 0, second.stderr
    assert summary(second) | {"pages": 0} == {
        "pages": 0,
        "new": 1,
        "changed": 3,  # the edit, the new title, and the correction no listing links
        "unchanged": 5,
        "gone": 2,  # the 404 and the redirect to the home page, neither linked any more
        "restored": 0,
        "errors": 0,
        "outcome": "ok",
        "filtered": 2,
        "skipped": 2,
        "rebaselined": 0,
    }
    found = archived(tmp_path)
    edited, retitled, removed, corrected, redirected = (
        base + site.by_role(r).path
        for r in ("edited", "retitled", "removed", "archived-edit", "redirected")
    )
    added = base + site.added_article().path
    assert {url: a["versions"] for url, a in found.items()} == {
        **{url: 1 for url in phase1},
        edited: 2,
        retitled: 2,
        corrected: 2,
        added: 1,
    }
    assert {url for url, a in found.items() if a["gone_at"]} == {removed, redirected}
    assert found[retitled]["title"].startswith(NEW_TITLE_PREFIX)
    today = found[removed]["gone_at"][:10]
    assert f"  removed {today}: {removed} (HTTP 404)" in second.stdout
    assert f"  removed {today}: {redirected} (redirected to {base}/)" in second.stdout
    diff = diff_versions(Archive.open(db_url(tmp_path)), edited)
    assert diff.words_added >= 1 and diff.words_removed == 0
    assert [op.new for op in diff.ops if op.op != "equal"] == ["รุ่นใหม่ล่าสุด"]
    fixed = diff_versions(Archive.open(db_url(tmp_path)), corrected)
    assert "".join(op.old for op in fixed.ops if op.op != "equal") == "รับมอบมหมาย"

    stats = site.stats()  # the re-crawl asked conditionally and the unchanged got 304s
    unchanged = {a.path for a in site.opdc_articles()} - {
        site.by_role("edited").path,
        site.by_role("retitled").path,
        site.added_article().path,
    }
    assert set(stats["not_modified"]) == unchanged
    assert unchanged <= set(stats["conditional"])
    # a revisit checks its article and follows none of its links (its print version, the
    # sidebar): print versions were fetched only from the pages new to the archive
    printed = {p.removesuffix("&print=1") for p in stats["hits"] if p.endswith("&print=1")}
    assert site.added_article().path in printed
    assert not printed & {a.path for a in phase1.values()}
    assert stats["statuses"][site.by_role("redirected").path] == [302]
    assert stats["statuses"][site.by_role("removed").path] == [404]

    runs = list_runs(Archive.open(db_url(tmp_path)), site="replica")
    assert [(r["outcome"], r["new"], r["changed"], r["unchanged"], r["gone"]) for r in runs] == [
        ("ok", 1, 3, 5, 2),
        ("ok", 10, 0, 0, 0),
    ]
    gone = opdcwatch("articles", "--gone", "--db", db_url(tmp_path), timeout=60)
    assert gone.returncode == 0, gone.stderr
    header, *rows = gone.stdout.splitlines()
    assert header.split() == ["id", "site", "ver", "gone", "title", "url"]
    assert [(row.split()[1], row.split()[3]) for row in rows] == [("replica", today)] * 2
    assert {row.split()[-1] for row in rows} == {removed, redirected}
    feed = opdcwatch("feed", "--db", db_url(tmp_path), timeout=60)
    assert feed.stdout.count("<title>[ถูกลบ (removed)] ") == 2
    assert f"removed on {today}: redirected to {base}/</summary>" in feed.stdout

    site.set_phase(1)  # the newsroom undoes it all: two articles come back, one goes
    third = crawl(tmp_path, profile)
    assert third.returncode == 0, third.stderr
    assert summary(third) | {"pages": 0} == summary(third) | {
        "pages": 0,
        "new": 0,
        "changed": 3,  # back to the first versions' text: reverts
        "gone": 1,  # the article phase 2 added
        "restored": 2,
    }
    assert f"  restored {today}: {removed} (answered again (HTTP 304, unchanged))" in third.stdout
    assert not [a for url, a in archived(tmp_path).items() if a["gone_at"] and url != added]


def test_view_counters_and_sidebars_never_create_versions(tmp_path, replica, profile):
    assert crawl(tmp_path, profile).returncode == 0
    replica.site.reset_stats()
    again = crawl(tmp_path, profile, "-s", "OPDCWATCH_CONDITIONAL=false")
    assert again.returncode == 0, again.stderr
    counts = summary(again)
    assert (counts["new"], counts["changed"], counts["unchanged"]) == (0, 0, 10)
    assert not replica.site.stats()["conditional"]  # every page was downloaded in full
    assert all(a["versions"] == 1 for a in archived(tmp_path).values())


def test_a_profile_that_reads_pages_anew_rebaselines_instead_of_versioning(
    tmp_path, replica, profile
):
    """The profile's selectors change (as the extractor does on an upgrade): every page now
    reads differently, but re-reading the stored captures shows nothing changed on the site."""
    pinned = profile.with_name("pinned.toml")
    pinned.write_text(
        profile.read_text(encoding="utf-8") + '\n[selectors]\ntitle = "head > title"\n',
        encoding="utf-8",
    )
    first = crawl(tmp_path, pinned)
    assert first.returncode == 0, first.stderr
    assert summary(first)["new"] == 12  # the site's name in <title> lets the keyword filter pass
    again = crawl(tmp_path, profile, "-s", "OPDCWATCH_CONDITIONAL=false")
    assert again.returncode == 0, again.stderr
    counts = summary(again)
    assert (counts["changed"], counts["unchanged"], counts["rebaselined"]) == (0, 10, 10)
    assert counts["filtered"] == 2
    assert all(a["versions"] == 1 for a in archived(tmp_path).values())


def test_max_pages_is_honoured(tmp_path, replica, profile):
    proc = crawl(tmp_path, profile, "--max-pages", "4")
    assert proc.returncode == 0, proc.stderr
    assert summary(proc)["pages"] <= 4
    assert sum(replica.site.stats()["hits"].values()) <= 5  # + robots.txt


def test_profile_without_a_name_crawls_that_profile_only(tmp_path, replica, profile):
    proc = opdcwatch(
        "crawl", "--profile", str(profile), "--db", db_url(tmp_path), "--max-pages", "2", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)  # --json: the summary the crawl prints, as JSON
    assert summary["outcome"] == "ok"
    assert [(s["site"], s["outcome"]) for s in summary["sites"]] == [("replica", "ok")]
    assert summary["sites"][0]["counts"]["pages"] <= 2
    runs = list_runs(Archive.open(db_url(tmp_path)))
    assert [run["site"] for run in runs] == ["replica"]  # no bundled internet site was tried


def test_sigterm_stops_cleanly_and_resume_completes(tmp_path, fixtures_dir):
    with ReplicaServer(ReplicaSite(24, per_page=6, slow_seconds=0.2)) as server:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        slow = [
            "-s",
            "DOWNLOAD_DELAY=0.15",
            "-s",
            "AUTOTHROTTLE_ENABLED=false",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "--max-pages",
            "200",
        ]
        proc = subprocess.Popen(
            [
                OPDCWATCH,
                "crawl",
                "replica",
                "--profile",
                str(profile),
                "--db",
                db_url(tmp_path),
                *slow,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            hits = server.site.stats()["hits"]
            if sum(n for p, n in hits.items() if p.startswith("/content.php")) >= 8:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "--resume" in err
        stopped = SUMMARY_RE.search(out)
        assert stopped and stopped["outcome"] == "interrupted"
        archive = Archive.open(db_url(tmp_path))
        assert list_runs(archive, site="replica")[0]["outcome"] == "interrupted"
        partial = archived(tmp_path)
        assert 0 < len(partial) < 24
        assert all(a["versions"] == 1 for a in partial.values())
        assert (tmp_path / "jobs" / "replica").is_dir()

        resumed = crawl(tmp_path, profile, "--resume", "--max-pages", "200")
        assert resumed.returncode == 0, resumed.stderr
        complete = archived(tmp_path)
        base = server.base_url.rstrip("/")
        assert set(complete) == {base + a.path for a in server.site.opdc_articles()}
        assert all(a["versions"] == 1 for a in complete.values())
        counts = summary(resumed)
        assert counts["new"] == 24 - len(partial)
        assert counts["changed"] == 0
        assert not (tmp_path / "jobs" / "replica").exists()  # finished: the JOBDIR is gone


def test_sigkill_loses_nothing_already_recorded(tmp_path, fixtures_dir):
    with ReplicaServer(ReplicaSite(16, slow_seconds=0.2)) as server:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        proc = subprocess.Popen(
            [
                OPDCWATCH,
                "crawl",
                "replica",
                "--profile",
                str(profile),
                "--db",
                db_url(tmp_path),
                "-s",
                "DOWNLOAD_DELAY=0.1",
                "-s",
                "AUTOTHROTTLE_ENABLED=false",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(archived_if_any(tmp_path)) < 4:
            time.sleep(0.05)
        proc.kill()
        proc.wait(timeout=30)
        before = archived(tmp_path)
        assert len(before) >= 4
        again = crawl(tmp_path, profile)
        assert again.returncode == 0, again.stderr
        counts = summary(again)
        assert counts["changed"] == 0
        assert counts["new"] + counts["unchanged"] == 16
        after = archived(tmp_path)
        assert set(before) <= set(after) and len(after) == 16
        assert all(a["versions"] == 1 for a in after.values())


def archived_if_any(tmp_path: Path) -> dict[str, dict]:
    if not (tmp_path / "archive.db").exists():
        return {}
    try:
        return archived(tmp_path)
    except Exception:  # the crawler may still be creating the schema
        return {}


def test_no_such_site_is_one_line_and_exit_2(tmp_path):
    proc = opdcwatch("crawl", "opdc", "--db", db_url(tmp_path), timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "opdcwatch: error: no such site 'opdc' (known sites: okmass, opdc-news, ryt9, thaipr)"
    ]


def test_bad_profile_is_one_line_naming_the_field(tmp_path, fixtures_dir):
    bad = fixtures_dir / "crawler" / "bad-profiles" / "bad-regex.toml"
    proc = opdcwatch("crawl", "--profile", str(bad), "--db", db_url(tmp_path), timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("opdcwatch: error: bad site profile ")
    assert "bad-regex.toml: field 'articles'" in lines[0]


def test_unreachable_database_is_one_line(tmp_path, profile):
    proc = opdcwatch(
        "crawl",
        "replica",
        "--profile",
        str(profile),
        "--db",
        "postgresql+psycopg://postgres@127.0.0.1:9/none",
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("opdcwatch: error: ")


def test_bad_setting_override_is_one_line(tmp_path, profile):
    proc = crawl(tmp_path, profile, "-s", "DOWNLOAD_DELAY")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "opdcwatch: error: -s expects NAME=VALUE, got 'DOWNLOAD_DELAY'"


def test_sites_lists_bundled_and_user_profiles(fixtures_dir):
    user = fixtures_dir / "crawler" / "user-sites"
    proc = opdcwatch("sites", "--sites", str(user), timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split()[:2] for line in proc.stdout.splitlines()]
    assert rows == [
        ["okmass", "bundled"],
        ["opdc-news", "bundled"],
        ["prd-news", "user"],
        ["ryt9", "user"],
        ["thaipr", "bundled"],
    ]


def test_sites_long_format_shows_sources_and_schedule():
    from click.testing import CliRunner

    from crawler.cli import cli

    result = CliRunner().invoke(cli, ["sites", "-l"])
    assert result.exit_code == 0, result.output
    assert "feeds: https://www.thaipr.net/feed" in result.output
    assert "schedule: 0 */6 * * *, max_pages: 500, file: crawler/sites/opdc-news.toml" in (
        result.output
    )


def test_sites_with_a_bad_profile_is_one_line(fixtures_dir):
    from click.testing import CliRunner

    from crawler.cli import cli

    bad = fixtures_dir / "crawler" / "bad-profiles" / "unknown-field.toml"
    result = CliRunner().invoke(cli, ["sites", "--profile", str(bad)])
    assert result.exit_code == 2
    assert "field 'artciles': unknown field" in result.output


def test_progress_line_on_a_terminal_only(tmp_path, replica, profile):
    import os
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [
                OPDCWATCH,
                "crawl",
                "replica",
                "--profile",
                str(profile),
                "--db",
                db_url(tmp_path),
                "-s",
                "OPDCWATCH_PROGRESS_INTERVAL=0.1",
            ],
            stdout=subprocess.PIPE,
            stderr=slave,
            text=True,
            cwd=tmp_path,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(master)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "\r\x1b[Kreplica: pages " in terminal  # redrawn in place on stderr
    assert summary(subprocess.CompletedProcess([], 0, out, ""))["new"] == 10
    piped = crawl(tmp_path, profile)  # stderr is a pipe here: no progress line
    assert "\x1b[K" not in piped.stderr and "pages" not in piped.stderr


def test_two_sites_in_one_crawl_and_republished_articles_are_linked(tmp_path, fixtures_dir):
    template = fixtures_dir / "crawler" / "replica.toml"
    with (
        ReplicaServer(ReplicaSite(10, slow_seconds=0.2)) as origin,
        ReplicaServer(ReplicaSite(10, slow_seconds=0.2)) as mirror,
    ):
        first = write_replica_profile(tmp_path, origin.base_url, template, "origin.toml")
        second = write_replica_profile(tmp_path, mirror.base_url, template, "mirror.toml")
        second.write_text(second.read_text().replace('name = "replica"', 'name = "mirror"'))
        proc = opdcwatch(
            "crawl",
            "replica",
            "mirror",
            "--profile",
            str(first),
            "--profile",
            str(second),
            "--db",
            db_url(tmp_path),
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stderr
        lines = [line for line in proc.stdout.splitlines() if not line.startswith("  ")]
        assert lines[0].startswith("replica: pages ") and "new 10," in lines[0]
        assert lines[1].startswith("mirror: pages ") and "new 10," in lines[1]
        assert lines[2].startswith("total: pages ") and "new 20," in lines[2]
        article = origin.site.by_role("cp874-none").path  # decoded alike on both sites
        show = opdcwatch(
            "show", origin.base_url.rstrip("/") + article, "--db", db_url(tmp_path), timeout=60
        )
    assert show.returncode == 0, show.stderr
    assert f"also at {mirror.base_url.rstrip('/')}{article}" in show.stdout
