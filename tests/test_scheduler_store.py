"""The job store in the archive database (crawler/monitor/jobstore.py and Daemon.sync_jobs), on
SQLite and on PostgreSQL (skipped with the reason when no server answers on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from archive.store import Archive
from crawler.config import load_config
from crawler.monitor import notify
from crawler.monitor.daemon import Daemon
from crawler.monitor.jobstore import (
    ScheduleControl,
    daemon_status,
    job_id,
    read_jobs,
    run_now_id,
    scheduled_sites,
    stop_scheduler,
)
from crawler.profiles import load_profile
from tests.scheduler_helpers import FIXTURES, write_profile

CONFIG = load_config(FIXTURES / "fast.toml", env={})


def _profile(tmp_path: Path, schedule: str, name: str = "replica-scheduled.toml"):
    folder = tmp_path / schedule.replace(" ", "_").replace("*", "x").replace("/", "_")
    folder.mkdir(exist_ok=True)
    return load_profile(write_profile(folder, name, "http://127.0.0.1:9/", schedule))


def _sync(archive: Archive, url: str, profiles) -> None:
    daemon = Daemon(archive, CONFIG, profiles, db_url=url)
    daemon.scheduler.start(paused=True)
    try:
        daemon.sync_jobs()
    finally:
        stop_scheduler(daemon.scheduler, wait=False)


def _job(archive: Archive):
    (job,) = read_jobs(archive, CONFIG)
    return job


def test_sync_keeps_pending_runs_and_paused_state_across_restarts(archive_url, tmp_path):
    with Archive.open(archive_url) as archive:
        assert read_jobs(archive, CONFIG) == []
        _sync(archive, archive_url, [_profile(tmp_path, "every 6h")])
        first = _job(archive)
        assert first.id == job_id("replica") and first.max_instances == 1
        assert first.coalesce is True and first.misfire_grace_time == 12 * 3600
        # a new interval job runs at once
        assert first.next_run_time <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        with ScheduleControl(archive, CONFIG) as control:
            pending = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
            control.scheduler.modify_job(job_id("replica"), next_run_time=pending)
        _sync(archive, archive_url, [_profile(tmp_path, "every 6h")])  # a restart
        assert abs(_job(archive).next_run_time - pending) < dt.timedelta(seconds=1)
        with ScheduleControl(archive, CONFIG) as control:
            control.pause("replica")
        _sync(archive, archive_url, [_profile(tmp_path, "every 6h")])
        assert _job(archive).next_run_time is None, "a restart must not resume a paused site"
        _sync(archive, archive_url, [_profile(tmp_path, "0 */6 * * *")])  # schedule changed
        job = _job(archive)
        assert "hour='*/6'" in str(job.trigger) and job.next_run_time is not None
        _sync(archive, archive_url, [_profile(tmp_path, "every 1h", "redesign.toml")])
        assert [j.id for j in read_jobs(archive, CONFIG)] == [job_id("prnews")]


def test_control_and_listing_on_each_backend(archive_url, tmp_path):
    with Archive.open(archive_url) as archive:
        _sync(archive, archive_url, [_profile(tmp_path, "every 6h")])
        with ScheduleControl(archive, CONFIG) as control:
            control.pause("replica")
            control.run_now("replica")
        (site,) = scheduled_sites(archive, CONFIG)
        assert (site.site, site.paused, site.run_now_pending) == ("replica", True, True)
        assert site.last_run is None and site.warnings == []
        assert {j.id for j in read_jobs(archive, CONFIG)} == {
            job_id("replica"),
            run_now_id("replica"),
        }
        with ScheduleControl(archive, CONFIG) as control:
            next_run = control.resume("replica")
        assert next_run > dt.datetime.now(dt.UTC)
        assert scheduled_sites(archive, CONFIG)[0].to_dict()["paused"] is False


def test_heartbeat_and_notification_tables_on_each_backend(archive_url, tmp_path):
    with Archive.open(archive_url) as archive:
        assert daemon_status(archive) is None
        daemon = Daemon(archive, CONFIG, [_profile(tmp_path, "every 6h")], db_url=archive_url)
        daemon._register()
        status = daemon_status(archive)
        assert status is not None and status.alive
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
        assert daemon_status(archive, now=later).alive is False
        daemon._unregister()
        assert daemon_status(archive) is None
        run_id = archive.start_run("replica")
        with archive.writing() as conn:
            notify.record_deliveries(
                conn, "replica", run_id, [notify.Delivery("json://…", False, "ไม่สามารถส่งได้")]
            )
        with archive.reading() as conn:
            found = notify.deliveries_for_runs(conn, [run_id])
        assert found[run_id][0].error == "ไม่สามารถส่งได้"
