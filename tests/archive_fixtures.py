"""Archive test fixtures, loaded for every test module by tests/conftest.py (pytest_plugins).

``archive_url`` gives each test a fresh, empty database: a SQLite file under tmp_path, and a
PostgreSQL database with a unique name created on 127.0.0.1 and dropped afterwards (skipped
with the reason when no server answers there).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive import Archive

PG_HOST = os.environ.get("OPDCWATCH_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN_DSN = f"host={PG_HOST} port=5432 user=postgres dbname=postgres connect_timeout=3"


def _pg_admin():
    psycopg = pytest.importorskip(
        "psycopg", reason="psycopg is not installed (opdcwatch[postgres])"
    )
    try:
        return psycopg.connect(PG_ADMIN_DSN, autocommit=True)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL does not answer on {PG_HOST}:5432: {str(exc).strip()[:120]}"
        if os.environ.get("CI") == "true":  # CI starts the server: a skip would hide a failure
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def postgres_database() -> Iterator[str]:
    """Create a PostgreSQL database with a unique name; drop it afterwards."""
    name = f"opdcwatch_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:5432/{name}"
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped after the test."""
    with postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet, under tmp_path."""
    return f"sqlite:///{tmp_path / 'archive.db'}"


RELEASE_ARCHIVE = Path(__file__).parent / "fixtures" / "archive" / "release-0.1.0.db"


@pytest.fixture
def release_archive(tmp_path: Path) -> str:
    """A copy of an archive written by release 0.1.0 (see tests/fixtures/archive/README.md)."""
    path = tmp_path / "release-0.1.0.db"
    shutil.copyfile(RELEASE_ARCHIVE, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def archive_url(request: pytest.FixtureRequest) -> str:
    """A fresh database URL, once for SQLite and once for PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(name)


@pytest.fixture
def arch(archive_url: str) -> Iterator[Archive]:
    """An open, migrated, empty archive on each backend."""
    with Archive.open(archive_url) as opened:
        yield opened


@pytest.fixture
def sqlite_arch(sqlite_url: str) -> Iterator[Archive]:
    """An open, migrated, empty SQLite archive."""
    with Archive.open(sqlite_url) as opened:
        yield opened
