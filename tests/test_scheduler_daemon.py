"""The scheduling daemon for real: ``opdcwatch schedule run`` in a subprocess, crawling the
local replica site (crawler/replica) through the crawler's subprocess runner into SQLite."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from archive.store import Archive
from crawler.config import load_config
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.site import EDIT_NEW, ROLE_EDITED, ROLE_RETITLED
from crawler.monitor.jobstore import ScheduleControl, job_id
from tests.cli_helpers import opdcwatch
from tests.scheduler_helpers import (
    FIXTURES,
    DaemonProcess,
    NotificationSink,
    PortalServer,
    crawl_children,
    list_runs,
    wait_for,
    write_profile,
)

pytestmark = pytest.mark.slow

CONFIG = str(FIXTURES / "fast.toml")


def _finished(db_url: str) -> list[dict]:
    return [r for r in list_runs(db_url) if r["finished_at"]]


def _stamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


@pytest.fixture()
def replica_factory():
    servers = []

    def start(slow_seconds: float = 0.2) -> ReplicaServer:
        server = ReplicaServer(ReplicaSite(10, slow_seconds=slow_seconds)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _daemon(
    tmp_path: Path,
    profile: Path,
    db_url: str,
    name: str = "daemon",
    env: dict[str, str] | None = None,
) -> DaemonProcess:
    args = ["replica", "--profile", str(profile), "--db", db_url, "--config", CONFIG]
    return DaemonProcess(args, tmp_path / f"{name}.log", env=env, cwd=tmp_path)


def test_every_2s_job_runs_twice_records_runs_and_never_overlaps(tmp_path, replica_factory):
    # the slow article takes 2.5 s: every crawl outlasts its 2 s interval
    server = replica_factory(slow_seconds=2.5)
    profile = write_profile(tmp_path, "replica-scheduled.toml", server.base_url, "every 2s")
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    daemon = _daemon(tmp_path, profile, db_url)
    try:
        wait_for(lambda: len(_finished(db_url)) >= 2, 90, "two finished runs")
    finally:
        assert daemon.stop() == 0, daemon.log
    runs = sorted(_finished(db_url), key=lambda r: r["id"])
    assert len(runs) >= 2
    assert all(r["outcome"] == "ok" and r["site"] == "replica" for r in runs)
    assert runs[0]["new"] == 10 and runs[1]["unchanged"] == 10 and runs[1]["new"] == 0
    for before, after in itertools.pairwise(runs):
        assert _stamp(after["started_at"]) >= _stamp(before["finished_at"]), "runs overlapped"
    assert "maximum number of running instances reached" in daemon.log
    shown = opdcwatch("runs", "--site", "replica", "--db", db_url)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count(" replica ") >= 2 and " ok " in shown.stdout


def test_restart_keeps_jobs_and_runs_a_missed_run_once(tmp_path, replica_factory):
    server = replica_factory()
    profile = write_profile(tmp_path, "replica-scheduled.toml", server.base_url, "every 1m")
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    first = _daemon(tmp_path, profile, db_url, "first")
    try:
        wait_for(lambda: len(_finished(db_url)) >= 1, 60, "the first run")  # a new job runs
    finally:
        assert first.stop() == 0, first.log
    config = load_config(CONFIG)
    with Archive.open(db_url) as archive, ScheduleControl(archive, config) as control:
        jobs = control.scheduler.get_jobs()
        assert [j.id for j in jobs] == [job_id("replica")]
        # the machine slept through three runs
        asleep = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=200)
        control.scheduler.modify_job(job_id("replica"), next_run_time=asleep)
    second = _daemon(tmp_path, profile, db_url, "second")
    try:
        wait_for(lambda: len(_finished(db_url)) >= 2, 60, "the missed run")
        rival = opdcwatch(
            "schedule",
            "run",
            "replica",
            "--profile",
            str(profile),
            "--db",
            db_url,
            "--config",
            CONFIG,
            timeout=60,
        )
        assert rival.returncode == 2
        assert "another scheduler is running" in rival.stderr
        assert "Traceback" not in rival.stderr
    finally:
        assert second.stop() == 0, second.log
    assert len(list_runs(db_url)) == 2, "the missed runs must coalesce into one"
    with Archive.open(db_url) as archive, ScheduleControl(archive, config) as control:
        jobs = control.scheduler.get_jobs()
        assert [j.id for j in jobs] == [job_id("replica")]
        assert jobs[0].next_run_time > dt.datetime.now(dt.UTC)


def test_sigterm_during_a_crawl_stops_it_cleanly(tmp_path, replica_factory):
    server = replica_factory(slow_seconds=8)
    profile = write_profile(tmp_path, "replica-scheduled.toml", server.base_url, "every 1m")
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    daemon = _daemon(tmp_path, profile, db_url)

    def mid_crawl() -> bool:
        runs = list_runs(db_url)
        if not runs or runs[0]["finished_at"]:
            return False
        with Archive.open(db_url) as archive, archive.reading() as conn:
            return conn.execute(text("SELECT count(*) FROM versions")).scalar() >= 3

    try:
        wait_for(mid_crawl, 60, "a crawl with some pages archived")
        assert crawl_children(db_url), "the crawl runs in a child process"
    finally:
        code = daemon.stop(timeout=90)
    assert code == 0, daemon.log
    assert "SIGTERM received" in daemon.log
    assert not crawl_children(db_url), "the crawl child outlived the daemon"
    runs = list_runs(db_url)
    assert len(runs) == 1
    assert runs[0]["outcome"] == "interrupted", runs[0]
    assert runs[0]["finished_at"] is not None
    with Archive.open(db_url) as archive, archive.reading() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        no_version = conn.execute(
            text(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS "
                "(SELECT 1 FROM versions v WHERE v.article_id = a.id)"
            )
        ).scalar()
        orphan = conn.execute(
            text(
                "SELECT count(*) FROM versions v LEFT JOIN captures c ON c.id = v.capture_id "
                "WHERE c.id IS NULL"
            )
        ).scalar()
        kept = conn.execute(text("SELECT count(*) FROM versions")).scalar()
    assert no_version == 0 and orphan == 0
    # what was fetched before SIGTERM is archived; Scrapy's clean stop lets a download already
    # in flight (the slow page, when it had started) finish, so it may be there too
    assert 3 <= kept <= 10


def test_a_change_on_the_replica_is_notified_with_its_thai_titles(tmp_path, replica_factory):
    server = replica_factory()
    site = server.site
    profile = write_profile(tmp_path, "replica-scheduled.toml", server.base_url, "every 2s")
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with NotificationSink() as sink:
        env = {"OPDCWATCH_NOTIFY": f"{sink.url} {sink.failing_url}"}
        daemon = _daemon(tmp_path, profile, db_url, env=env)
        try:
            first = wait_for(sink.received, 60, "the first notification")[0]
            site.set_phase(2)
            changed = wait_for(
                lambda: [m for m in sink.received() if "แก้ไข (changed)" in m["title"]],
                60,
                "the notification of the changes",
            )[0]
        finally:
            assert daemon.stop() == 0, daemon.log
    assert first["title"] == "opdcwatch replica: 10 ใหม่ (new)"
    for article in ReplicaSite(10).opdc_articles():
        assert (
            f"- {article.title}\n  {server.base_url}content.php?content_id={article.id}"
            in (first["message"])
        )
    edited = site.by_role(ROLE_EDITED)
    retitled = site.article(site.by_role(ROLE_RETITLED).id)
    added = site.added_article()
    assert changed["title"] == (
        "opdcwatch replica: 1 ใหม่ (new), 3 แก้ไข (changed), 2 ถูกลบ (removed)"
    )
    body = changed["message"]
    # the articles taken down while off every listing, found by the revisit of known articles
    removed, redirected = (site.by_role(r) for r in ("removed", "redirected"))
    assert f"- {removed.title} (" in body and ", HTTP 404)\n" in body
    assert f"- {redirected.title} (" in body and f", redirected to {server.base_url})" in body
    assert "[-รับมอบมหมาย-]{+รับมอบหมาย+}" in body  # the quiet correction, Thai segmented
    assert f"- {added.title}\n" in body
    assert f"- {retitled.title} (v2)\n" in body and retitled.title.startswith("(แก้ไข) ")
    assert f"- {edited.title} (v2)\n" in body
    # the word diff of the edit, Thai segmented: only the inserted words are marked
    assert "3 มิติ{+รุ่นใหม่ล่าสุด+}แห่งแรกในประเทศไทย" in body
    assert EDIT_NEW.replace("รุ่นใหม่ล่าสุด", "{+รุ่นใหม่ล่าสุด+}") in body
    assert "{+(แก้ไข) +}สำนักงาน ก.พ.ร." in body
    runs = sorted(_finished(db_url), key=lambda r: r["id"])
    assert all(r["outcome"] == "ok" for r in runs), "a failing notifier must not fail a run"
    shown = opdcwatch("runs", "--json", "--db", db_url)
    notes = [n for r in json.loads(shown.stdout) for n in r["notifications"]]
    assert any(n["ok"] and "/hook" in n["target"] for n in notes)
    assert any(not n["ok"] and "/fail" in n["target"] and n["error"] for n in notes)
    assert "/fail" in opdcwatch("runs", "--db", db_url).stdout


def test_a_redesign_that_empties_the_pages_raises_a_health_warning(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with PortalServer() as portal, NotificationSink() as sink:
        profile = write_profile(tmp_path, "redesign.toml", portal.base_url, "every 2s")
        args = ["prnews", "--profile", str(profile), "--db", db_url, "--config", CONFIG]
        daemon = DaemonProcess(
            args, tmp_path / "daemon.log", env={"OPDCWATCH_NOTIFY": sink.url}, cwd=tmp_path
        )
        try:
            wait_for(lambda: len(_finished(db_url)) >= 1, 60, "the first crawl")
            assert opdcwatch("health", "--db", db_url, "--config", CONFIG).returncode == 0
            portal.phase = "after"
            warned = wait_for(
                lambda: [m for m in sink.received() if "health warning" in m["title"]],
                60,
                "the health notification",
            )
            settled = len(_finished(db_url)) + 1
            wait_for(lambda: len(_finished(db_url)) >= settled, 60, "one more crawl")
        finally:
            assert daemon.stop() == 0, daemon.log
    assert "3 แก้ไข (changed)" in warned[0]["title"]
    assert "[empty-bodies] 3 of 3 articles" in warned[0]["message"]
    later = [m for m in sink.received() if "health warning" in m["title"]]
    assert len(later) == 1, "a warning that persists is notified once"
    checked = opdcwatch("health", "--db", db_url, "--config", CONFIG)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "UNHEALTHY  prnews" in checked.stdout and "empty-bodies" in checked.stdout
    listed = opdcwatch("schedule", "list", "--db", db_url, "--config", CONFIG)
    assert listed.returncode == 0 and "health: UNHEALTHY" in listed.stdout
    assert "empty-bodies" in listed.stdout


def test_a_crawl_past_its_time_limit_is_stopped_cleanly_and_recorded_failed(
    tmp_path, replica_factory
):
    server = replica_factory(slow_seconds=14)
    profile = write_profile(tmp_path, "replica-scheduled.toml", server.base_url, "every 1m")
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    args = [
        "replica",
        "--profile",
        str(profile),
        "--db",
        db_url,
        "--config",
        str(FIXTURES / "short-limit.toml"),
    ]
    daemon = DaemonProcess(args, tmp_path / "daemon.log", cwd=tmp_path)
    try:
        wait_for(lambda: _finished(db_url), 60, "the crawl to be stopped")
    finally:
        assert daemon.stop() == 0, daemon.log
    (run,) = list_runs(db_url)
    assert run["outcome"] == "failed"
    assert run["error_text"].startswith("the crawl was stopped after its time limit of 10 s")
    assert run["new"] > 0, "what was fetched before the limit is archived and counted"
    assert "ran past its limit of 10 s; stopping it" in daemon.log
    assert "killing it" not in daemon.log, "SIGTERM alone must stop it"
