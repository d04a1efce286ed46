"""Which database, and how to connect to it: URL resolution and engine set-up.

SQLite gets WAL (readers never wait for the crawler), foreign keys and a busy timeout on every
connection, and explicit ``BEGIN`` statements so that a transaction really starts where the
code says it does (the sqlite3 module otherwise defers it to the first write).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from archive.constants import (
    APP_NAME,
    DB_ENV_VAR,
    DEFAULT_DB_DIR,
    DEFAULT_DB_FILE,
    SQLITE_PRAGMAS,
)
from archive.exceptions import DatabaseUnavailableError

logger = logging.getLogger(__name__)

# execution option naming the kind of BEGIN a SQLite transaction starts with
SQLITE_BEGIN_OPTION = "opdcwatch_sqlite_begin"


def default_archive(cwd: str | Path | None = None) -> tuple[Path, str]:
    """Return the archive used when none is named, and why: ``./data/opdcwatch.db`` when it
    exists (archives made before there was a default folder keep working), else
    ``opdcwatch.db`` in the user's data folder (XDG: ``~/.local/share/opdcwatch/``), the same
    from whichever folder a command runs in."""
    local = Path(cwd or Path.cwd()) / DEFAULT_DB_DIR / DEFAULT_DB_FILE
    if local.is_file():
        return local.absolute(), "found in this folder"
    from platformdirs import user_data_path

    return user_data_path(APP_NAME) / DEFAULT_DB_FILE, "the default"


def as_url(value: str) -> str:
    """Return a database URL; a bare file path (no ``://``) is taken as a SQLite file."""
    return value if "://" in value else f"sqlite:///{Path(value).expanduser()}"


def resolve_url(db_url: str | None = None) -> str:
    """Return the database URL: the argument, else ``$OPDCWATCH_DB``, else
    :func:`default_archive`. (The command line also reads the config file's ``[archive]``
    table, in ``crawler.archive_location``.)"""
    url = db_url or os.environ.get(DB_ENV_VAR) or ""
    if not url:
        return f"sqlite:///{default_archive()[0]}"
    return as_url(url)


def sqlite_path(url: str) -> Path | None:
    """Return the file of a SQLite URL, or None for another backend or an in-memory database."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return None
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        # sqlite:///file:/path/x.db?mode=ro&uri=true: the file is what follows "file:"
        database = database.removeprefix("file:")
        if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
            return None
    return Path(database)


def create_archive_engine(url: str, *, create: bool = True) -> Engine:
    """Return an engine for ``url``; with ``create`` a missing SQLite file (and folder) is made.

    Raises DatabaseUnavailableError for an unknown scheme or, without ``create``, a missing file.
    """
    path = sqlite_path(url)
    if path is not None:
        _check_sqlite_file(path, create=create)
    try:
        if make_url(url).get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": 30})
            _configure_sqlite(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        hint = " (install opdcwatch[postgres])" if "postgres" in url else ""
        raise DatabaseUnavailableError(f"cannot use database URL {url!r}: {exc}{hint}") from exc
    logger.debug("archive engine for %s", engine.url.render_as_string(hide_password=True))
    return engine


def _check_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse a SQLite path that cannot hold an archive, before SQLite gives a vaguer error.

    A folder that cannot be made (under /proc, below a plain file, without permission) would
    otherwise surface as a bare OSError from ``mkdir``.
    """
    if path.is_dir():
        raise DatabaseUnavailableError(f"cannot open database {path}: it is a directory")
    if path.exists():
        return
    if not create:
        raise DatabaseUnavailableError(
            f"no archive at {path} (run `opdcwatch ingest` or a crawl first, or give --db)"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocked = isinstance(exc, (FileExistsError, NotADirectoryError))
        reason = "a file is in the way" if blocked else exc.strerror or type(exc).__name__
        raise DatabaseUnavailableError(
            f"cannot create database {path}: cannot make its folder {path.parent}: {reason}"
        ) from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        kind = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {kind}")
