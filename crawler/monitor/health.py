"""Health rules over a site's run history: what kills scrapers in practice is a quiet redesign,
and a site that stopped answering.

A crawl that raises is easy to notice; a site redesign is not: the crawl still "succeeds", but
it finds no article any more, or the pages now extract to a line of navigation. Each rule
below looks at the runs the archive recorded (newest first) and at the bodies of the versions
those runs created, and compares the latest run with the ones before it ("suddenly"). Rules
are pure functions over plain records, in a registry keyed by name, so the daemon, ``opdcwatch
health``, ``schedule list`` and the web page all judge a site the same way.

How "(near) empty bodies" is read from what the archive stores: each version keeps its text
and the run whose capture produced it, so a run's new and changed versions can be measured
(the last ``BODIES_PER_RUN`` of each run, their lengths read from an index).
A body counts as emptied when it is shorter than ``empty_body_chars``, or when a changed body
is shorter than ``shrink_ratio`` of the version before it. A page that no longer extracts at
all raises in the parser and is counted in the run's ``errors``, which the ``page-errors`` rule
watches.

A run that got no answer at all records the kind of network error (``runs.unreachable``: DNS,
refused, timeout, TLS); the ``unreachable`` rule names it, so that a typo in a host or a
server gone offline is not mistaken for a layout change or a run of generic failures.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from archive.constants import RUN_COUNT_KEYS
from archive.registry import Registry
from crawler.config import HealthConfig
from crawler.constants import ROBOTS_UNAVAILABLE
from crawler.fetch_errors import HINTS, LABELS
from crawler.monitor.triggers import format_duration

if TYPE_CHECKING:
    from archive.store import Archive

logger = logging.getLogger(__name__)

FAILED_OUTCOMES = frozenset({"failed"})
OK_OUTCOMES = frozenset({"ok"})
# a run never finished (its process was killed) counts as failed once a later run exists
# or once it has been "running" for longer than this
UNFINISHED_AFTER = dt.timedelta(hours=24)
# no warning that a site has gone quiet before it missed this many scheduled runs
STALE_INTERVALS = 3
STALE_MINIMUM = dt.timedelta(minutes=15)
# bodies read per run (the last ones it archived): enough to judge "most", and a bulk first
# crawl of 50,000 pages costs what a daily one does
BODIES_PER_RUN = 50


@dataclass(frozen=True)
class RunRecord:
    """One crawl run as the archive's runs table records it."""

    id: int
    site: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    outcome: str | None = None
    pages: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    restored: int = 0
    errors: int = 0
    error_text: str | None = None
    unreachable: str | None = None
    reasons: Mapping[str, int] = field(default_factory=dict)  # requests without a page, by kind

    @property
    def articles(self) -> int:
        """Articles the run saw (new, changed, unchanged or restored): zero means it found none."""
        return self.new + self.changed + self.unchanged + self.restored

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> RunRecord:
        """Build a record from a row or dict with the runs table's column names."""
        names = cls.__dataclass_fields__
        values = {key: row[key] for key in names if key in row}
        for key in RUN_COUNT_KEYS:
            values[key] = int(values.get(key) or 0)
        for key in ("started_at", "finished_at"):
            if isinstance(values.get(key), str):
                values[key] = dt.datetime.fromisoformat(values[key])
        return cls(**values)


@dataclass(frozen=True)
class BodyRecord:
    """The length of one version's body, as created by a run (and of the version before it)."""

    run_id: int
    chars: int
    previous_chars: int | None = None


@dataclass(frozen=True)
class HealthWarning:
    """One reason a site is unhealthy: the rule's name, a sentence for people, the run."""

    site: str
    rule: str
    message: str
    run_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by ``opdcwatch health --json``."""
        return asdict(self)


@dataclass(frozen=True)
class SiteHistory:
    """What the rules look at for one site: runs newest first, bodies by run, the schedule."""

    site: str
    runs: Sequence[RunRecord]
    bodies: Mapping[int, Sequence[BodyRecord]] = field(default_factory=dict)
    interval: float | None = None  # seconds between scheduled runs; None: not scheduled
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


Rule = Callable[[SiteHistory, HealthConfig], "HealthWarning | None"]
HEALTH_RULES: Registry[Rule] = Registry("health rule")


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a health rule under ``name``; a name used twice is a programming error."""

    return HEALTH_RULES.entry(name)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _is_failure(run: RunRecord, index: int, now: dt.datetime) -> bool:
    if run.outcome in FAILED_OUTCOMES:
        return True
    if run.outcome is None and run.finished_at is None:
        return index > 0 or now - _aware(run.started_at) > UNFINISHED_AFTER
    return False


def _finished(history: SiteHistory) -> list[RunRecord]:
    """Runs that ended (ok, failed or interrupted), newest first."""
    return [r for r in history.runs if r.outcome is not None]


@rule("failing")
def failing_in_a_row(history: SiteHistory, config: HealthConfig) -> HealthWarning | None:
    """The last N crawls failed (errors, crashes, time-outs, killed processes)."""
    streak: list[RunRecord] = []
    for index, run in enumerate(history.runs):
        if run.outcome == "interrupted":  # stopped on purpose (daemon shutdown): no verdict
            continue
        if run.outcome is None and index == 0 and not _is_failure(run, 0, history.now):
            continue  # still running
        if not _is_failure(run, index, history.now):
            break
        streak.append(run)
    if len(streak) < config.failures_in_a_row:
        return None
    if all(run.unreachable for run in streak):
        return None  # the "unreachable" rule says it better
    last = streak[0]
    reason = (last.error_text or "no error text recorded").strip().splitlines()[0][:200]
    return HealthWarning(
        history.site,
        "failing",
        f"{len(streak)} crawls in a row failed; the last one: {reason}",
        last.id,
    )


def _first_error(run: RunRecord) -> str:
    return (run.error_text or "").strip().partition("\n")[0][:200].rstrip(".")


@rule("unreachable")
def unreachable(history: SiteHistory, config: HealthConfig) -> HealthWarning | None:
    """No successful fetch in the last N runs (or ever): the site does not answer at all."""
    done = [r for r in _finished(history) if r.outcome != "interrupted"]
    streak = []
    for run in done:
        if not run.unreachable:
            break
        streak.append(run)
    never = bool(streak) and len(streak) == len(done)
    if not streak or (len(streak) < config.unreachable_runs and not never):
        return None
    latest, count = streak[0], len(streak)
    kind = latest.unreachable or ""
    crawls = f"{count} crawl{'s' if count > 1 else ''}"
    since = f"has never answered ({crawls})" if never else f"gave no answer in its last {crawls}"
    return HealthWarning(
        history.site,
        "unreachable",
        f"unreachable ({kind}): the site {since}: {_first_error(latest) or LABELS.get(kind, kind)}"
        f"; {HINTS.get(kind, HINTS['other'])}",
        latest.id,
    )


@rule("no-articles")
def no_articles(history: SiteHistory, config: HealthConfig) -> HealthWarning | None:
    """The latest successful crawl found no article, while the ones before it did."""
    done = [r for r in _finished(history) if r.outcome in OK_OUTCOMES]
    if not done or done[0].articles > 0:
        return None
    baseline = done[1 : 1 + config.baseline_runs]
    found = [r.articles for r in baseline if r.articles > 0]
    if not found:
        return None
    latest = done[0]
    return HealthWarning(
        history.site,
        "no-articles",
        f"the latest crawl found no article ({latest.pages} pages fetched), the crawls "
        f"before it found up to {max(found)}: has the site changed its layout or links?",
        latest.id,
    )


def _emptied(body: BodyRecord, config: HealthConfig) -> bool:
    if body.chars < config.empty_body_chars:
        return True
    previous = body.previous_chars
    return bool(previous) and body.chars < config.shrink_ratio * (previous or 0)


@rule("empty-bodies")
def empty_bodies(history: SiteHistory, config: HealthConfig) -> HealthWarning | None:
    """Most bodies the latest crawl archived are (near) empty, unlike the ones before."""
    with_bodies = [r for r in _finished(history) if history.bodies.get(r.id)]
    if not with_bodies:
        return None
    latest = with_bodies[0]
    bodies = history.bodies[latest.id]
    emptied = sum(_emptied(b, config) for b in bodies)
    if emptied == 0 or emptied / len(bodies) < config.empty_share:
        return None
    before = [b for r in with_bodies[1 : 1 + config.baseline_runs] for b in history.bodies[r.id]]
    if before and sum(_emptied(b, config) for b in before) / len(before) >= config.empty_share:
        return None  # this site's pages were always that short: not a sudden change
    return HealthWarning(
        history.site,
        "empty-bodies",
        f"{emptied} of {len(bodies)} articles archived by the latest crawl extracted to "
        f"(near) empty bodies (under {config.empty_body_chars} characters or "
        f"{config.shrink_ratio:.0%} of the previous version): the page layout has probably "
        "changed; check the profile's selectors",
        latest.id,
    )


@rule("page-errors")
def page_errors(history: SiteHistory, config: HealthConfig) -> HealthWarning | None:
    """Most pages of the latest crawl failed to fetch or extract, unlike the ones before."""
    done = [r for r in _finished(history) if r.pages > 0 and r.outcome in OK_OUTCOMES]
    if not done:
        return None
    latest = done[0]
    share = latest.errors / latest.pages
    if latest.errors == 0 or share < config.empty_share:
        return None
    baseline = done[1 : 1 + config.baseline_runs]
    if baseline and all(r.errors / r.pages >= config.empty_share for r in baseline):
        return None
    return HealthWarning(
        history.site,
        "page-errors",
        f"{latest.errors} of {latest.pages} pages of the latest crawl failed to fetch or extract",
        latest.id,
    )


@rule("robots-unavailable")
def robots_unavailable(history: SiteHistory, config: HealthConfig) -> HealthWarning | None:
    """The latest finished crawl met a robots.txt that answered 5xx or timed out."""
    done = _finished(history)
    if not done or not done[0].reasons.get(ROBOTS_UNAVAILABLE):
        return None
    latest = done[0]
    line = next((ln for ln in (latest.error_text or "").splitlines() if "/robots.txt:" in ln), "")
    return HealthWarning(
        history.site,
        "robots-unavailable",
        f"robots.txt did not answer ({line.partition('/robots.txt: ')[2] or '5xx or timeout'}): "
        "the crawl kept to the last good robots.txt, or fetched nothing without one (RFC 9309)",
        latest.id,
    )


@rule("stale")
def stale(history: SiteHistory, config: HealthConfig) -> HealthWarning | None:
    """A scheduled site has not been crawled for several of its intervals."""
    if not history.interval:
        return None
    limit = max(dt.timedelta(seconds=STALE_INTERVALS * history.interval), STALE_MINIMUM)
    if not history.runs:
        return None
    last = _aware(history.runs[0].started_at)
    if history.now - last <= limit:
        return None
    return HealthWarning(
        history.site,
        "stale",
        f"no crawl since {last.isoformat(timespec='seconds')} although it is scheduled every "
        f"{format_duration(history.interval)}: is the scheduler running?",
        history.runs[0].id,
    )


def check_site(
    history: SiteHistory, config: HealthConfig, rules: Iterable[str] | None = None
) -> list[HealthWarning]:
    """Return the warnings of every rule (or of the named ones) for one site."""
    warnings = []
    for name in rules or HEALTH_RULES:
        found = HEALTH_RULES.lookup(name)(history, config)
        if found is not None:
            warnings.append(found)
    return warnings


def _body_records(archive: Archive, run_ids: Sequence[int]) -> dict[int, list[BodyRecord]]:
    """Return the body length of the versions the runs created, and of the one before each."""
    from archive import queries

    found: dict[int, list[BodyRecord]] = {}
    for run_id, chars, previous in queries.run_bodies(archive, run_ids, per_run=BODIES_PER_RUN):
        found.setdefault(run_id, []).append(BodyRecord(run_id, chars, previous))
    return found


def load_history(
    archive: Archive,
    site: str,
    config: HealthConfig,
    *,
    interval: float | None = None,
    now: dt.datetime | None = None,
) -> SiteHistory:
    """Read what the rules need about ``site`` from the archive (its recent runs and bodies)."""
    from archive import queries

    limit = max(config.failures_in_a_row, config.unreachable_runs, config.baseline_runs) * 2 + 2
    runs = [RunRecord.from_mapping(r) for r in queries.list_runs(archive, site=site, limit=limit)]
    bodies = _body_records(archive, [r.id for r in runs])
    return SiteHistory(site, runs, bodies, interval, now or dt.datetime.now(dt.UTC))


def new_warnings(history: SiteHistory, config: HealthConfig) -> list[HealthWarning]:
    """Return the warnings the latest run raised that the runs before it did not.

    The daemon notifies these, so a site that stays broken is reported once, not every run.
    """
    if not history.runs:
        return []
    before = SiteHistory(history.site, history.runs[1:], history.bodies, None, history.now)
    old_rules = {w.rule for w in check_site(before, config)}
    return [
        w
        for w in check_site(
            history,
            config,
            ("failing", "unreachable", "no-articles", "empty-bodies", "page-errors"),
        )
        if w.rule not in old_rules
    ]
