"""Retry backoff, and the run outcome the pipeline records for each way a crawl ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from crawler.middlewares import retry_delay
from crawler.pipelines import run_outcome


def test_backoff_doubles_and_is_capped():
    assert [retry_delay(n, 2.0, 60.0, None) for n in (1, 2, 3, 4, 5, 6)] == [
        2.0,
        4.0,
        8.0,
        16.0,
        32.0,
        60.0,
    ]


def test_retry_after_seconds_wins_when_longer_but_stays_capped():
    assert retry_delay(1, 2.0, 60.0, "10") == 10.0
    assert retry_delay(3, 2.0, 60.0, "1") == 8.0
    assert retry_delay(1, 2.0, 60.0, "3600") == 60.0


def test_a_retry_after_that_is_no_number_is_ignored():
    assert retry_delay(1, 2.0, 60.0, "\xb2") == 2.0  # a stray byte read as Latin-1


def test_retry_after_http_date():
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25.0 <= retry_delay(1, 1.0, 60.0, later) <= 30.0
    assert retry_delay(1, 1.0, 60.0, "not a date") == 1.0


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        ("finished", "ok"),
        ("closespider_pagecount", "ok"),
        ("shutdown", "interrupted"),
        ("cancelled", "interrupted"),
        ("memusage_exceeded", "failed"),
    ],
)
def test_run_outcome(reason, outcome):
    assert run_outcome(reason) == outcome
