"""``opdcwatch backup FILE``: a consistent copy of a live archive.

SQLite: the database's online backup API (``sqlite3.Connection.backup`` on the DB-API
connection under SQLAlchemy), which copies a consistent snapshot while a crawl or the web page
keeps using the archive; it is written to ``FILE.partial`` and renamed when complete, so a
half-written backup never has the final name. PostgreSQL: ``pg_dump`` in its custom format
(restore with ``pg_restore``), when it is on PATH; else an error that says how.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from archive.exceptions import BackupError
from archive.store import Archive

PAGES_PER_STEP = 1024  # SQLite pages copied per step: writers get the database between steps


def backup(archive: Archive, target: str | Path) -> str:
    """Copy ``archive`` to ``target``; return what was written ("sqlite" or "pg_dump")."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists: remove it or name another file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    backend = archive.engine.dialect.name
    if backend == "sqlite":
        _backup_sqlite(archive, target)
        return "sqlite"
    if backend == "postgresql":
        _backup_postgresql(archive, target)
        return "pg_dump"
    raise BackupError(f"no backup for a {backend} archive")


def _backup_sqlite(archive: Archive, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    raw = archive.engine.raw_connection()
    try:
        source = raw.driver_connection
        assert source is not None, "an open SQLite connection has a driver connection"
        with sqlite3.connect(partial) as copy:
            source.backup(copy, pages=PAGES_PER_STEP)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        copy.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot back up to {target}: {exc}") from exc
    finally:
        raw.close()


def libpq_url(url: str) -> tuple[str, str | None]:
    """Return a SQLAlchemy PostgreSQL URL as libpq (pg_dump) reads it, no ``+driver`` and no
    password, and the password apart: it goes in ``PGPASSWORD``, never on a command line
    that ``ps`` shows."""
    parsed = make_url(url)
    password = parsed.password
    bare = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return bare.render_as_string(hide_password=False), (str(password) if password else None)


def _backup_postgresql(archive: Archive, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump is not on PATH: install PostgreSQL's client tools (apt install "
            "postgresql-client) or run: pg_dump --format=custom --file FILE 'postgresql://…'"
        )
    partial = target.with_name(target.name + ".partial")
    url, password = libpq_url(archive.engine.url.render_as_string(hide_password=False))
    command = [pg_dump, "--format=custom", "--no-owner", f"--file={partial}", url]
    env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    except OSError as exc:
        raise BackupError(f"cannot run pg_dump: {exc}") from exc
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise BackupError(f"pg_dump failed: {lines[-1] if lines else done.returncode}")
    os.replace(partial, target)
