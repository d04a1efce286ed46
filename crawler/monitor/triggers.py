"""Turn a profile's ``schedule`` text into an APScheduler 3 trigger.

Two forms are accepted, the ones the profiles document: a five-field crontab line
(``"0 */6 * * *"``, with crontab's own weekday numbers, 0 and 7 = Sunday) or ``@hourly`` style
macros, and an interval such as ``"every 6h"``, ``"every 10 minutes"`` or ``"every 1h30m"``
(always with its unit: ``"every 1"`` is an error, not one second). A value that is neither
raises :class:`ScheduleError` naming the profile, so a typo in one TOML file is one clear line
rather than a site that silently never runs.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.exceptions import ScheduleError

logger = logging.getLogger(__name__)

# crontab macros (as in Vixie cron) -> the five-field line they stand for
CRON_MACROS: dict[str, str] = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

# seconds per unit of a duration such as "6h", "30s", "1h30m", "2 days"
DURATION_UNITS: dict[str, int] = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}

_DURATION_PART_RE = re.compile(r"(\d+)\s*([a-z]+)")
_DURATION_RE = re.compile(r"^(?:\d+\s*[a-z]+\s*)+$")
_EVERY_RE = re.compile(r"^every\b\s*(.*)$", re.IGNORECASE)

# crontab weekday numbers (0 and 7 = Sunday) and names; APScheduler 3 numbers Monday as 0,
# so weekdays are always handed to it by name
CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def parse_duration(text: str | int | float) -> int:
    """Return the number of seconds in ``"6h"``, ``"30s"``, ``"1h30m"``, ``"2 days"`` or a number.

    Raises ``ValueError`` (callers turn it into their own error naming the setting).
    """
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, int | float):
        seconds = int(text)
    else:
        value = text.strip().lower()
        if value.isdecimal():  # not isdigit(): int() refuses "²"
            seconds = int(value)
        elif _DURATION_RE.match(value):
            seconds = 0
            for amount, unit in _DURATION_PART_RE.findall(value):
                if unit not in DURATION_UNITS:
                    raise ValueError(f"unknown unit {unit!r} in {text!r} (use s, m, h, d or w)")
                seconds += int(amount) * DURATION_UNITS[unit]
        else:
            raise ValueError(f"not a duration: {text!r} (examples: 30s, 15m, 6h, 1h30m, 2d)")
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, not {text!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """Return ``"6h"``, ``"1h30m"``, ``"45s"``: the short form used in listings."""
    remaining = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if remaining >= size:
            parts.append(f"{remaining // size}{unit}")
            remaining %= size
    return "".join(parts) or "0s"


def _weekday(token: str) -> int:
    token = token.strip().lower()
    if token.isdecimal() and 0 <= int(token) <= 7:
        return int(token) % 7
    if token[:3] in CRON_WEEKDAYS:
        return CRON_WEEKDAYS.index(token[:3])
    raise ValueError(f"bad day of week {token!r}")


def _crontab_weekdays(field: str) -> str:
    """Translate a crontab day-of-week field into APScheduler's names (which are unambiguous)."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for element in field.split(","):
        base, _, step_text = element.partition("/")
        step = int(step_text) if step_text else 1
        if step <= 0:
            raise ValueError(f"bad step in {element!r}")
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            start, _, end = base.partition("-")
            first, last = _weekday(start), _weekday(end)
            if end.strip() == "7":
                last = 7
            if last < first:
                raise ValueError(f"bad range {base!r}")
        else:
            first = _weekday(base)
            last = 6 if step_text else first
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(CRON_WEEKDAYS[day] for day in sorted(days))


def _cron_trigger(
    line: str, timezone: dt.tzinfo | str | None, jitter: int | None = None
) -> CronTrigger:
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(
            f"a cron line has 5 fields (minute hour day month weekday), not {len(fields)}"
        )
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_weekdays(weekday),
        timezone=timezone,
        jitter=jitter,
    )


def parse_schedule(
    value: str,
    *,
    profile: str,
    timezone: dt.tzinfo | str | None = None,
    start: dt.datetime | None = None,
    jitter: int | None = None,
) -> BaseTrigger:
    """Return the trigger for a profile's ``schedule``, or raise :class:`ScheduleError`.

    ``timezone`` is the zone cron lines are read in (default: the machine's); ``start`` anchors
    an interval (default: now plus one interval, as APScheduler does). ``jitter``: at most this
    many seconds, drawn anew for every run, are added to each fire time (APScheduler's own
    ``jitter``), so sites sharing ``0 */6 * * *`` do not all start in the same second.
    """
    text = (value or "").strip() if isinstance(value, str) else ""
    try:
        if not text:
            raise ValueError("it is empty")
        every = _EVERY_RE.match(text)
        if every:
            if every.group(1).strip().isdigit():  # "every 1": one second? one hour? say which
                raise ValueError(
                    "an interval needs a unit, such as 'every 10 minutes' or 'every 1h' "
                    "(s, m, h, d or w)"
                )
            seconds = parse_duration(every.group(1))
            return IntervalTrigger(
                seconds=seconds, start_date=start, timezone=timezone or "UTC", jitter=jitter or None
            )
        line = CRON_MACROS.get(text.lower(), text)
        if line.startswith("@"):
            raise ValueError(f"unknown macro {text!r} (known: {', '.join(CRON_MACROS)})")
        return _cron_trigger(line, timezone, jitter or None)
    except (ValueError, LookupError) as exc:
        raise ScheduleError(
            f"profile {profile!r}: bad schedule {value!r}: {exc}; use a cron line such as "
            f"'0 */6 * * *' or an interval such as 'every 6h' or 'every 30m'"
        ) from exc


def interval_seconds(trigger: BaseTrigger, *, now: dt.datetime | None = None) -> float | None:
    """Return the usual gap between two runs of ``trigger`` (for cron: the next two fire times)."""
    if isinstance(trigger, IntervalTrigger):
        return trigger.interval_length
    now = now or dt.datetime.now(dt.UTC)
    first = trigger.get_next_fire_time(None, now)
    if first is None:
        return None
    second = trigger.get_next_fire_time(first, first + dt.timedelta(seconds=1))
    if second is None:
        return None
    return (second - first).total_seconds()


def same_schedule(a: BaseTrigger, b: BaseTrigger) -> bool:
    """Return True when two triggers fire on the same rule and jitter (an interval's anchor is
    ignored).

    The daemon uses it on start: a job whose schedule did not change keeps its pending run
    time, so a restart neither skips nor repeats a run.
    """
    if type(a) is not type(b) or getattr(a, "jitter", None) != getattr(b, "jitter", None):
        return False
    if isinstance(a, IntervalTrigger):
        return a.interval == b.interval
    return str(a) == str(b) and str(a.timezone) == str(b.timezone)
