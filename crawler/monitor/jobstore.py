"""The schedule as the archive database keeps it, and what the command line does to it.

APScheduler 3 stores the jobs in ``apscheduler_jobs``: one per site with the stable id
``crawl:<name>`` (``next_run_time`` NULL = paused), and one-shot ``run-now:<name>`` jobs that
``schedule run-now`` adds. The command line opens the store with a *paused* scheduler, which
reads and rewrites jobs but never runs one; the daemon (``crawler.monitor.daemon``) re-reads the
store at every poll, so a change takes effect within seconds, or when it next starts. The
``scheduler_daemons`` table holds the running daemon's heartbeat. ``scheduler_paused`` records
which sites are paused apart from the job rows: APScheduler rewrites a due job's
``next_run_time`` after firing it, which can undo a pause written in the same instant, so the
daemon re-applies this table at every poll and never starts a scheduled crawl of a site in it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import delete, insert, select

from archive import queries
from archive.schema import scheduler_daemons as daemons
from archive.schema import scheduler_paused as paused_sites
from archive.store import Archive
from crawler.config import Config
from crawler.exceptions import SchedulerError
from crawler.monitor import health
from crawler.monitor.triggers import interval_seconds

logger = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
JOB_PREFIX = "crawl:"
RUN_NOW_PREFIX = "run-now:"
JOB_FUNC = "crawler.monitor.daemon:run_scheduled_crawl"
# a daemon whose heartbeat is older than this many poll intervals (and 30 s) is dead
HEARTBEAT_LIVES = 5
HEARTBEAT_MINIMUM = dt.timedelta(seconds=30)


def read_paused(archive: Archive) -> set[str]:
    """Return the names of the sites paused with ``schedule pause``."""
    with archive.reading() as conn:
        return set(conn.execute(select(paused_sites.c.site)).scalars())


def _set_paused(archive: Archive, site: str, paused: bool) -> None:
    with archive.writing() as conn:
        conn.execute(delete(paused_sites).where(paused_sites.c.site == site))
        if paused:
            conn.execute(insert(paused_sites).values(site=site, paused_at=utc_now()))


def job_id(site: str) -> str:
    """Return the stable job id of a site's schedule."""
    return f"{JOB_PREFIX}{site}"


def run_now_id(site: str) -> str:
    """Return the id of a site's pending one-shot ``run-now`` job."""
    return f"{RUN_NOW_PREFIX}{site}"


def site_of(job: Job) -> str | None:
    """Return the site a job crawls, or None for a job opdcwatch did not create."""
    for prefix in (JOB_PREFIX, RUN_NOW_PREFIX):
        if job.id.startswith(prefix):
            return job.id[len(prefix) :]
    return None


def utc_now() -> dt.datetime:
    """Return the time now, aware, in UTC: every time the scheduler's tables hold."""
    return dt.datetime.now(dt.UTC)


def make_scheduler(archive: Archive, config: Config) -> BackgroundScheduler:
    """Return a (not started) scheduler whose job store is the archive database."""
    store = SQLAlchemyJobStore(engine=archive.engine, tablename=JOBSTORE_TABLE)
    return BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(max_workers=config.scheduler.max_parallel)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": config.scheduler.misfire_grace_time,
        },
        timezone=config.scheduler.tzinfo(),
    )


def stop_scheduler(scheduler: BackgroundScheduler, *, wait: bool) -> None:
    """Shut a scheduler down without its last pass over the job store.

    APScheduler 3's loop processes due jobs once more after ``shutdown()`` has marked it
    stopped (and its executor closed): it would advance a due job's next run time without
    running it, so a restart would skip that run. Detaching the store first prevents that.
    """
    if not scheduler.running:
        return
    scheduler.pause()
    with contextlib.suppress(KeyError):
        scheduler.remove_jobstore("default", shutdown=False)
    scheduler.shutdown(wait=wait)


# -- the daemon's liveness row -----------------------------------------------------------------


@dataclass(frozen=True)
class DaemonInfo:
    """A running (or recently dead) daemon as its heartbeat row shows it."""

    host: str
    pid: int
    started_at: dt.datetime
    heartbeat_at: dt.datetime
    alive: bool


def heartbeat_limit(poll_interval: float) -> dt.timedelta:
    """Return how old a daemon's heartbeat may be before the daemon counts as dead."""
    return max(dt.timedelta(seconds=HEARTBEAT_LIVES * poll_interval), HEARTBEAT_MINIMUM)


def daemon_status(archive: Archive, *, now: dt.datetime | None = None) -> DaemonInfo | None:
    """Return the newest daemon heartbeat, or None when no daemon ever ran on this database."""
    now = now or utc_now()
    with archive.reading() as conn:
        row = conn.execute(select(daemons).order_by(daemons.c.heartbeat_at.desc())).first()
    if row is None:
        return None
    alive = now - row.heartbeat_at <= heartbeat_limit(row.poll_interval)
    return DaemonInfo(row.host, row.pid, row.started_at, row.heartbeat_at, alive)


# -- what the command line reads and writes ------------------------------------------------------


@dataclass(frozen=True)
class ScheduledSite:
    """One site's schedule for ``schedule list``: next run, last run, health."""

    site: str
    schedule: str
    next_run: dt.datetime | None
    paused: bool
    run_now_pending: bool
    last_run: Mapping[str, Any] | None
    warnings: Sequence[health.HealthWarning]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``schedule list --json``."""
        return {
            "site": self.site,
            "schedule": self.schedule,
            "next_run": self.next_run.isoformat() if self.next_run else None,
            "paused": self.paused,
            "run_now_pending": self.run_now_pending,
            "last_run": dict(self.last_run) if self.last_run else None,
            "healthy": not self.warnings,
            "warnings": [w.to_dict() for w in self.warnings],
        }


def describe_trigger(job: Job) -> str:
    """Return the schedule as the profile wrote it when known, else the trigger's own text."""
    return str(job.kwargs.get("schedule") or job.trigger)


def read_jobs(archive: Archive, config: Config) -> list[Job]:
    """Return the stored jobs without starting a scheduler (for listings and the web page)."""
    store = SQLAlchemyJobStore(engine=archive.engine, tablename=JOBSTORE_TABLE)
    store.start(make_scheduler(archive, config), "default")  # reads; never runs a job
    return store.get_all_jobs()


def scheduled_sites(
    archive: Archive, config: Config, *, now: dt.datetime | None = None
) -> list[ScheduledSite]:
    """Return every scheduled site with its next run, last run and health, by site name."""
    now = now or utc_now()
    jobs = {job.id: job for job in read_jobs(archive, config)}
    paused = read_paused(archive)
    found = []
    for job in sorted(jobs.values(), key=lambda j: j.id):
        if not job.id.startswith(JOB_PREFIX):
            continue
        site = job.id[len(JOB_PREFIX) :]
        last = queries.list_runs(archive, site=site, limit=1)
        is_paused = job.next_run_time is None or site in paused
        interval = None if is_paused else interval_seconds(job.trigger)
        history = health.load_history(archive, site, config.health, interval=interval, now=now)
        found.append(
            ScheduledSite(
                site=site,
                schedule=describe_trigger(job),
                next_run=None if is_paused else job.next_run_time,
                paused=is_paused,
                run_now_pending=run_now_id(site) in jobs,
                last_run=last[0] if last else None,
                warnings=health.check_site(history, config.health),
            )
        )
    return found


class ScheduleControl:
    """What the command line changes in the job store: pause, resume, run-now.

    It opens the store with a paused scheduler, which reads and rewrites jobs but never runs
    one; the daemon sees the changes at its next poll.
    """

    def __init__(self, archive: Archive, config: Config) -> None:
        self.archive = archive
        self.config = config
        self.scheduler = make_scheduler(archive, config)
        self.scheduler.start(paused=True)

    def close(self) -> None:
        """Stop the paused scheduler without letting it touch a job (the archive stays open)."""
        stop_scheduler(self.scheduler, wait=False)

    def __enter__(self) -> ScheduleControl:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _jobs(self) -> dict[str, Job]:
        return {job.id: job for job in self.scheduler.get_jobs()}

    def _job(self, site: str) -> Job:
        jobs = self._jobs()
        job = jobs.get(job_id(site))
        if job is None:
            known = sorted(
                s for s in (site_of(j) for j in jobs.values() if j.id.startswith(JOB_PREFIX)) if s
            )
            listed = ", ".join(known) if known else "none; start `opdcwatch schedule run` first"
            raise SchedulerError(f"no scheduled site {site!r} (scheduled: {listed})")
        return job

    def pause(self, site: str) -> None:
        """Stop scheduling ``site`` (a crawl already running finishes)."""
        self._job(site)
        _set_paused(self.archive, site, True)
        self.scheduler.pause_job(job_id(site))
        logger.info("paused %s", site)

    def resume(self, site: str) -> dt.datetime | None:
        """Schedule ``site`` again from now; return its next run time."""
        self._job(site)
        _set_paused(self.archive, site, False)
        job = self.scheduler.resume_job(job_id(site))
        logger.info("resumed %s", site)
        return job.next_run_time if job else None

    def run_now(self, site: str) -> None:
        """Queue one crawl of ``site`` as soon as the daemon polls (paused or not)."""
        job = self._job(site)
        self.scheduler.add_job(
            JOB_FUNC,
            trigger=DateTrigger(run_date=utc_now()),
            id=run_now_id(site),
            name=f"{site} (run-now)",
            args=[site],
            kwargs={"schedule": "run-now"},
            replace_existing=True,
            misfire_grace_time=job.misfire_grace_time,
        )
        logger.info("queued a run of %s", site)
