"""One crawl of one site, from start to notification, for the daemon and for cluster workers.

The crawl runs in a child process (a Twisted reactor cannot restart; a child also hands its
memory back) with a wall-clock limit. Afterwards a run the child could not close (killed,
crashed, never started) is closed here, and the run's notification is sent. Whatever goes
wrong stays with this crawl: it is logged and recorded as a failed run, never raised.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from typing import Any, NamedTuple

from archive import queries
from archive.constants import RUN_COUNT_KEYS
from archive.store import Archive
from crawler.config import Config
from crawler.exceptions import CrawlTimeoutError
from crawler.monitor import health, notify
from parsers.exceptions import OpdcwatchError

logger = logging.getLogger(__name__)

# how a crawl ended, as SiteCrawl.run returns it
FINISHED = "finished"  # the crawl ran to its end (its run may still record errors)
FAILED = "failed"  # it could not run, or its process failed
TIMED_OUT = "timed out"  # stopped at its time limit: recorded failed
STOPPED = "stopped"  # the stop event ended it: its run is interrupted


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _unrecorded_failure(summary: Any) -> str | None:
    """Return why a crawl failed before it could open its run (the child says so, no run id)."""
    for result in summary.sites:
        if result.outcome == "failed" and result.run_id is None:
            return result.reason or "the crawl failed before it started"
    return None


class _Start(NamedTuple):
    """When a crawl started, and the site's newest run before it (None: unknown)."""

    at: dt.datetime
    after_run: int | None


class SiteCrawl:
    """Runs crawls of single sites in child processes, closes their runs, notifies.

    ``stop_event`` stops a running crawl cleanly (the child archives what it has); ``worker``
    is the cluster worker's name, recorded with every run it opens.
    """

    def __init__(
        self,
        archive: Archive,
        config: Config,
        *,
        db_url: str,
        stop_event: threading.Event,
        profile_files: Sequence[str] = (),
        sites_dir: str | None = None,
        worker: str | None = None,
    ) -> None:
        self.archive = archive
        self.config = config
        self.db_url = db_url
        self.stop_event = stop_event
        self.profile_files = tuple(profile_files)
        self.sites_dir = sites_dir
        self.worker = worker

    def run(self, site: str, *, profile_files: Sequence[str] = ()) -> str:
        """Crawl ``site`` once; return how it ended (FINISHED, FAILED, TIMED_OUT, STOPPED).

        ``profile_files`` are added to this runner's own for this crawl only.
        """
        started = _Start(_now(), self._last_run_id(site))
        logger.info("%s: crawl started", site)
        error = None
        ended = FINISHED
        try:
            summary = self._run_crawl(site, (*self.profile_files, *profile_files))
            logger.info("%s: crawl ended: %s", site, "; ".join(summary.lines()))
            error = _unrecorded_failure(summary)
        except CrawlTimeoutError as exc:  # stopped cleanly, but a site that never finishes
            ended = TIMED_OUT  # in time must become unhealthy: its run is recorded failed
            error = (
                f"the crawl was stopped after its time limit of "
                f"{self.config.scheduler.crawl_timeout} s"
            )
            if exc.summary is not None:
                logger.info("%s: crawl stopped: %s", site, "; ".join(exc.summary.lines()))
                unrecorded = _unrecorded_failure(exc.summary)
                error += f": {unrecorded}" if unrecorded else ""
        except Exception as exc:  # one site's failure must never reach the caller
            logger.error(
                "%s: crawl failed: %s", site, exc, exc_info=not isinstance(exc, OpdcwatchError)
            )
            error = str(exc) if isinstance(exc, OpdcwatchError) else f"{type(exc).__name__}: {exc}"
        if error and ended == FINISHED:
            ended = FAILED
        if self.stop_event.is_set() and ended != TIMED_OUT:
            ended = STOPPED
        timed_out, stopped = ended == TIMED_OUT, ended == STOPPED
        self._close_runs(site, started, error, overwrite=timed_out, stopped=stopped)
        self._report(site, started)
        return ended

    def _run_crawl(self, site: str, profile_files: Sequence[str]) -> Any:
        from crawler.runner import run_crawl_subprocess

        return run_crawl_subprocess(
            [site],
            profile_files=profile_files,
            sites_dir=self.sites_dir,
            db_url=self.db_url,
            settings=[f"OPDCWATCH_WORKER={self.worker}"] if self.worker else (),
            timeout=self.config.scheduler.crawl_timeout,
            stop_event=self.stop_event,
            stop_timeout=self.config.scheduler.stop_timeout,
        )

    def _last_run_id(self, site: str) -> int | None:
        """The newest run of ``site`` before this crawl: the runs after it are this crawl's
        (one crawl of a site at a time), however soon after the last one it starts."""
        try:
            runs = queries.list_runs(self.archive, site=site, limit=1)
        except OpdcwatchError:
            return None
        return int(runs[0]["id"]) if runs else 0

    def _runs_since(self, site: str, started: _Start) -> list[dict[str, Any]]:
        """The runs of ``site`` this crawl opened, by this worker: those after the site's
        newest run before it, or (when that could not be read) since it started."""
        since = started.at - dt.timedelta(seconds=1)
        return [
            run
            for run in queries.list_runs(self.archive, site=site, limit=10)
            if (
                run["id"] > started.after_run
                if started.after_run is not None
                else dt.datetime.fromisoformat(run["started_at"]) >= since
            )
            and (self.worker is None or run["worker"] == self.worker)
        ]

    def _close_runs(
        self,
        site: str,
        started: _Start,
        error: str | None,
        *,
        overwrite: bool = False,
        stopped: bool = False,
    ) -> None:
        """Record a run the crawl could not close itself (killed, crashed, never started).

        With ``overwrite`` (the time limit stopped it) a run the child closed as interrupted
        is recorded as failed, so that a site that never finishes in time becomes unhealthy.
        With ``stopped`` (the caller is shutting down) an unclosed run is "interrupted", and a
        crawl stopped before it opened a run leaves no trace: nothing went wrong with the site.
        """
        outcome = "interrupted" if stopped else "failed"
        try:
            mine = self._runs_since(site, started)
            reason = error or "the crawl process ended without closing its run"
            if stopped:
                who = f"worker {self.worker}" if self.worker else "the scheduler"
                reason = f"{who} was stopping ({reason})"
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
                run_id = self.archive.start_run(site, worker=self.worker)
                self.archive.finish_run(
                    run_id, outcome="failed", counts={"errors": 1}, errors=[error]
                )
        except OpdcwatchError as exc:
            logger.error("%s: could not record the run's failure: %s", site, exc)

    def _report(self, site: str, started: _Start) -> None:
        """Notify what the run found and any health warning it raised; never raises."""
        for run in reversed(self._runs_since_safe(site, started)):
            try:
                self._report_run(site, run["id"])
            except Exception as exc:  # a notification problem never fails the run or caller
                logger.exception("%s: the notification of run %s failed", site, run["id"])
                failure = notify.Delivery("(notification)", False, f"{type(exc).__name__}: {exc}")
                try:
                    with self.archive.writing() as conn:
                        notify.record_deliveries(conn, site, run["id"], [failure])
                except OpdcwatchError:
                    logger.error("%s: could not record the failed notification", site)

    def _runs_since_safe(self, site: str, started: _Start) -> list[dict[str, Any]]:
        try:
            return self._runs_since(site, started)
        except OpdcwatchError as exc:
            logger.error("%s: cannot read the run history: %s", site, exc)
            return []

    def _site_notify(self, site: str) -> tuple[tuple[str, ...], str | None]:
        """The site profile's own ``notify`` URLs and ``notify_template`` (none when its
        profile cannot be read now: the config's URLs still get the message)."""
        from crawler.profiles import load_registry

        try:
            profile = load_registry(self.profile_files, self.sites_dir).get(site)
        except OpdcwatchError as exc:
            logger.warning("%s: profile not read for its notification settings: %s", site, exc)
            return (), None
        if profile is None:
            return (), None
        return profile.notify, profile.notify_template

    def _report_run(self, site: str, run_id: int) -> None:
        history = health.load_history(self.archive, site, self.config.health)
        warnings = health.new_warnings(history, self.config.health)
        for warning in warnings:
            logger.warning("%s: health: %s", site, warning.message)
        own_urls, template = self._site_notify(site)
        urls = tuple(dict.fromkeys((*self.config.notify.urls, *own_urls)))
        if not urls:
            return
        with self.archive.reading() as conn:
            changes = notify.run_changes(
                conn, run_id, context_words=self.config.notify.excerpt_words
            )
            events = notify.run_events(conn, run_id)
        shown = warnings if self.config.notify.health else []
        message = notify.build_message(
            site, changes, shown, self.config.notify, events, template=template
        )
        if message is None:
            return
        deliveries = notify.send(*message, urls)
        with self.archive.writing() as conn:
            notify.record_deliveries(conn, site, run_id, deliveries)
