"""The daemon's pause, resume and run-now, driven by APScheduler's own events, in process.

Nothing here sleeps to "see that nothing happened": a second site scheduled alongside is the
clock. While the paused site's job would have fired, the other one's fires twice more (an
APScheduler listener counts it), and only then is the paused site checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent

from archive.store import Archive
from crawler.config import load_config
from crawler.monitor.daemon import Daemon
from crawler.monitor.jobstore import ScheduleControl, job_id
from crawler.profiles import load_profile
from tests.scheduler_helpers import FIXTURES, write_profile

CONFIG = load_config(FIXTURES / "fast.toml")
WAIT = 20.0  # seconds before a missing event fails the test (the events come within ~1 s)


class Recorder:
    """Counts each job's executions (APScheduler listener) and each site's crawls."""

    def __init__(self) -> None:
        self.executed: Counter[str] = Counter()
        self.crawls: list[tuple[str, dt.datetime]] = []
        self.changed = threading.Condition()

    def on_executed(self, event: JobExecutionEvent) -> None:
        with self.changed:
            self.executed[event.job_id] += 1
            self.changed.notify_all()

    def crawl(self, site: str) -> None:
        with self.changed:
            self.crawls.append((site, dt.datetime.now(dt.UTC)))
            self.changed.notify_all()

    def wait(self, predicate: Callable[[], bool], what: str) -> None:
        with self.changed:
            if not self.changed.wait_for(predicate, timeout=WAIT):
                raise AssertionError(f"timed out waiting for {what}")

    def crawls_of(self, site: str, since: dt.datetime | None = None) -> int:
        return sum(1 for s, at in self.crawls if s == site and (since is None or at > since))


@pytest.fixture
def profiles(tmp_path: Path):
    path = write_profile(tmp_path, "replica-scheduled.toml", "http://127.0.0.1:9/", "every 1s")
    clock = load_profile(path)
    return dataclasses.replace(clock, name="paused-site"), dataclasses.replace(clock, name="clock")


def test_pause_stops_a_job_run_now_crawls_once_and_the_other_site_goes_on(
    tmp_path: Path, profiles
) -> None:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    recorder = Recorder()
    failures: list[BaseException] = []
    with Archive.open(db_url) as archive:
        daemon = Daemon(archive, CONFIG, profiles, db_url=db_url)
        daemon.site_crawl.run = recorder.crawl  # the crawl itself is not under test here
        daemon.scheduler.add_listener(recorder.on_executed, EVENT_JOB_EXECUTED)
        ticks = lambda: recorder.executed[job_id("clock")]  # noqa: E731

        def drive() -> None:
            try:
                recorder.wait(lambda: recorder.crawls_of("paused-site") >= 1, "the first crawl")
                with ScheduleControl(archive, CONFIG) as control:  # as `schedule pause` does
                    control.pause("paused-site")
                paused_at, seen = dt.datetime.now(dt.UTC), ticks()
                recorder.wait(lambda: ticks() >= seen + 2, "two more runs of the other site")
                assert recorder.crawls_of("paused-site", since=paused_at) == 0
                with ScheduleControl(archive, CONFIG) as control:
                    control.run_now("paused-site")
                recorder.wait(
                    lambda: recorder.crawls_of("paused-site", since=paused_at) == 1, "run-now"
                )
                seen = ticks()
                recorder.wait(lambda: ticks() >= seen + 2, "two more runs after run-now")
                assert recorder.crawls_of("paused-site", since=paused_at) == 1, "still paused"
                with ScheduleControl(archive, CONFIG) as control:
                    control.resume("paused-site")
                recorder.wait(
                    lambda: recorder.crawls_of("paused-site", since=paused_at) >= 2, "resumed"
                )
            except BaseException as exc:  # reported by the test thread
                failures.append(exc)
            finally:
                daemon.request_stop()

        driver = threading.Thread(target=drive, name="driver")
        driver.start()
        assert daemon.serve() == 0  # the main thread: serve() installs signal handlers
        driver.join(timeout=WAIT)
    if failures:
        raise failures[0]
    assert recorder.crawls_of("clock") >= 4
