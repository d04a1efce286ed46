"""A profile's ``jitter`` spreads the sites that share a schedule (no sleeping: fire times are
asked of the triggers and of the daemon's job store)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from archive.store import Archive
from crawler.exceptions import ProfileError
from crawler.monitor.daemon import Daemon
from crawler.monitor.jobstore import read_jobs, stop_scheduler
from crawler.monitor.triggers import parse_schedule, same_schedule
from crawler.profiles import build_profile
from tests.test_scheduler_store import CONFIG

BANGKOK = ZoneInfo("Asia/Bangkok")
SUNDAY = dt.datetime(2026, 11, 22, 10, 0, tzinfo=BANGKOK)
NOON = dt.datetime(2026, 11, 22, 12, 0, tzinfo=BANGKOK)


def _profile(name: str, schedule: str, jitter: object = None):
    data = {"name": name, "start_urls": ["https://example.go.th/news"], "schedule": schedule}
    if jitter is not None:
        data["jitter"] = jitter
    return build_profile(data, f"{name}.toml")


def test_cron_fire_times_are_spread_over_the_jitter() -> None:
    trigger = parse_schedule("0 */6 * * *", profile="a", timezone=BANGKOK, jitter=300)
    times = [trigger.get_next_fire_time(None, SUNDAY) for _ in range(400)]
    offsets = [(t - NOON).total_seconds() for t in times]
    assert all(0 <= s <= 300 for s in offsets)
    assert max(offsets) - min(offsets) > 200  # spread, not one second
    plain = parse_schedule("0 */6 * * *", profile="a", timezone=BANGKOK)
    assert {plain.get_next_fire_time(None, SUNDAY) for _ in range(20)} == {NOON}


def test_interval_fire_times_get_the_jitter_too() -> None:
    trigger = parse_schedule("every 6h", profile="a", start=SUNDAY, jitter=90)
    after = SUNDAY + dt.timedelta(hours=6)
    offsets = {
        (trigger.get_next_fire_time(SUNDAY, after) - after).total_seconds() for _ in range(50)
    }
    assert all(0 <= s <= 90 for s in offsets) and len(offsets) > 40


@pytest.mark.parametrize(("value", "seconds"), [("5m", 300), (45, 45), ("1m30s", 90), (0, None)])
def test_profile_jitter_is_a_duration_or_seconds(value: object, seconds: int | None) -> None:
    assert _profile("a", "0 */6 * * *", value).jitter == seconds


@pytest.mark.parametrize("value", ["soon", "-5m", True, "5 parsecs"])
def test_a_bad_jitter_names_the_field(value: object) -> None:
    with pytest.raises(ProfileError, match="field 'jitter'"):
        _profile("a", "0 */6 * * *", value)


def test_a_changed_jitter_is_a_changed_schedule() -> None:
    a = parse_schedule("0 */6 * * *", profile="a", jitter=300)
    assert same_schedule(a, parse_schedule("0 */6 * * *", profile="a", jitter=300))
    assert not same_schedule(a, parse_schedule("0 */6 * * *", profile="a"))


def test_a_hundred_sites_on_one_cron_line_do_not_fire_in_the_same_second(tmp_path) -> None:
    """The daemon's job store: next run times of 100 sites on ``0 */6 * * *`` with ``jitter =
    "5m"`` fall in the five minutes after the slot, spread; without jitter, all on the slot."""
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Archive.open(url, create=True) as archive:
        for jitter, distinct in (("5m", 60), (None, 1)):
            profiles = [_profile(f"site-{n:03d}", "0 */6 * * *", jitter) for n in range(100)]
            daemon = Daemon(archive, CONFIG, profiles, db_url=url)
            daemon.scheduler.start(paused=True)
            try:
                daemon.sync_jobs()
            finally:
                stop_scheduler(daemon.scheduler, wait=False)
            times = sorted(job.next_run_time for job in read_jobs(archive, CONFIG))
            assert len(times) == 100
            slot = times[0].replace(second=0, microsecond=0)
            assert times[-1] - slot <= dt.timedelta(minutes=5)
            assert len({t.replace(microsecond=0) for t in times}) >= distinct
            if jitter is None:
                assert set(times) == {slot}
