"""The crawl runner: settings layers, JOBDIR placement, and crawls in a child process."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from archive import Archive
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.profile import write_replica_profile
from crawler.exceptions import CrawlProcessError, CrawlTimeoutError, SettingError
from crawler.profiles import bundled_profiles
from crawler.runner import (
    CrawlSummary,
    SiteResult,
    build_settings,
    jobs_root_for,
    parse_setting_overrides,
    prepare_jobdir,
    run_crawl_subprocess,
)
from tests.cli_helpers import child_env
from tests.scheduler_helpers import crawl_children, wait_for


def test_setting_overrides_parse_json_values_or_keep_strings():
    assert parse_setting_overrides(
        ["DOWNLOAD_DELAY=0.5", "ROBOTSTXT_OBEY=false", "USER_AGENT=opdcwatch-test/1 (x=y)"]
    ) == {"DOWNLOAD_DELAY": 0.5, "ROBOTSTXT_OBEY": False, "USER_AGENT": "opdcwatch-test/1 (x=y)"}
    with pytest.raises(SettingError):
        parse_setting_overrides(["=1"])


def test_settings_layers_defaults_profile_then_command_line(tmp_path):
    thaipr = bundled_profiles()["thaipr"]
    settings = build_settings(
        thaipr, {"DOWNLOAD_DELAY": 0.25}, jobdir=tmp_path, log_level="WARNING"
    )
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.25
    assert settings["JOBDIR"] == str(tmp_path)
    plain = build_settings(thaipr, {}, jobdir=None, log_level="INFO")
    assert plain.getfloat("DOWNLOAD_DELAY") == 2  # the profile's [settings]
    assert plain.getbool("ROBOTSTXT_OBEY") and plain.getbool("AUTOTHROTTLE_ENABLED")
    assert plain["USER_AGENT"].startswith("opdcwatch/")
    assert plain.getint("DOWNLOAD_MAXSIZE") > 0
    assert "JOBDIR" not in plain or not plain["JOBDIR"]


def test_a_zero_delay_is_raised_to_the_floor(tmp_path):
    thaipr = bundled_profiles()["thaipr"]
    overrides = {"DOWNLOAD_DELAY": 0, "DOWNLOAD_SLOTS": {"a": {"delay": 0}, "b": {"delay": 3}}}
    settings = build_settings(thaipr, overrides, jobdir=None, log_level="INFO")
    floor = settings.getfloat("OPDCWATCH_MIN_DOWNLOAD_DELAY")
    assert 0 < floor <= 0.01
    assert settings.getfloat("DOWNLOAD_DELAY") == floor
    assert settings.getdict("DOWNLOAD_SLOTS") == {"a": {"delay": floor}, "b": {"delay": 3}}


@pytest.mark.slow
def test_a_profile_with_delay_0_keeps_to_its_concurrency_cap(tmp_path: Path, fixtures_dir):
    # Scrapy >= 2.14 (asyncio reactor) sent 13 requests at once here before the floor
    site = ReplicaSite(20, specials=False, latency=0.2)
    with ReplicaServer(site) as server:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        summary = run_crawl_subprocess(
            ["replica"],
            profile_files=[profile],
            db_url=f"sqlite:///{tmp_path / 'a.db'}",
            settings=[
                "DOWNLOAD_DELAY=0",
                "AUTOTHROTTLE_ENABLED=false",
                "CONCURRENT_REQUESTS_PER_DOMAIN=2",
            ],
            timeout=120,
        )
    assert summary.outcome == "ok" and summary.sites[0].counts["new"] == 20
    # the cap, and used; the bug gave 13. Under a load of 5 on 2 cores the replica once
    # counted 3 for a moment (it counts from its own side of the socket): tolerated, rare
    assert 2 <= site.stats()["max_in_flight"] <= 3


def test_jobdir_lives_next_to_a_sqlite_archive(tmp_path, monkeypatch):
    assert jobs_root_for(f"sqlite:///{tmp_path}/a.db") == tmp_path.resolve() / "jobs"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))  # another archive: user data
    assert jobs_root_for("postgresql+psycopg://u@127.0.0.1/x") == (
        tmp_path / "share" / "opdcwatch" / "jobs"
    )
    stale = prepare_jobdir(tmp_path / "jobs", "replica", resume=False)
    (stale / "requests.seen").write_text("x")
    assert (prepare_jobdir(tmp_path / "jobs", "replica", resume=True) / "requests.seen").exists()
    assert not (
        prepare_jobdir(tmp_path / "jobs", "replica", resume=False) / "requests.seen"
    ).exists()


def test_summary_lines_and_round_trip():
    removed = {
        "kind": "removed",
        "url": "https://www.opdc.go.th/content.php?content_id=1200",
        "happened_at": "2026-11-24T03:00:00+00:00",
        "how": "redirected to https://www.opdc.go.th/",
    }
    summary = CrawlSummary(
        [
            SiteResult(
                "a",
                "ok",
                counts={"pages": 3, "new": 2, "gone": 1},
                events=[removed],
                revisits={"known": 900, "due": 400, "requested": 250},
            ),
            SiteResult("b", "interrupted", counts={"pages": 1, "unchanged": 1}),
        ]
    )
    assert summary.outcome == "interrupted"
    assert summary.lines() == [
        "a: pages 3, new 2, changed 0, unchanged 0, gone 1, restored 0, errors 0 (ok); "
        "filtered 0, skipped 0, rebaselined 0",
        "  removed 2026-11-24: https://www.opdc.go.th/content.php?content_id=1200 "
        "(redirected to https://www.opdc.go.th/)",
        "  revisited 250 of 400 known articles due; the others in the next crawls",
        "b: pages 1, new 0, changed 0, unchanged 1, gone 0, restored 0, errors 0 (interrupted); "
        "filtered 0, skipped 0, rebaselined 0",
        "total: pages 4, new 2, changed 0, unchanged 1, gone 1, restored 0, errors 0 "
        "(interrupted); filtered 0, skipped 0, rebaselined 0",
    ]
    assert summary.problems() == []
    assert CrawlSummary.from_dict(summary.to_dict()) == summary


def test_a_failed_site_is_one_problem_line_naming_the_network_error():
    summary = CrawlSummary(
        [
            SiteResult("ok-site", "ok"),
            SiteResult(
                "typo",
                "failed",
                reason="unreachable",
                failure="every start request failed: http://www.opdc.go.thh/: DNS lookup failed",
                unreachable="DNS",
            ),
            SiteResult("broken", "failed", reason="not started"),
        ]
    )
    assert summary.outcome == "failed"
    assert summary.problems() == [
        "typo: unreachable (DNS): every start request failed: http://www.opdc.go.thh/: "
        "DNS lookup failed",
        "broken: not started",
    ]


def test_crawl_in_a_subprocess_returns_its_summary(tmp_path: Path, fixtures_dir):
    with ReplicaServer(ReplicaSite(10, slow_seconds=0.2)) as server:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        db = f"sqlite:///{tmp_path / 'a.db'}"
        first = run_crawl_subprocess(["replica"], profile_files=[profile], db_url=db, timeout=120)
        second = run_crawl_subprocess(["replica"], profile_files=[profile], db_url=db, timeout=120)
    assert first.outcome == "ok" and second.outcome == "ok"
    assert first.sites[0].counts["new"] == 10
    assert second.sites[0].counts["unchanged"] == 10
    assert second.sites[0].not_modified == 10  # every article answered 304
    assert second.sites[0].revisits == {"known": 10, "due": 10, "requested": 10}
    assert second.sites[0].response_bytes < first.sites[0].response_bytes / 2
    assert isinstance(first.sites[0].run_id, int)


def test_subprocess_crawl_failure_is_a_crawl_process_error(tmp_path, fixtures_dir):
    bad = fixtures_dir / "crawler" / "bad-profiles" / "no-start.toml"
    with pytest.raises(CrawlProcessError, match="field 'start_urls'"):
        run_crawl_subprocess(
            profile_files=[bad], db_url=f"sqlite:///{tmp_path / 'a.db'}", timeout=60
        )


def _versions(db: str) -> int:
    try:
        with Archive.open(db) as archive, archive.reading() as conn:
            return conn.execute(text("SELECT count(*) FROM versions")).scalar() or 0
    except Exception:  # the child has not created the tables yet
        return 0


def test_a_stop_event_stops_the_child_cleanly_with_sigterm(tmp_path: Path, fixtures_dir):
    stop = threading.Event()
    results: list[object] = []
    with ReplicaServer(ReplicaSite(10, slow_seconds=3)) as server:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        db = f"sqlite:///{tmp_path / 'a.db'}"

        def crawl() -> None:
            try:
                results.append(
                    run_crawl_subprocess(
                        ["replica"], profile_files=[profile], db_url=db, stop_event=stop
                    )
                )
            except Exception as exc:  # handed to the test thread
                results.append(exc)

        worker = threading.Thread(target=crawl)
        worker.start()
        deadline = time.monotonic() + 60
        while _versions(db) < 2 and worker.is_alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        worker.join(timeout=60)
    assert not worker.is_alive() and not crawl_children(db)
    (summary,) = results
    assert isinstance(summary, CrawlSummary), summary
    assert summary.outcome == "interrupted"  # the child's own clean stop, not a kill
    assert summary.sites[0].counts["new"] >= 2
    with Archive.open(db) as archive, archive.reading() as conn:
        row = conn.execute(text("SELECT outcome, finished_at FROM runs")).one()
    assert row[0] == "interrupted" and row[1] is not None


def test_the_time_limit_sigterms_then_sigkills_a_child_that_will_not_stop(
    tmp_path: Path, fixtures_dir, caplog
):
    caplog.set_level(logging.INFO, logger="crawler.runner")
    with ReplicaServer(ReplicaSite(10, slow_seconds=30)) as server:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        db = f"sqlite:///{tmp_path / 'a.db'}"
        started = time.monotonic()
        with pytest.raises(CrawlTimeoutError, match="time limit of 4 s") as info:
            run_crawl_subprocess(
                ["replica"], profile_files=[profile], db_url=db, timeout=4, stop_timeout=0
            )
        elapsed = time.monotonic() - started
    assert elapsed < 20, "the slow page (30 s) was not waited for"
    assert info.value.limit == 4 and info.value.summary is None  # killed: no summary
    assert not crawl_children(db), "the child was killed, not left running"
    assert "ran past its limit of 4 s; stopping it" in caplog.text
    assert "did not stop within 0 s; killing it" in caplog.text


def test_a_crawl_whose_caller_is_killed_stops_and_closes_its_run(tmp_path: Path, fixtures_dir):
    with ReplicaServer(ReplicaSite(10, slow_seconds=3, latency=0.2)) as server:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        db = f"sqlite:///{tmp_path / 'a.db'}"
        caller = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from crawler.runner import run_crawl_subprocess as run; "
                "run(['replica'], profile_files=[sys.argv[1]], db_url=sys.argv[2])",
                str(profile),
                db,
            ],
            env=child_env(),
        )
        try:
            wait_for(lambda: _versions(db) >= 2, 60, "the crawl to archive two articles")
            caller.kill()  # SIGKILL: the caller cannot stop its child
            caller.wait(timeout=10)
            wait_for(lambda: not crawl_children(db), 15, "the orphaned crawl to stop")
        finally:
            caller.kill()
    with Archive.open(db) as archive, archive.reading() as conn:
        row = conn.execute(text("SELECT outcome, finished_at FROM runs")).one()
    assert row[0] == "interrupted" and row[1] is not None  # stopped cleanly, by itself
