"""``opdcwatch schedule run|list|pause|resume|run-now``: through click's CliRunner on a job
store the daemon's own code wrote, and as real subprocesses against a running daemon."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from archive.store import Archive
from crawler.cli import cli
from crawler.config import load_config
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.monitor.daemon import Daemon
from crawler.monitor.jobstore import stop_scheduler
from crawler.profiles import load_profile
from tests.cli_helpers import opdcwatch
from tests.scheduler_helpers import (
    FIXTURES,
    DaemonProcess,
    list_runs,
    wait_for,
    wait_for_polls,
    write_profile,
)

CONFIG = str(FIXTURES / "fast.toml")


@pytest.fixture()
def scheduled(tmp_path):
    """An archive whose job store holds the replica's job, as `schedule run` writes it."""
    profile = write_profile(tmp_path, "replica-scheduled.toml", "http://127.0.0.1:9/", "every 6h")
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Archive.open(db_url) as archive:
        daemon = Daemon(archive, load_config(CONFIG), [load_profile(profile)], db_url=db_url)
        daemon.scheduler.start(paused=True)
        daemon.sync_jobs()
        stop_scheduler(daemon.scheduler, wait=False)
    return db_url, profile


def _run(*args: str):
    result = CliRunner().invoke(cli, [*args], catch_exceptions=False)
    return result


def _listed(db_url: str) -> dict:
    result = _run("schedule", "list", "--json", "--db", db_url, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_list_shows_next_run_last_run_and_health(scheduled):
    db_url, _ = scheduled
    result = _run("schedule", "list", "--db", db_url, "--config", CONFIG)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "scheduler: not running"
    assert lines[1].startswith("replica  [every 6h]  next: ")
    assert lines[1].endswith("last: never  health: ok")
    data = _listed(db_url)
    assert data["daemon"] is None
    (site,) = data["sites"]
    assert site["site"] == "replica" and site["schedule"] == "every 6h"
    assert site["paused"] is False and site["next_run"] and site["healthy"] is True


def test_pause_resume_and_run_now_rewrite_the_job_store(scheduled):
    db_url, _ = scheduled
    paused = _run("schedule", "pause", "replica", "--db", db_url, "--config", CONFIG)
    assert paused.exit_code == 0
    assert paused.output.startswith("paused replica; no scheduler is running")
    assert _listed(db_url)["sites"][0]["paused"] is True
    assert "next: paused" in _run("schedule", "list", "--db", db_url).output
    queued = _run("schedule", "run-now", "replica", "--db", db_url, "--config", CONFIG)
    assert queued.exit_code == 0 and queued.output.startswith("queued a crawl of replica")
    site = _listed(db_url)["sites"][0]
    assert site["run_now_pending"] is True and site["paused"] is True
    resumed = _run("schedule", "resume", "replica", "--db", db_url, "--config", CONFIG)
    assert resumed.exit_code == 0 and resumed.output.startswith("resumed replica, next run ")
    site = _listed(db_url)["sites"][0]
    assert site["paused"] is False and site["next_run"]


def test_pause_resume_and_run_now_json(scheduled):
    db_url, _ = scheduled
    for command, action in (("pause", "paused"), ("run-now", "queued"), ("resume", "resumed")):
        result = _run("schedule", command, "replica", "--json", "--db", db_url, "--config", CONFIG)
        assert result.exit_code == 0, result.output
        done = json.loads(result.output)
        assert done.pop("next_run", "set") == ("set" if action != "resumed" else site_next(db_url))
        assert done == {"site": "replica", "action": action, "scheduler_running": False}


def site_next(db_url: str) -> str:
    return _listed(db_url)["sites"][0]["next_run"]


@pytest.mark.parametrize("command", ["pause", "resume", "run-now"])
def test_an_unknown_site_is_one_line_and_exit_2(scheduled, command):
    db_url, _ = scheduled
    result = _run("schedule", command, "nope", "--db", db_url, "--config", CONFIG)
    assert result.exit_code == 2
    assert result.output == "opdcwatch: error: no scheduled site 'nope' (scheduled: replica)\n"


def test_bad_input_to_schedule_run_is_one_clear_line(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    bad = write_profile(tmp_path, "replica-scheduled.toml", "http://127.0.0.1:9/", "61 * * * *")
    result = _run("schedule", "run", "replica", "--profile", str(bad), "--db", db_url)
    assert result.exit_code == 2
    assert result.output.startswith("opdcwatch: error: bad site profile ")
    assert "replica-scheduled.toml: field 'schedule': " in result.output  # the file and field
    assert "bad schedule '61 * * * *': " in result.output and result.output.count("\n") == 1
    unscheduled = write_profile(tmp_path, "unscheduled.toml", "http://127.0.0.1:9/", "")
    result = _run("schedule", "run", "replica", "--profile", str(unscheduled), "--db", db_url)
    assert result.exit_code == 2
    assert "profile 'replica' has no schedule" in result.output
    result = _run("schedule", "list", "--db", str(tmp_path / "missing.db"))
    assert result.exit_code == 2 and result.output.startswith("opdcwatch: error: no archive at")
    result = _run("schedule", "list", "--db", db_url, "--config", str(tmp_path / "none.toml"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_bad_notification_url_stops_the_daemon_before_any_crawl(tmp_path):
    archive = tmp_path / "archive.db"
    profile = write_profile(tmp_path, "replica-scheduled.toml", "http://127.0.0.1:9/", "every 6h")
    run = ("schedule", "run", "--profile", str(profile), "--db", str(archive))
    result = opdcwatch(*run, env={"OPDCWATCH_NOTIFY": "json://127.0.0.1:9/a foo://secret@x"})
    assert result.returncode == 2
    assert result.stderr == (
        "opdcwatch: error: $OPDCWATCH_NOTIFY: notification URL 2 (foo://…) is not a URL "
        "apprise can send to (see https://github.com/caronc/apprise/wiki)\n"
    )
    bad = FIXTURES / "config" / "bad-notify.toml"
    result = opdcwatch(*run, "--config", str(bad))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert f"{bad}: notify.urls: notification URL 2 (tgram:/bottoken/chatid" not in result.stderr
    assert "bad-notify.toml: notify.urls: notification URL 2 ((not a URL))" in result.stderr
    assert not archive.exists()  # refused before the archive was opened, let alone crawled


def test_help_has_examples_for_every_schedule_command():
    for command in ("run", "list", "pause", "resume", "run-now"):
        result = _run("schedule", command, "--help")
        assert result.exit_code == 0 and "Example:" in result.output, command


def test_list_as_a_real_subprocess(scheduled):
    db_url, _ = scheduled
    result = opdcwatch("schedule", "list", "--db", db_url, "--config", CONFIG)
    assert result.returncode == 0, result.stderr
    assert "replica  [every 6h]" in result.stdout


def _idle(daemon: DaemonProcess) -> bool:
    """True when every crawl the daemon started has ended (its log says so)."""
    log = daemon.log
    return log.count(": crawl started") == log.count(": crawl ended") + log.count(": crawl failed")


def _started(daemon: DaemonProcess) -> int:
    return daemon.log.count(": crawl started")


INTERVAL = dt.timedelta(seconds=2)  # the profile's "every 2s"


@pytest.mark.slow
def test_changes_reach_a_running_daemon_without_a_restart(tmp_path):
    with ReplicaServer(ReplicaSite(10, slow_seconds=0.1)) as server:
        profile = write_profile(tmp_path, "replica-scheduled.toml", server.base_url, "every 2s")
        db_url = f"sqlite:///{tmp_path / 'archive.db'}"
        args = ["replica", "--profile", str(profile), "--db", db_url, "--config", CONFIG]
        daemon = DaemonProcess(args, tmp_path / "daemon.log", cwd=tmp_path)
        try:
            wait_for(lambda: [r for r in list_runs(db_url) if r["finished_at"]], 60, "a run")
            paused = opdcwatch("schedule", "pause", "replica", "--db", db_url)
            assert paused.returncode == 0, paused.stderr
            assert "the running scheduler (pid" in paused.stdout
            # once the daemon has read the pause, it starts no crawl; one it started before
            # still finishes: let it
            wait_for_polls(db_url, dt.datetime.now(dt.UTC))
            wait_for(lambda: _idle(daemon), 60, "the daemon to have no crawl running")
            count, started = len(list_runs(db_url)), _started(daemon)
            # the job would have been due within one interval: the daemon polls past that
            wait_for_polls(db_url, dt.datetime.now(dt.UTC) + INTERVAL)
            assert _started(daemon) == started, "a paused site was crawled"
            assert len(list_runs(db_url)) == count, "a paused site was crawled"
            listed = opdcwatch("schedule", "list", "--db", db_url)
            assert "scheduler: running" in listed.stdout and "next: paused" in listed.stdout
            assert opdcwatch("schedule", "run-now", "replica", "--db", db_url).returncode == 0
            wait_for(lambda: len(list_runs(db_url)) > count, 30, "the run-now crawl")
            wait_for(lambda: _idle(daemon), 60, "its end")
            count, started = len(list_runs(db_url)), _started(daemon)
            wait_for_polls(db_url, dt.datetime.now(dt.UTC) + INTERVAL)
            assert _started(daemon) == started, "run-now must not resume a paused site"
            assert len(list_runs(db_url)) == count, "run-now must not resume a paused site"
            assert opdcwatch("schedule", "resume", "replica", "--db", db_url).returncode == 0
            wait_for(lambda: len(list_runs(db_url)) > count, 30, "runs after resume")
        finally:
            assert daemon.stop() == 0, daemon.log
