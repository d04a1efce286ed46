"""Schedules (crawler/monitor/triggers.py): cron lines with crontab's weekdays, and 'every 6h'."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.exceptions import ScheduleError
from crawler.monitor.triggers import (
    format_duration,
    interval_seconds,
    parse_duration,
    parse_schedule,
    same_schedule,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
# a Sunday, 10:00 in Bangkok
SUNDAY = dt.datetime(2026, 11, 22, 10, 0, tzinfo=BANGKOK)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("every 6h", 21600),
        ("every 30s", 30),
        ("every 2s", 2),
        ("every 15m", 900),
        ("every 1h30m", 5400),
        ("every 2 days", 172800),
        ("EVERY 1w", 604800),
    ],
)
def test_intervals(text, seconds):
    trigger = parse_schedule(text, profile="opdc-news")
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval_length == seconds
    assert interval_seconds(trigger) == seconds


def test_cron_every_six_hours_in_the_configured_zone():
    trigger = parse_schedule("0 */6 * * *", profile="opdc-news", timezone=BANGKOK)
    assert isinstance(trigger, CronTrigger)
    nxt = trigger.get_next_fire_time(None, SUNDAY)
    assert nxt == dt.datetime(2026, 11, 22, 12, 0, tzinfo=BANGKOK)
    assert interval_seconds(trigger, now=SUNDAY) == 21600


@pytest.mark.parametrize(
    ("line", "weekday"),
    [("0 9 * * 0", 6), ("0 9 * * 7", 6), ("0 9 * * 1", 0), ("0 9 * * sun", 6), ("0 9 * * 6", 5)],
)
def test_cron_weekdays_are_crontabs_not_apschedulers(line, weekday):
    # APScheduler 3 counts Monday as 0; crontab (and every user) counts Sunday as 0
    trigger = parse_schedule(line, profile="opdc-news", timezone=BANGKOK)
    nxt = trigger.get_next_fire_time(None, SUNDAY - dt.timedelta(days=7))
    assert nxt.weekday() == weekday and nxt.hour == 9


def test_cron_weekday_ranges_and_steps():
    weekdays = parse_schedule("30 8 * * 1-5", profile="p", timezone=BANGKOK)
    fires = []
    moment = SUNDAY
    for _ in range(6):
        moment = weekdays.get_next_fire_time(None, moment + dt.timedelta(seconds=1))
        fires.append(moment.weekday())
    assert fires == [0, 1, 2, 3, 4, 0]
    stepped = parse_schedule("0 0 * * */2", profile="p", timezone=BANGKOK)  # sun tue thu sat
    assert "sun,tue,thu,sat" in str(stepped)
    weekend = parse_schedule("0 0 * * 5-7", profile="p", timezone=BANGKOK)
    assert "sun,fri,sat" in str(weekend)


def test_macros():
    assert str(parse_schedule("@daily", profile="p")) == str(
        parse_schedule("0 0 * * *", profile="p")
    )
    assert interval_seconds(parse_schedule("@hourly", profile="p")) == 3600


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        ("every", "not a duration"),
        ("every 0s", "must be positive"),
        ("every 5 fortnights", "unknown unit 'fortnights'"),
        ("every 1", "an interval needs a unit, such as 'every 10 minutes' or 'every 1h'"),
        ("every 90", "an interval needs a unit"),
        ("0 * *", "5 fields"),
        ("61 * * * *", "higher than the maximum"),
        ("0 0 * * 8", "bad day of week '8'"),
        ("0 0 * * ²", "bad day of week '²'"),
        ("@often", "unknown macro"),
        ("whenever", "5 fields"),
    ],
)
def test_bad_schedules_name_the_profile(text, reason):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, profile="thaipr")
    message = str(caught.value)
    assert message.startswith(f"profile 'thaipr': bad schedule {text!r}: ")
    assert reason in message
    assert "'every 6h'" in message


def test_same_schedule_ignores_the_interval_anchor():
    a = parse_schedule("every 6h", profile="p", start=SUNDAY)
    b = parse_schedule("every 6h", profile="p")
    assert same_schedule(a, b)
    assert not same_schedule(a, parse_schedule("every 5h", profile="p"))
    cron = parse_schedule("0 */6 * * *", profile="p", timezone=BANGKOK)
    assert same_schedule(cron, parse_schedule("0 */6 * * *", profile="p", timezone=BANGKOK))
    assert not same_schedule(cron, parse_schedule("0 */6 * * *", profile="p", timezone="UTC"))
    assert not same_schedule(cron, a)


def test_durations_round_trip():
    assert parse_duration("12h") == 43200 and parse_duration(90) == 90
    assert parse_duration("1h 30m") == 5400
    assert format_duration(5400) == "1h30m" and format_duration(2) == "2s"
    for bad in ("soon", "-5s", "0", True):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_a_duration_of_superscript_digits_is_not_a_duration():
    with pytest.raises(ValueError, match=r"not a duration: '²'"):
        parse_duration("²")
