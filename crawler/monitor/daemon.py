"""The scheduling daemon: every profile with a ``schedule`` crawled on time, for months.

``opdcwatch schedule run`` builds a :class:`Daemon`: APScheduler 3 with its jobs in the archive
database (see ``crawler.monitor.jobstore``), one job per site with the stable id
``crawl:<name>``, ``max_instances=1``, coalescing and a misfire grace time, so that a restart
picks the schedule up where it was and a missed run runs once. Each run calls the crawler's
subprocess runner (a Twisted reactor cannot restart; a child also hands its memory back) with a
wall-clock limit, closes a run the child could not close, and sends the run's notification.

APScheduler 3 does not share a job store live between processes: the daemon re-reads it every
``poll_interval`` (``scheduler.wakeup()``), which is how ``schedule pause``/``resume``/
``run-now`` take effect without a restart. SIGTERM/SIGINT: no new crawl starts, the running
ones are asked to stop (the child gets SIGTERM and archives what it has), then exit 0.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, insert, update

from archive import queries
from archive.constants import RUN_COUNT_KEYS
from archive.store import Archive
from crawler.config import Config
from crawler.exceptions import CrawlTimeoutError, SchedulerError
from crawler.monitor import health, notify
from crawler.monitor.jobstore import (
    JOB_FUNC,
    _heartbeat_limit,
    _now,
    daemon_status,
    daemons,
    job_id,
    make_scheduler,
    read_paused,
    site_of,
    stop_scheduler,
)
from crawler.monitor.triggers import parse_schedule, same_schedule
from crawler.profiles import SiteProfile
from parsers.exceptions import OpdcwatchError

logger = logging.getLogger(__name__)

# -- the daemon ---------------------------------------------------------------------------------

_ACTIVE: Daemon | None = None


def run_scheduled_crawl(site: str, schedule: str | None = None) -> None:
    """The job function APScheduler stores by reference: hands the run to the live daemon."""
    daemon = _ACTIVE
    if daemon is None:
        logger.error("a crawl of %s fired outside a running daemon; ignored", site)
        return
    daemon.crawl(site, scheduled=schedule != "run-now")


def _unrecorded_failure(summary: Any) -> str | None:
    """Return why a crawl failed before it could open its run (the child says so, no run id)."""
    for result in summary.sites:
        if result.outcome == "failed" and result.run_id is None:
            return result.reason or "the crawl failed before it started"
    return None


class Daemon:
    """``opdcwatch schedule run``: schedules the profiles, runs their crawls, stops cleanly."""

    def __init__(
        self,
        archive: Archive,
        config: Config,
        profiles: Iterable[SiteProfile],
        *,
        db_url: str,
        crawl_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.archive = archive
        self.config = config
        self.db_url = db_url
        self.profiles = {p.name: p for p in profiles if p.schedule}
        tz = config.scheduler.tzinfo()
        # every schedule is checked before anything starts: a typo is one clear error
        self.triggers = {
            name: parse_schedule(p.schedule or "", profile=name, timezone=tz)
            for name, p in self.profiles.items()
        }
        self.crawl_options = dict(crawl_options or {})
        self.scheduler = make_scheduler(archive, config)
        self._stop = threading.Event()
        self._locks = {name: threading.Lock() for name in self.profiles}
        self._running: dict[str, dt.datetime] = {}
        self._running_guard = threading.Lock()
        self._row_id: int | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def serve(self) -> int:
        """Run until SIGTERM/SIGINT; return the exit code (0 after a clean stop)."""
        global _ACTIVE
        if not self.profiles:
            raise SchedulerError(
                'no profile has a schedule: add schedule = "every 6h" (or a cron line) to a profile'
            )
        self._register()
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        _ACTIVE = self
        try:
            self.scheduler.add_listener(
                self._on_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR
            )
            self.scheduler.start(paused=True)
            self.sync_jobs()
            self.scheduler.resume()
            logger.info("scheduler started: %s", ", ".join(sorted(self.profiles)))
            poll = self.config.scheduler.poll_interval
            while not self._stop.wait(poll):
                self._heartbeat()
                self._apply_pauses()
                self.scheduler.wakeup()  # re-read the store: pause/resume/run-now from the CLI
        finally:
            self._stop.set()  # also after an unexpected error: the crawls stop, nothing leaks
            self._shutdown()
            _ACTIVE = None
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._unregister()
        logger.info("scheduler stopped")
        return 0

    def _on_signal(self, signum: int, _frame: Any) -> None:
        if self._stop.is_set():
            logger.warning("already stopping; waiting for the running crawls to archive")
            return
        logger.warning(
            "%s received: no new crawls; stopping the running ones", signal.Signals(signum).name
        )
        self.request_stop()

    @property
    def crawl_timeout(self) -> float:
        """Seconds a crawl may run before it is asked to stop (and its run recorded failed)."""
        return self.config.scheduler.crawl_timeout

    @property
    def stop_timeout(self) -> float:
        """Seconds a stopping crawl gets before it is killed."""
        return self.config.scheduler.stop_timeout

    @property
    def stopping(self) -> bool:
        """True once a stop was asked for: no crawl starts any more."""
        return self._stop.is_set()

    def request_stop(self) -> None:
        """Stop starting crawls and ask the running ones to stop (they archive what they have)."""
        self._stop.set()

    def _shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.pause()  # nothing new starts from here on
        with self._running_guard:
            stopping = list(self._running.items())
        for site, _started in stopping:  # run_crawl_subprocess sees self._stop and stops it
            logger.info("waiting for the running crawl of %s to stop", site)
        stop_scheduler(self.scheduler, wait=True)  # waits for the crawl threads, see crawl()

    def _register(self) -> None:
        current = daemon_status(self.archive)
        if (
            current is not None
            and current.alive
            and (current.host, current.pid) != (socket.gethostname(), os.getpid())
        ):
            raise SchedulerError(
                f"another scheduler is running on this database (pid {current.pid} on "
                f"{current.host}, last heartbeat {current.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC)"
            )
        now = _now()
        with self.archive.writing() as conn:
            conn.execute(
                delete(daemons).where(
                    daemons.c.heartbeat_at
                    < now - _heartbeat_limit(self.config.scheduler.poll_interval)
                )
            )
            self._row_id = conn.execute(
                insert(daemons).values(
                    host=socket.gethostname(),
                    pid=os.getpid(),
                    started_at=now,
                    heartbeat_at=now,
                    poll_interval=max(1, round(self.config.scheduler.poll_interval)),
                )
            ).inserted_primary_key[0]

    def _heartbeat(self) -> None:
        try:
            with self.archive.writing() as conn:
                conn.execute(
                    update(daemons).where(daemons.c.id == self._row_id).values(heartbeat_at=_now())
                )
        except OpdcwatchError as exc:  # a busy or briefly unreachable database: try next poll
            logger.warning("heartbeat not written: %s", exc)

    def _unregister(self) -> None:
        if self._row_id is None:
            return
        try:
            with self.archive.writing() as conn:
                conn.execute(delete(daemons).where(daemons.c.id == self._row_id))
        except OpdcwatchError as exc:
            logger.warning("heartbeat row not removed: %s", exc)

    # -- jobs --------------------------------------------------------------------------------

    def sync_jobs(self) -> None:
        """Make the store hold exactly one job per scheduled profile, keeping pending runs.

        A job whose schedule is unchanged keeps its next run time (or its paused state), so
        a restart neither skips nor repeats a run; a new interval job runs at once, to give
        the site its first baseline; jobs of profiles no longer scheduled are removed.
        """
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        now = _now()
        for name, profile in sorted(self.profiles.items()):
            trigger = self.triggers[name]
            old = existing.get(job_id(name))
            options: dict[str, Any] = {}
            if old is not None and same_schedule(old.trigger, trigger):
                trigger = old.trigger  # keep the interval's anchor
                options["next_run_time"] = old.next_run_time  # pending, missed or paused (None)
            elif old is None and isinstance(trigger, IntervalTrigger):
                options["next_run_time"] = now
            self.scheduler.add_job(
                JOB_FUNC,
                trigger=trigger,
                id=job_id(name),
                name=name,
                args=[name],
                kwargs={"schedule": profile.schedule},
                replace_existing=True,
                **options,
            )
            logger.info("scheduled %s: %s", name, profile.schedule)
        for job in existing.values():
            site = site_of(job)
            if site is not None and site not in self.profiles:
                logger.warning("removing the job %s: no scheduled profile %s", job.id, site)
                self.scheduler.remove_job(job.id)

    def _paused_safe(self) -> set[str]:
        try:
            return read_paused(self.archive)
        except OpdcwatchError as exc:
            logger.warning("could not read the paused sites: %s", exc)
            return set()

    def _apply_pauses(self) -> None:
        """Pause again any paused site whose job a firing rewrote (see crawler.monitor.jobstore)."""
        for name in self._paused_safe() & set(self.profiles):
            job = self.scheduler.get_job(job_id(name))
            if job is not None and job.next_run_time is not None:
                self.scheduler.pause_job(job.id)
                logger.info("%s is paused: its job is paused again", name)

    def _on_event(self, event: Any) -> None:
        if event.code == EVENT_JOB_MISSED:
            logger.warning(
                "job %s missed its run at %s by more than the grace time: skipped",
                event.job_id,
                event.scheduled_run_time,
            )
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            logger.debug(
                "job %s: the previous crawl is still running; this run is skipped", event.job_id
            )
        elif event.code == EVENT_JOB_ERROR:
            logger.error("job %s raised: %s", event.job_id, event.exception)

    # -- one run -----------------------------------------------------------------------------

    def crawl(self, site: str, *, scheduled: bool = True) -> None:
        """Run one crawl of ``site`` in a subprocess, then close its run and notify.

        Called in an executor thread. Whatever goes wrong stays with this site: it is logged
        and recorded as a failed run, and the next scheduled run happens as usual. A scheduled
        run of a paused site is skipped; ``run-now`` crawls a paused site all the same.
        """
        if self._stop.is_set():
            return
        if scheduled and site in self._paused_safe():
            logger.info("%s is paused: the scheduled crawl is skipped", site)
            return
        lock = self._locks.get(site)
        if lock is None:
            logger.error("no scheduled profile %s; the job is ignored", site)
            return
        if not lock.acquire(blocking=False):  # a run-now while the scheduled run is going
            logger.info("%s: a crawl is already running; this one is skipped", site)
            return
        started = _now()
        with self._running_guard:
            self._running[site] = started
        logger.info("%s: crawl started", site)
        try:
            error = None
            timed_out = False
            try:
                summary = self._run_crawl(site)
                logger.info("%s: crawl ended: %s", site, "; ".join(summary.lines()))
                error = _unrecorded_failure(summary)
            except CrawlTimeoutError as exc:  # stopped cleanly, but a site that never finishes
                timed_out = True  # in time must become unhealthy: its run is recorded failed
                error = (
                    f"the crawl was stopped after its time limit of "
                    f"{self.config.scheduler.crawl_timeout} s"
                )
                if exc.summary is not None:
                    logger.info("%s: crawl stopped: %s", site, "; ".join(exc.summary.lines()))
                    unrecorded = _unrecorded_failure(exc.summary)
                    error += f": {unrecorded}" if unrecorded else ""
            except Exception as exc:  # one site's failure must never reach the scheduler
                logger.error(
                    "%s: crawl failed: %s", site, exc, exc_info=not isinstance(exc, OpdcwatchError)
                )
                error = (
                    str(exc)
                    if isinstance(exc, OpdcwatchError)
                    else (f"{type(exc).__name__}: {exc}")
                )
            stopped = self.stopping and not timed_out
            self._close_runs(site, started, error, overwrite=timed_out, stopped=stopped)
            self._report(site, started)
        finally:
            with self._running_guard:
                self._running.pop(site, None)
            lock.release()

    def _run_crawl(self, site: str) -> Any:
        from crawler.runner import run_crawl_subprocess

        return run_crawl_subprocess(
            [site],
            profile_files=self.crawl_options.get("profile_files", ()),
            sites_dir=self.crawl_options.get("sites_dir"),
            db_url=self.db_url,
            timeout=self.crawl_timeout,
            stop_event=self._stop,
            stop_timeout=self.stop_timeout,
        )

    def _runs_since(self, site: str, started: dt.datetime) -> list[dict[str, Any]]:
        since = started - dt.timedelta(seconds=1)
        return [
            run
            for run in queries.list_runs(self.archive, site=site, limit=10)
            if dt.datetime.fromisoformat(run["started_at"]) >= since
        ]

    def _close_runs(
        self,
        site: str,
        started: dt.datetime,
        error: str | None,
        *,
        overwrite: bool = False,
        stopped: bool = False,
    ) -> None:
        """Record a run the crawl could not close itself (killed, crashed, never started).

        With ``overwrite`` (the time limit stopped it) a run the child closed as interrupted
        is recorded as failed, so that a site that never finishes in time becomes unhealthy.
        With ``stopped`` (the daemon is shutting down) an unclosed run is "interrupted", and a
        crawl stopped before it opened a run leaves no trace: nothing went wrong with the site.
        """
        outcome = "interrupted" if stopped else "failed"
        try:
            mine = self._runs_since(site, started)
            reason = error or "the crawl process ended without closing its run"
            if stopped:
                reason = f"the scheduler was stopping ({reason})"
            for run in mine:
                if run["finished_at"] is None or (overwrite and run["outcome"] != "failed"):
                    counts = {key: run[key] or 0 for key in RUN_COUNT_KEYS}
                    self.archive.finish_run(
                        run["id"],
                        outcome=outcome,
                        counts=counts,
                        errors=[reason],
                        unreachable=run.get("unreachable"),
                    )
                    logger.warning("%s: run %s closed as %s: %s", site, run["id"], outcome, reason)
            if error and not mine and not stopped:
                run_id = self.archive.start_run(site)
                self.archive.finish_run(
                    run_id, outcome="failed", counts={"errors": 1}, errors=[error]
                )
        except OpdcwatchError as exc:
            logger.error("%s: could not record the run's failure: %s", site, exc)

    def _report(self, site: str, started: dt.datetime) -> None:
        """Notify what the run found and any health warning it raised; never raises."""
        for run in reversed(self._runs_since_safe(site, started)):
            try:
                self._report_run(site, run["id"])
            except Exception as exc:  # a notification problem never fails the run or daemon
                logger.exception("%s: the notification of run %s failed", site, run["id"])
                failure = notify.Delivery("(notification)", False, f"{type(exc).__name__}: {exc}")
                try:
                    with self.archive.writing() as conn:
                        notify.record_deliveries(conn, site, run["id"], [failure])
                except OpdcwatchError:
                    logger.error("%s: could not record the failed notification", site)

    def _runs_since_safe(self, site: str, started: dt.datetime) -> list[dict[str, Any]]:
        try:
            return self._runs_since(site, started)
        except OpdcwatchError as exc:
            logger.error("%s: cannot read the run history: %s", site, exc)
            return []

    def _report_run(self, site: str, run_id: int) -> None:
        history = health.load_history(self.archive, site, self.config.health)
        warnings = health.new_warnings(history, self.config.health)
        for warning in warnings:
            logger.warning("%s: health: %s", site, warning.message)
        urls = self.config.notify.urls
        if not urls:
            return
        with self.archive.reading() as conn:
            changes = notify.run_changes(
                conn, run_id, context_words=self.config.notify.excerpt_words
            )
            events = notify.run_events(conn, run_id)
        shown = warnings if self.config.notify.health else []
        message = notify.build_message(site, changes, shown, self.config.notify, events)
        if message is None:
            return
        deliveries = notify.send(*message, urls)
        with self.archive.writing() as conn:
            notify.record_deliveries(conn, site, run_id, deliveries)
