"""``opdcwatch worker``: crawls taken from the cluster's queue (see ``crawler.monitor.queue``).

A worker is a Celery worker with a thread pool: each thread runs one crawl at a time, in a
child process with its time limit (``crawler.monitor.crawljob.SiteCrawl``, as the daemon runs
it), so a worker's ``--concurrency`` is how many sites it crawls at once. For each message it:

1. skips a scheduled crawl of a paused site (``run-now`` crawls it all the same);
2. takes the site's cluster-wide lock (``crawler.monitor.sitelock``, one PostgreSQL session per
   worker); when another crawl holds it, the site is being crawled now and this request is
   skipped, as the daemon skips a crawl of a site whose crawl is still running;
3. skips the crawl when a crawl of the site that started after the request already ended
   well: a message delivered twice, or queued twice while workers were busy, crawls once;
4. closes the runs of crawls whose worker died before closing them, then crawls; its run
   names this worker.

A crawl stopped because the worker is shutting down (SIGTERM: warm shutdown) goes back on the
queue for another worker, as does one whose lock connection was lost.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive import queries
from archive.constants import RUN_COUNT_KEYS
from archive.store import Archive
from crawler.config import Config
from crawler.monitor.crawljob import STOPPED, SiteCrawl
from crawler.monitor.jobstore import read_paused
from crawler.monitor.queue import CRAWL_TASK, broker_kind, check_broker, make_app
from crawler.monitor.sitelock import LockSession, SiteLock

logger = logging.getLogger(__name__)

# how often a running crawl's watcher looks at the worker's stop flag (seconds)
WATCH_STEP = 1.0

# skipped crawls, as the task returns them (Celery logs the return value)
PAUSED = "paused"
BUSY = "busy"
DONE = "done already"


@dataclasses.dataclass
class WorkerRuntime:
    """What the crawl task needs of the worker process running it."""

    archive: Archive
    config: Config
    db_url: str
    name: str
    stop: threading.Event
    app: Any
    locks: LockSession


_RUNTIME: WorkerRuntime | None = None


def worker_name() -> str:
    """Return this process's worker name: ``opdcwatch-<pid>@<host>``, unique in a cluster."""
    return f"opdcwatch-{os.getpid()}@{socket.gethostname()}"


def crawl_site(
    task: Any,
    site: str,
    profile: str | None = None,
    scheduled: bool = True,
    requested_at: str | None = None,
) -> str:
    """The crawl task (``opdcwatch.crawl_site``): one crawl of ``site``; see the module doc."""
    from celery.exceptions import Reject

    rt = _RUNTIME
    if rt is None:
        raise RuntimeError("the crawl task runs only inside `opdcwatch worker`")
    if rt.stop.is_set():
        raise Reject("the worker is stopping", requeue=True)
    if task.request.delivery_info.get("redelivered"):
        logger.warning("%s: this crawl was delivered before (its worker died?)", site)
    if scheduled and site in read_paused(rt.archive):
        logger.info("%s is paused: the scheduled crawl is skipped", site)
        return PAUSED
    with SiteLock(rt.locks, site) as lock:
        if not lock.held:
            logger.info("%s: another worker is crawling it; this crawl is skipped", site)
            return BUSY
        if requested_at and _crawled_since(rt.archive, site, requested_at):
            logger.info("%s: crawled since this crawl was requested; skipped", site)
            return DONE
        _close_abandoned_runs(rt.archive, site, rt.name)
        crawl_stop = threading.Event()
        with (
            _profile_files(site, profile) as files,
            _watching(task, rt, lock, crawl_stop),
        ):
            crawl = SiteCrawl(
                rt.archive, rt.config, db_url=rt.db_url, stop_event=crawl_stop, worker=rt.name
            )
            ended = crawl.run(site, profile_files=files)
    if ended == STOPPED:
        raise Reject(f"{site}: the crawl was stopped; queued again", requeue=True)
    return ended


def _crawled_since(archive: Archive, site: str, requested_at: str) -> bool:
    """True when a crawl of ``site`` that started after ``requested_at`` ended well.

    The scheduler's clock stamps the request, the worker's the run: keep both on NTP.
    """
    asked = dt.datetime.fromisoformat(requested_at)
    return any(
        run["outcome"] == "ok" and dt.datetime.fromisoformat(run["started_at"]) >= asked
        for run in queries.list_runs(archive, site=site, limit=20)
    )


def _close_abandoned_runs(archive: Archive, site: str, me: str) -> None:
    """Close the open runs of cluster crawls of ``site``: holding its lock, none is running."""
    for run in queries.list_runs(archive, site=site, limit=20):
        if run["finished_at"] is not None or not run["worker"]:
            continue  # closed, or a local crawl (opdcwatch crawl), which takes no lock
        reason = (
            f"worker {run['worker']} ended before this crawl did (killed, or its machine lost); "
            f"the crawl was run again by {me}"
        )
        counts = {key: run[key] or 0 for key in RUN_COUNT_KEYS if key != "errors"}
        archive.finish_run(
            run["id"],
            outcome="failed",
            counts=counts,
            errors=[reason],
            unreachable=run.get("unreachable"),
        )
        logger.warning("%s: run %s closed as failed: %s", site, run["id"], reason)


@contextlib.contextmanager
def _profile_files(site: str, profile: str | None) -> Iterator[tuple[str, ...]]:
    """Yield the profile file(s) a crawl of ``site`` needs: none for a bundled profile."""
    if profile is None:
        yield ()
        return
    with tempfile.TemporaryDirectory(prefix="opdcwatch-profile-") as folder:
        path = Path(folder) / f"{site}.toml"
        path.write_text(profile, encoding="utf-8")
        yield (str(path),)


class _RedisVisibility:
    """Keeps a running crawl's message from going back on a Redis queue.

    kombu's Redis transport files each delivered, unacknowledged message in the sorted set
    ``unacked_index`` under its delivery time, and puts back on the queue every message older
    than the visibility timeout. Moving our message's time forward while the crawl runs keeps
    it; once the worker dies, nothing moves it and it goes back within the timeout. kombu has
    no public call for this; ZADD XX on its own key (through its own channel, so a
    ``global_keyprefix`` applies) is the whole of it.
    """

    def __init__(self, app: Any, tag: str) -> None:
        self.tag = tag
        self.conn = app.connection_for_write()
        channel = self.conn.default_channel
        self.client = channel.client
        self.key = channel.unacked_index_key

    def refresh(self) -> bool:
        """Move the message's delivery time to now; False if it is no longer held."""
        return bool(self.client.zadd(self.key, {self.tag: time.time()}, xx=True, ch=True))

    def close(self) -> None:
        self.conn.release()


@contextlib.contextmanager
def _watching(task: Any, rt: WorkerRuntime, lock: SiteLock, crawl_stop: threading.Event):
    """While the crawl runs: pass on the worker's stop, keep the message and check the lock.

    The crawl is stopped (and queued again) when the worker stops or the lock's session is
    lost: without the lock, another worker could start the same site.
    """
    visibility = None
    tag = (task.request.properties or {}).get("delivery_tag")
    if broker_kind(str(rt.app.conf.broker_url)) == "redis" and tag:
        visibility = _RedisVisibility(rt.app, tag)
    every = max(rt.config.cluster.visibility_timeout / 3, WATCH_STEP)
    done = threading.Event()

    def watch() -> None:
        last = time.monotonic()
        while not done.wait(WATCH_STEP):
            if rt.stop.is_set():
                crawl_stop.set()
            if time.monotonic() - last < every:
                continue
            last = time.monotonic()
            if not lock.alive():
                crawl_stop.set()
            if visibility is not None:
                try:
                    if not visibility.refresh():
                        logger.warning("%s: its message went back on the queue", lock.site)
                except Exception as exc:  # a broker hiccup: the next pass tries again
                    logger.warning("%s: could not keep its message: %s", lock.site, exc)

    watcher = threading.Thread(target=watch, name=f"watch-{lock.site}", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
        if visibility is not None:
            visibility.close()


def run_worker(
    broker_url: str,
    db_url: str,
    config: Config,
    *,
    concurrency: int,
    loglevel: str = "WARNING",
) -> int:
    """Run a worker until SIGTERM/SIGINT (warm shutdown); return its exit code."""
    global _RUNTIME
    from celery import signals

    app = make_app(broker_url, config.cluster)
    app.task(name=CRAWL_TASK, bind=True)(crawl_site)
    check_broker(app, broker_url)
    name = worker_name()
    stop = threading.Event()
    with Archive.open(db_url) as archive:
        locks = LockSession(archive)
        _RUNTIME = WorkerRuntime(archive, config, db_url, name, stop, app, locks)

        def on_ready(**_kwargs: Any) -> None:
            logger.info("%s: ready: taking crawls from queue %s", name, config.cluster.queue)

        def on_shutdown(**_kwargs: Any) -> None:
            logger.warning("%s: stopping: running crawls stop and go back on the queue", name)
            stop.set()

        signals.worker_ready.connect(on_ready, weak=False)
        signals.worker_shutting_down.connect(on_shutdown, weak=False)
        try:
            worker = app.Worker(
                hostname=name,
                pool_cls="threads",
                concurrency=concurrency,
                loglevel=loglevel,
                quiet=True,
                without_gossip=True,
                without_mingle=True,
                without_heartbeat=True,
            )
            worker.start()
        finally:
            signals.worker_ready.disconnect(on_ready)
            signals.worker_shutting_down.disconnect(on_shutdown)
            _RUNTIME = None
            locks.close()
    return int(worker.exitcode or 0)
