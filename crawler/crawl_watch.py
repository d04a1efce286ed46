"""Stopping one crawl child cleanly: on the daemon's stop, or when its time is up.

``crawler.runner.run_crawl_subprocess`` keeps its child process to itself and kills it with
SIGKILL on its own time-out, which loses the run's closing record. The scheduler therefore
starts a :class:`Watchdog` beside each crawl: it finds the child by parent pid and command line
(Linux ``/proc``), sends it one SIGTERM (the crawl then archives what it has and records its
run as interrupted) and, if it is still there after ``stop_timeout``, SIGKILL.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Protocol

logger = logging.getLogger(__name__)

# how often a crawl's watchdog looks at the daemon's stop flag and the time limit
WATCH_TICK = 0.5


def child_crawls(site: str) -> list[int]:
    """Return the pids of this process's crawl children for ``site`` (Linux ``/proc``).

    ``crawler.runner.run_crawl_subprocess`` keeps its child to itself; the daemon finds it by
    parent pid and command line (``python -m crawler.runner SPEC`` names the site) so that it
    can ask it to stop cleanly with SIGTERM.
    """
    found = []
    me = os.getpid()
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rpartition(")")[2].split()[1])
            if ppid != me:
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
        args = [a.decode("utf-8", "replace") for a in argv if a]
        if "crawler.runner" not in args:
            continue
        try:
            spec = json.loads(args[-1])
        except ValueError:
            continue
        if list(spec.get("names") or ()) == [site]:
            found.append(int(entry.name))
    return found


def _children_got_signal(signum: int | None) -> bool:
    """True when a Ctrl-C on the terminal reached the crawl children as well as the daemon.

    A second signal makes Scrapy stop uncleanly, so the daemon forwards SIGTERM only when
    the child has not already been told: a SIGINT to a foreground process group reaches all.
    """
    if signum != signal.SIGINT:
        return False
    try:
        return os.isatty(0) and os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False


class Owner(Protocol):
    """What a watchdog needs from the daemon: its limits and whether it is stopping."""

    crawl_timeout: float
    stop_timeout: float
    stopping: bool
    stop_signal: int | None


class Watchdog(threading.Thread):
    """Stops one crawl child cleanly when the daemon stops or the crawl's time is up."""

    def __init__(self, owner: Owner, site: str) -> None:
        super().__init__(name=f"watchdog-{site}", daemon=True)
        self.owner = owner
        self.site = site
        self.timed_out = False
        self._done = threading.Event()

    def run(self) -> None:
        limit = self.owner.crawl_timeout
        deadline = time.monotonic() + limit
        while not self._done.wait(WATCH_TICK):
            if self.owner.stopping:
                break
            if time.monotonic() >= deadline:
                self.timed_out = True
                logger.warning(
                    "%s: the crawl ran past its limit of %s s; stopping it", self.site, limit
                )
                break
        else:
            return
        self._terminate()

    def _terminate(self) -> None:
        pids = child_crawls(self.site)
        if self.timed_out or not _children_got_signal(self.owner.stop_signal):
            for pid in pids:
                _kill(pid, signal.SIGTERM)
        if self._done.wait(self.owner.stop_timeout):
            return
        for pid in child_crawls(self.site):
            logger.error(
                "%s: the crawl did not stop within %s s; killing it",
                self.site,
                self.owner.stop_timeout,
            )
            _kill(pid, signal.SIGKILL)

    def finish(self) -> None:
        """The crawl returned: end the watch."""
        self._done.set()
        if self.is_alive():
            self.join(timeout=5)


def _kill(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.kill(pid, signum)
