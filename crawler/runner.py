"""Running crawls: in this process (the CLI) or in a child process (the scheduler, the demo).

A Twisted reactor cannot be restarted, so anything that crawls more than once per process
(the scheduler, ``opdcwatch demo``) runs each crawl with :func:`run_crawl_subprocess`, which
starts ``python -m crawler.runner`` and reads its JSON summary.

Every crawl has a JOBDIR (Scrapy's on-disk queue and the spider's state), one per profile:
``<folder of the SQLite file>/jobs/<name>`` for a SQLite archive, else ``jobs/<name>`` in the
user's data folder (``~/.local/share/opdcwatch/`` on Linux).
A crawl that finishes removes it; a stopped one leaves it for ``--resume``.

Scrapy and Twisted log through the caller's root handler: at the default verbosity only
opdcwatch's own warnings reach the terminal, and Scrapy's tracebacks and warnings (a site that
does not resolve makes several) are shown from ``-v`` on; ``-s LOG_FILE=PATH`` keeps all of
it, at ``LOG_LEVEL`` (INFO), in a file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from archive.constants import APP_NAME
from crawler.constants import COUNT_KEYS, EXTRA_COUNT_KEYS
from crawler.exceptions import CrawlProcessError, CrawlTimeoutError, SettingError
from crawler.fetch_errors import format_reasons
from crawler.profiles import SiteProfile, load_registry, select_profiles
from crawler.progress import format_counts

logger = logging.getLogger(__name__)

SUMMARY_MARKER = "OPDCWATCH-SUMMARY "
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
OWN_LOGGERS = frozenset({"crawler", "archive", "parsers"})
EVENTS_SHOWN = 20  # removed / restored articles listed under a site's summary line
# how often a waiting caller looks at its stop event and the time limit (seconds)
CHILD_POLL_INTERVAL = 0.5
# how often a child checks that its caller still lives, and how long it then has to stop
ORPHAN_POLL_INTERVAL = 0.5
ORPHAN_GRACE = 5.0


@dataclass
class SiteResult:
    """How one profile's crawl went."""

    site: str
    outcome: str
    run_id: Any = None
    reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    conditional_requests: int = 0
    response_bytes: int = 0
    responses: int = 0
    elapsed: float = 0.0
    errors: list[str] = field(default_factory=list)
    failure: str | None = None  # why the crawl failed: every start request did
    unreachable: str | None = None  # DNS, refused, timeout, TLS: the site never answered
    events: list[dict[str, Any]] = field(default_factory=list)  # removed / restored articles
    revisits: dict[str, int] = field(default_factory=dict)  # known, due, requested
    reasons: dict[str, int] = field(default_factory=dict)  # requests without a page, by kind

    def details(self) -> list[str]:
        """The lines under the site's summary line: removals, restorations, revisits left."""
        lines = [
            f"  {e['kind']} {e['happened_at'][:10]}: {e['url']} ({e['how']})"
            for e in self.events[:EVENTS_SHOWN]
        ]
        if len(self.events) > EVENTS_SHOWN:
            more = len(self.events) - EVENTS_SHOWN
            lines.append(f"  … and {more} more (opdcwatch articles --gone --site {self.site})")
        if self.reasons:
            lines.append(f"  without a page: {format_reasons(self.reasons)}")
        due, requested = self.revisits.get("due", 0), self.revisits.get("requested", 0)
        if due > requested:
            lines.append(
                f"  revisited {requested:,} of {due:,} known articles due; "
                "the others in the next crawls"
            )
        return lines

    def problem(self) -> str | None:
        """One line saying why this site's crawl failed, or None."""
        if self.outcome != "failed":
            return None
        why = self.failure or self.reason or "the crawl failed"
        if self.unreachable:
            why = f"unreachable ({self.unreachable}): {why}"
        return f"{self.site}: {why}"


@dataclass
class CrawlSummary:
    """The result of one ``crawl`` invocation, over all its profiles."""

    sites: list[SiteResult]

    @property
    def outcome(self) -> str:
        """``interrupted`` if any site was stopped, ``failed`` if any failed, else ``ok``."""
        outcomes = {site.outcome for site in self.sites}
        for worst in ("interrupted", "failed"):
            if worst in outcomes:
                return worst
        return "ok"

    def total(self, key: str) -> int:
        return sum(site.counts.get(key, 0) for site in self.sites)

    def lines(self) -> list[str]:
        """One summary line per site (with its removals and restorations under it), then a
        total when there are several.

        Pages fetched but not archived are listed after the outcome: ``filtered`` (no keyword
        of the profile) and ``skipped`` (not HTML, binary, refused by robots.txt).
        """

        def line(site: str, counts: Mapping[str, int], outcome: str) -> str:
            extra = ", ".join(f"{key} {counts.get(key, 0)}" for key in EXTRA_COUNT_KEYS)
            return f"{format_counts(site, dict(counts))} ({outcome}); {extra}"

        lines = []
        for site in self.sites:
            lines.append(line(site.site, site.counts, site.outcome))
            lines.extend(site.details())
        if len(self.sites) > 1:
            totals = {key: self.total(key) for key in (*COUNT_KEYS, *EXTRA_COUNT_KEYS)}
            lines.append(line("total", totals, self.outcome))
        return lines

    def problems(self) -> list[str]:
        """One line per site whose crawl failed (for stderr)."""
        return [line for line in (site.problem() for site in self.sites) if line]

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "sites": [asdict(site) for site in self.sites]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CrawlSummary:
        return cls([SiteResult(**site) for site in data["sites"]])


def parse_setting_overrides(pairs: Iterable[str]) -> dict[str, Any]:
    """Turn ``-s NAME=VALUE`` strings into a dict; values are parsed as JSON when they can be
    (``-s DOWNLOAD_DELAY=0.5`` is a float), else kept as strings, as ``scrapy crawl -s`` does."""
    overrides: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise SettingError(f"-s expects NAME=VALUE, got {pair!r}")
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        overrides[name] = value
    return overrides


def jobs_root_for(db_url: str | None) -> Path:
    """Return the folder holding the per-profile JOBDIRs for this archive (see module doc)."""
    from archive.db import resolve_url, sqlite_path

    path = sqlite_path(resolve_url(db_url))
    if path is not None:
        return path.resolve().parent / "jobs"
    from platformdirs import user_data_path

    return user_data_path(APP_NAME) / "jobs"


def prepare_jobdir(root: Path, name: str, *, resume: bool) -> Path:
    """Return the profile's JOBDIR; a fresh crawl starts from an empty one."""
    jobdir = root / name
    if jobdir.exists() and not resume:
        shutil.rmtree(jobdir)
    elif resume and not jobdir.exists():
        logger.info("%s: nothing to resume, starting a new crawl", name)
    jobdir.mkdir(parents=True, exist_ok=True)
    return jobdir


def build_settings(
    profile: SiteProfile, overrides: Mapping[str, Any], *, jobdir: Path | None, log_level: str
) -> Any:
    """Return Scrapy Settings: project defaults < profile [settings] < -s overrides."""
    from scrapy.settings import Settings

    import crawler.settings as defaults

    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.set("LOG_LEVEL", log_level, priority="project")
    settings.set("LOG_FORMAT", LOG_FORMAT, priority="project")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="project")  # see quiet_logging
    if profile.render is not None:  # only then: a plain crawl never imports playwright
        from crawler.rendering import chromium_path, render_settings

        chromium = chromium_path(profile, overrides)
        settings.setdict(render_settings(profile.render, chromium), priority="project")
    settings.setdict(dict(profile.settings), priority="spider")
    if jobdir is not None:
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
    settings.setdict(dict(overrides), priority="cmdline")
    raise_zero_delays(settings)
    return settings


def raise_zero_delays(settings: Any) -> None:
    """Raise DOWNLOAD_DELAY, and any DOWNLOAD_SLOTS delay, to OPDCWATCH_MIN_DOWNLOAD_DELAY.

    Why: see that setting in crawler/settings.py. AutoThrottle takes DOWNLOAD_DELAY as its
    floor, so its delays stay positive too.
    """
    floor = settings.getfloat("OPDCWATCH_MIN_DOWNLOAD_DELAY")
    if settings.getfloat("DOWNLOAD_DELAY") < floor:
        settings.set("DOWNLOAD_DELAY", floor, priority=settings.getpriority("DOWNLOAD_DELAY"))
    slots = settings.getdict("DOWNLOAD_SLOTS")
    raised = {
        key: dict(slot, delay=floor) if float(slot.get("delay", floor)) < floor else slot
        for key, slot in slots.items()
    }
    if raised != slots:
        settings.set("DOWNLOAD_SLOTS", raised, priority=settings.getpriority("DOWNLOAD_SLOTS"))


def _log_level() -> str:
    level = logging.getLogger().getEffectiveLevel()
    return logging.getLevelName(max(level, logging.DEBUG))


def _own_records(record: logging.LogRecord) -> bool:
    return record.name.partition(".")[0] in OWN_LOGGERS


@contextlib.contextmanager
def quiet_logging(log_file: str | None = None, file_level: str = "INFO") -> Iterator[None]:
    """Log the crawl through the root logger's handlers, Scrapy's and Twisted's records only
    from ``-v`` (INFO) on: at the default level their tracebacks would bury the one line per
    failure that opdcwatch prints. ``log_file`` gets every record from ``file_level`` up."""
    if not logging.root.handlers:
        logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    root_level = logging.root.level
    terminal = {handler: handler.level for handler in logging.root.handlers}
    quiet = root_level > logging.INFO
    for handler in terminal:
        if quiet:
            handler.addFilter(_own_records)
        handler.setLevel(max(handler.level, root_level))  # as before, whatever the file takes
    file_handler = None
    if log_file:
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
        file_handler.setLevel(file_level)
        logging.root.addHandler(file_handler)
        logging.root.setLevel(min(root_level, file_handler.level))
    try:
        yield
    finally:
        for handler, level in terminal.items():
            handler.removeFilter(_own_records)
            handler.setLevel(level)
        if file_handler is not None:
            logging.root.removeHandler(file_handler)
            file_handler.close()
        logging.root.setLevel(root_level)


def run_crawl(
    profiles: Sequence[SiteProfile],
    archive: Any,
    *,
    db_url: str | None = None,
    max_pages: int | None = None,
    resume: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> CrawlSummary:
    """Crawl the profiles concurrently in this process and return the summary.

    Blocks until done. SIGINT/SIGTERM stop the crawl cleanly within OPDCWATCH_STOP_GRACE
    seconds and a moment (``crawler.shutdown``): what was fetched is archived and the runs are
    recorded as interrupted. Call once per process.
    """
    from scrapy.crawler import Crawler

    from crawler.rendering import check_renderable
    from crawler.shutdown import PromptStopProcess
    from crawler.spiders.site import SiteSpider

    overrides = dict(overrides or {})
    check_renderable(profiles, overrides)
    root = jobs_root_for(db_url)
    log_level = _log_level()
    base = build_settings(profiles[0], overrides, jobdir=None, log_level=log_level)
    file_level = overrides.get("LOG_LEVEL") or "INFO"
    with quiet_logging(base.get("LOG_FILE"), file_level):
        process = PromptStopProcess(base)
        crawlers = []
        for index, profile in enumerate(profiles):
            jobdir = prepare_jobdir(root, profile.name, resume=resume)
            settings = build_settings(profile, overrides, jobdir=jobdir, log_level=log_level)
            crawler = Crawler(SiteSpider, settings, init_reactor=index == 0)
            crawlers.append((profile, jobdir, crawler))
            process.crawl(crawler, profile=profile, archive=archive, max_pages=max_pages)
        process.start()
    results = []
    for profile, jobdir, crawler in crawlers:
        spider = crawler.spider
        data = getattr(spider, "result", None) if spider is not None else None
        if data is None:  # the spider never opened (bad setting, reactor stopped early)
            data = {
                "site": profile.name,
                "outcome": "failed",
                "reason": "not started",
                "counts": {key: 0 for key in COUNT_KEYS},
            }
        result = SiteResult(**data)
        if result.outcome != "interrupted":
            shutil.rmtree(jobdir, ignore_errors=True)
        else:
            logger.warning(
                "%s: stopped; continue with --resume (state in %s)", profile.name, jobdir
            )
        results.append(result)
    return CrawlSummary(results)


def run_crawl_subprocess(
    names: Sequence[str] = (),
    *,
    profile_files: Sequence[str | os.PathLike[str]] = (),
    sites_dir: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    max_pages: int | None = None,
    resume: bool = False,
    settings: Sequence[str] = (),
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    stop_event: threading.Event | None = None,
    stop_timeout: float = 60,
) -> CrawlSummary:
    """Run one crawl in a child Python process and return its summary.

    For callers that crawl repeatedly (a reactor cannot restart). The child runs in its own
    session, so a Ctrl-C meant for the caller does not reach it twice. When ``stop_event`` is
    set or ``timeout`` seconds pass, the child gets SIGTERM (it archives what it has and
    records its run as interrupted) and, if still there after ``stop_timeout``, SIGKILL.

    Returns the summary of a finished or stopped crawl. Raises CrawlTimeoutError when the
    time limit stopped it (with the child's summary, if it gave one), CrawlProcessError when
    the child fails without a summary (a bad profile, an unreachable database).
    """
    spec = {
        "names": list(names),
        "profile_files": [str(p) for p in profile_files],
        "sites_dir": str(sites_dir) if sites_dir is not None else None,
        "db_url": db_url,
        "max_pages": max_pages,
        "resume": resume,
        "settings": list(settings),
        "parent_pid": os.getpid(),
    }
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("PYTHAINLP_OFFLINE", "1")
    label = ", ".join(names) or "all sites"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.runner", json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env,
        start_new_session=True,
    )
    timed_out = False
    try:
        stdout, stderr, timed_out = _wait_for_child(proc, label, timeout, stop_event, stop_timeout)
    except BaseException:  # KeyboardInterrupt in the caller: the child must not outlive it
        _stop_child(proc, label, stop_timeout)
        raise
    summary = _find_summary(stdout)
    if timed_out:
        raise CrawlTimeoutError(label, timeout or 0, summary)
    if summary is not None:
        return summary
    last = (stderr.strip().splitlines() or ["no output"])[-1]
    raise CrawlProcessError(f"crawl process failed (exit {proc.returncode}): {last}")


def _wait_for_child(
    proc: subprocess.Popen[str],
    label: str,
    timeout: float | None,
    stop_event: threading.Event | None,
    stop_timeout: float,
) -> tuple[str, str, bool]:
    """Wait for the child, stopping it on ``stop_event`` or the time limit.

    Returns its stdout, its stderr and whether the time limit stopped it.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            stdout, stderr = proc.communicate(timeout=CHILD_POLL_INTERVAL)
            return stdout, stderr, False
        except subprocess.TimeoutExpired:
            pass  # communicate() keeps what was read so far for the next call
        if stop_event is not None and stop_event.is_set():
            logger.info("%s: asking the crawl to stop", label)
            return (*_stop_child(proc, label, stop_timeout), False)
        if deadline is not None and time.monotonic() >= deadline:
            logger.warning("%s: the crawl ran past its limit of %s s; stopping it", label, timeout)
            return (*_stop_child(proc, label, stop_timeout), True)


def _stop_child(proc: subprocess.Popen[str], label: str, stop_timeout: float) -> tuple[str, str]:
    """SIGTERM the child's process group, then SIGKILL it after ``stop_timeout`` seconds."""
    _signal_group(proc, signal.SIGTERM)
    try:
        return proc.communicate(timeout=stop_timeout)
    except subprocess.TimeoutExpired:
        logger.error("%s: the crawl did not stop within %s s; killing it", label, stop_timeout)
        _signal_group(proc, signal.SIGKILL)
        return proc.communicate()


def _signal_group(proc: subprocess.Popen[str], signum: int) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.killpg(proc.pid, signum)


def _find_summary(stdout: str) -> CrawlSummary | None:
    for line in reversed((stdout or "").splitlines()):
        if line.startswith(SUMMARY_MARKER):
            return CrawlSummary.from_dict(json.loads(line[len(SUMMARY_MARKER) :]))
    return None


def crawl_from_spec(spec: Mapping[str, Any]) -> CrawlSummary:
    """Load profiles, open the archive and crawl, as described by a JSON-ready spec."""
    from archive import Archive

    registry = load_registry(spec.get("profile_files", ()), spec.get("sites_dir"))
    profiles = select_profiles(registry, spec.get("names", ()))
    overrides = parse_setting_overrides(spec.get("settings", ()))
    archive = Archive.open(spec.get("db_url"))
    return run_crawl(
        profiles,
        archive,
        db_url=spec.get("db_url"),
        max_pages=spec.get("max_pages"),
        resume=bool(spec.get("resume")),
        overrides=overrides,
    )


def stop_with_parent(parent_pid: int) -> None:
    """Stop this crawl (SIGTERM to itself, SIGKILL after ORPHAN_GRACE) once its caller is gone.

    The caller supervises the crawl: its time limit, the run it closes, a cluster worker's
    lock on the site. A caller killed with SIGKILL must not leave the crawl running on its
    own, in a session where no signal meant for the caller reaches it. Stopped with SIGTERM,
    the crawl archives what it fetched and records its run as interrupted.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(ORPHAN_POLL_INTERVAL)
        logger.error("the process that started this crawl (pid %s) is gone: stopping", parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(ORPHAN_GRACE)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m crawler.runner SPEC_JSON``: crawl, print the summary marker line."""
    from parsers.exceptions import OpdcwatchError

    args = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    spec = json.loads(args[0])
    if spec.get("parent_pid"):
        stop_with_parent(int(spec["parent_pid"]))
    try:
        summary = crawl_from_spec(spec)
    except OpdcwatchError as exc:
        sys.stderr.write(f"opdcwatch: error: {exc}\n")
        return exc.exit_code
    sys.stdout.write(SUMMARY_MARKER + json.dumps(summary.to_dict(), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
