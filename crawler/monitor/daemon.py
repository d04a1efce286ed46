"""The scheduling daemon: every profile with a ``schedule`` crawled on time, for months.

``opdcwatch schedule run`` builds a :class:`Daemon`: APScheduler 3 with its jobs in the archive
database (see ``crawler.monitor.jobstore``), one job per site with the stable id
``crawl:<name>``, ``max_instances=1``, coalescing and a misfire grace time, so that a restart
picks the schedule up where it was and a missed run runs once. Each run is a
``crawler.monitor.crawljob.SiteCrawl``: a child process with a wall-clock limit, its run closed
and notified. With a broker (``schedule run --broker URL``) a due crawl is queued instead, for
the cluster's ``opdcwatch worker`` processes (``crawler.monitor.queue``).

APScheduler 3 does not share a job store live between processes: the daemon re-reads it every
``poll_interval`` (``scheduler.wakeup()``), which is how ``schedule pause``/``resume``/
``run-now`` take effect without a restart. SIGTERM/SIGINT: no new crawl starts, the running
ones are asked to stop (the child gets SIGTERM and archives what it has), then exit 0.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import signal
import socket
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, insert, update

from archive.recording import new_id
from archive.store import Archive
from crawler.config import Config
from crawler.exceptions import SchedulerError
from crawler.monitor.crawljob import SiteCrawl
from crawler.monitor.jobstore import (
    JOB_FUNC,
    daemon_status,
    daemons,
    heartbeat_limit,
    job_id,
    make_scheduler,
    read_paused,
    site_of,
    stop_scheduler,
    utc_now,
)
from crawler.monitor.triggers import parse_schedule, same_schedule
from crawler.profiles import SiteProfile
from parsers.exceptions import OpdcwatchError

if TYPE_CHECKING:
    from crawler.monitor.queue import CrawlQueue

logger = logging.getLogger(__name__)

# -- the daemon ---------------------------------------------------------------------------------

_ACTIVE: Daemon | None = None


def first_run(now: dt.datetime, jitter: int | None) -> dt.datetime:
    """When a new interval job first runs: now, plus up to ``jitter`` seconds at random, so
    a hundred new sites do not start their first crawl in the same second either."""
    return now + dt.timedelta(seconds=random.uniform(0, jitter)) if jitter else now


def run_scheduled_crawl(site: str, schedule: str | None = None) -> None:
    """The job function APScheduler stores by reference: hands the run to the live daemon."""
    daemon = _ACTIVE
    if daemon is None:
        logger.error("a crawl of %s fired outside a running daemon; ignored", site)
        return
    daemon.crawl(site, scheduled=schedule != "run-now")


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
        queue: CrawlQueue | None = None,
    ) -> None:
        self.archive = archive
        self.config = config
        self.db_url = db_url
        self.profiles = {p.name: p for p in profiles if p.schedule}
        tz = config.scheduler.tzinfo()
        # every schedule is checked before anything starts: a typo is one clear error
        self.triggers = {
            name: parse_schedule(p.schedule or "", profile=name, timezone=tz, jitter=p.jitter)
            for name, p in self.profiles.items()
        }
        options = dict(crawl_options or {})
        self.scheduler = make_scheduler(archive, config)
        self._stop = threading.Event()
        self.queue = queue
        self.site_crawl = SiteCrawl(
            archive,
            config,
            db_url=db_url,
            stop_event=self._stop,
            profile_files=options.get("profile_files", ()),
            sites_dir=options.get("sites_dir"),
        )
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
        now = utc_now()
        with self.archive.writing() as conn:
            conn.execute(
                delete(daemons).where(
                    daemons.c.heartbeat_at
                    < now - heartbeat_limit(self.config.scheduler.poll_interval)
                )
            )
            row = insert(daemons).values(
                host=socket.gethostname(),
                pid=os.getpid(),
                started_at=now,
                heartbeat_at=now,
                poll_interval=max(1, round(self.config.scheduler.poll_interval)),
            )
            self._row_id = new_id(conn.execute(row))

    def _heartbeat(self) -> None:
        try:
            with self.archive.writing() as conn:
                alive = update(daemons).where(daemons.c.id == self._row_id)
                conn.execute(alive.values(heartbeat_at=utc_now()))
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
        now = utc_now()
        for name, profile in sorted(self.profiles.items()):
            trigger = self.triggers[name]
            old = existing.get(job_id(name))
            options: dict[str, Any] = {}
            if old is not None and same_schedule(old.trigger, trigger):
                trigger = old.trigger  # keep the interval's anchor
                options["next_run_time"] = old.next_run_time  # pending, missed or paused (None)
            elif old is None and isinstance(trigger, IntervalTrigger):
                options["next_run_time"] = first_run(now, profile.jitter)
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
        """Run one crawl of ``site`` (see ``crawler.monitor.crawljob``), or queue it.

        Called in an executor thread. Whatever goes wrong stays with this site: it is logged
        and recorded as a failed run, and the next scheduled run happens as usual. A scheduled
        run of a paused site is skipped; ``run-now`` crawls a paused site all the same. With a
        broker the crawl is queued for the cluster's workers instead.
        """
        if self._stop.is_set():
            return
        if scheduled and site in self._paused_safe():
            logger.info("%s is paused: the scheduled crawl is skipped", site)
            return
        if site not in self.profiles:
            logger.error("no scheduled profile %s; the job is ignored", site)
            return
        if self.queue is not None:
            self._enqueue(site, scheduled=scheduled)
            return
        lock = self._locks[site]
        if not lock.acquire(blocking=False):  # a run-now while the scheduled run is going
            logger.info("%s: a crawl is already running; this one is skipped", site)
            return
        with self._running_guard:
            self._running[site] = utc_now()
        try:
            self.site_crawl.run(site)
        finally:
            with self._running_guard:
                self._running.pop(site, None)
            lock.release()

    def _enqueue(self, site: str, *, scheduled: bool) -> None:
        """Hand the crawl to the cluster; a broker that cannot take it is a failed run."""
        try:
            assert self.queue is not None, "only a cluster daemon enqueues"
            self.queue.enqueue(self.profiles[site], scheduled=scheduled)
        except OpdcwatchError as exc:
            logger.error("%s: %s", site, exc)
            try:
                run_id = self.archive.start_run(site)
                self.archive.finish_run(
                    run_id, outcome="failed", counts={"errors": 1}, errors=[str(exc)]
                )
            except OpdcwatchError as again:
                logger.error("%s: could not record the failure: %s", site, again)
