"""Named, transactional schema migrations, applied in order when an archive is opened.

Each migration is a function registered with :func:`migration` under a unique name; its
position in the registry is its version number, recorded in ``schema_version`` in the same
transaction as the change itself, so a crash leaves either the old schema or the new one.
A database that records a migration this code does not know was written by a newer opdcwatch
and is refused rather than damaged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select, text

from archive import schema
from archive.db import SQLITE_BEGIN_OPTION
from archive.exceptions import SchemaError

logger = logging.getLogger(__name__)

Migration = Callable[[Connection], None]

# name -> function, in the order registered; version numbers start at 1
MIGRATIONS: dict[str, Migration] = {}

# PostgreSQL advisory lock key held while migrating, so two processes never migrate at once
_PG_LOCK_KEY = 0x6F706463  # "opdc"


def migration(name: str) -> Callable[[Migration], Migration]:
    """Register the decorated function as the next migration; a duplicate name is an error."""

    def register(func: Migration) -> Migration:
        if name in MIGRATIONS:
            raise SchemaError(f"migration {name!r} is declared twice")
        MIGRATIONS[name] = func
        return func

    return register


@migration("0001_initial_tables")
def _initial_tables(conn: Connection) -> None:
    """Create sites, bodies, runs, articles, captures and versions with their indexes."""
    tables = [t for t in schema.metadata.sorted_tables if t.name != "schema_version"]
    schema.metadata.create_all(conn, tables=tables)


# indexes the web page reads through, added after 0001: (table, index name)
WEB_INDEXES = (
    ("articles", "ix_articles_latest_version"),  # queries.elsewhere: latest version -> article
    ("versions", "ix_versions_fetched"),  # feed.recent_changes: ORDER BY fetched_at DESC
)


@migration("0002_web_indexes")
def _web_indexes(conn: Connection) -> None:
    """Create the indexes of ``WEB_INDEXES``; a database whose 0001 already made them is fine."""
    for table_name, index_name in WEB_INDEXES:
        table = schema.metadata.tables[table_name]
        index = next(i for i in table.indexes if i.name == index_name)
        index.create(conn, checkfirst=True)


def applied_migrations(conn: Connection) -> dict[int, str]:
    """Return {version: name} of the migrations recorded in the database."""
    if not inspect(conn).has_table("schema_version"):
        return {}
    rows = conn.execute(select(schema.schema_version.c.version, schema.schema_version.c.name))
    return {version: name for version, name in rows}


def pending_migrations(applied: dict[int, str]) -> list[tuple[int, str]]:
    """Return the (version, name) pairs still to apply; refuse a database ahead of this code."""
    known = dict(enumerate(MIGRATIONS, start=1))
    unknown = sorted(set(applied.items()) - set(known.items()))
    if unknown:
        version, name = unknown[0]
        raise SchemaError(
            f"the database has schema version {version} ({name}) that this opdcwatch does not "
            "know: upgrade opdcwatch"
        )
    return [(v, n) for v, n in known.items() if v not in applied]


def migrate(engine: Engine) -> list[str]:
    """Apply every pending migration, each in its own transaction; return the names applied."""
    with engine.connect() as conn:
        if not pending_migrations(applied_migrations(conn)):
            return []
    done: list[str] = []
    while True:
        with engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                schema.schema_version.create(conn, checkfirst=True)
                pending = pending_migrations(applied_migrations(conn))
                if not pending:
                    return done
                version, name = pending[0]
                logger.info("applying migration %s (schema version %s)", name, version)
                MIGRATIONS[name](conn)
                conn.execute(
                    schema.schema_version.insert().values(
                        version=version, name=name, applied_at=datetime.now(UTC)
                    )
                )
                done.append(name)


def current_version(engine: Engine) -> int:
    """Return the highest schema version recorded (0 for an empty database)."""
    with engine.connect() as conn:
        return max(applied_migrations(conn), default=0)
