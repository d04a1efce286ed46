"""Helpers for the archive tests: saved pages, fetch times, recording shortcuts.

The fixtures (fresh databases on each backend) are in ``tests.archive_fixtures``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive import Archive, RecordResult

ARCHIVE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "archive"
ARTICLE_URL = "https://www.opdc.go.th/content/1200"
MIRROR_URL = "https://www.prd.go.th/th/content/page/index/id/9876"
T0 = datetime(2020, 9, 21, 3, 30, tzinfo=UTC)


def page(name: str) -> bytes:
    """Return the bytes of a saved page under tests/fixtures/archive/."""
    return (ARCHIVE_FIXTURES / name).read_bytes()


def at(hours: float) -> datetime:
    """Return T0 plus ``hours``: fetch times that order the way the test reads."""
    return T0 + timedelta(hours=hours)


def record(
    arch: Archive,
    name: str,
    hours: float,
    *,
    url: str = ARTICLE_URL,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **kwargs,
) -> RecordResult:
    """Record the saved page ``name`` as fetched from ``url`` at T0 + ``hours``."""
    return arch.record_page(
        url=url,
        status=status,
        headers=headers or {},
        body=page(name),
        fetched_at=at(hours),
        **kwargs,
    )
