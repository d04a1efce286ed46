"""Named, transactional schema migrations, applied in order when an archive is opened.

Each migration is a function registered with :func:`migration` under a unique name; its
position in the registry is its version number, recorded in ``schema_version`` in the same
transaction as the change itself, so a crash leaves either the old schema or the new one.
A database that records a migration this code does not know was written by a newer opdcwatch
and is refused rather than damaged.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources

from sqlalchemy import Connection, Engine, func, insert, inspect, select, text

from archive import schema
from archive.db import SQLITE_BEGIN_OPTION
from archive.exceptions import SchemaError
from archive.registry import Registry

logger = logging.getLogger(__name__)

Migration = Callable[[Connection], None]

# name -> function, in the order registered: a migration's version is its position, from 1
MIGRATIONS: Registry[Migration] = Registry("migration", SchemaError)

# PostgreSQL advisory lock key held while migrating, so two processes never migrate at once
_PG_LOCK_KEY = 0x6F706463  # "opdc"


def migration(name: str) -> Callable[[Migration], Migration]:
    """Register the decorated function as the next migration; a duplicate name is an error."""

    return MIGRATIONS.entry(name)


DDL_PACKAGE = "archive.ddl"
# the scheduler's job function before the monitor subpackage (release 0.1.0), and now
_OLD_JOB_FUNC = "crawler.scheduler:run_scheduled_crawl"
_JOB_FUNC = "crawler.monitor.daemon:run_scheduled_crawl"


def ddl_statements(name: str, dialect: str) -> list[str]:
    """Return the statements of a frozen DDL file: ``<name>.<dialect>.sql``, else ``<name>.sql``.

    The files are the schema as each migration created it, written out once and never edited,
    so an archive built today and one built by release 0.1.0 end up with the same tables.
    """
    folder = resources.files(DDL_PACKAGE)
    path = folder / f"{name}.{dialect}.sql"
    if not path.is_file():
        path = folder / f"{name}.sql"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("--")]
    return [stmt.strip() for stmt in "\n".join(lines).split(";") if stmt.strip()]


def run_ddl(conn: Connection, name: str) -> None:
    """Execute a frozen DDL file (see :func:`ddl_statements`) on ``conn``."""
    for statement in ddl_statements(name, conn.dialect.name):
        conn.exec_driver_sql(statement)


@migration("0001_initial_tables")
def _initial_tables(conn: Connection) -> None:
    """Create sites, bodies, runs, articles, captures and versions with their indexes."""
    run_ddl(conn, "0001_initial_tables")


@migration("0002_web_indexes")
def _web_indexes(conn: Connection) -> None:
    """Index the latest version of articles and versions by fetch time (the web page's reads)."""
    run_ddl(conn, "0002_web_indexes")


@migration("0003_scheduler_and_search_tables")
def _scheduler_and_search_tables(conn: Connection) -> None:
    """Bring the tables once created on demand under migrations; move old scheduler jobs.

    Release 0.1.0 kept the daemon's job function at ``crawler.scheduler``; APScheduler stores
    that path pickled in each job, and drops a job whose function it cannot import.
    """
    run_ddl(conn, "0003_scheduler_and_search_tables")
    rows = conn.exec_driver_sql("SELECT id, job_state FROM apscheduler_jobs").all()
    for job_id, blob in rows:
        state = pickle.loads(blob)  # written by APScheduler into this very database
        if state.get("func") != _OLD_JOB_FUNC:
            continue
        state["func"] = _JOB_FUNC
        conn.execute(
            text("UPDATE apscheduler_jobs SET job_state = :state WHERE id = :id"),
            {"state": pickle.dumps(state, pickle.HIGHEST_PROTOCOL), "id": job_id},
        )


@migration("0004_extraction_keys")
def _extraction_keys(conn: Connection) -> None:
    """Record which extraction key made each hash, and a per-article baseline (no backfill).

    Versions written before have no key: the first fetch whose hash differs re-derives their
    text with the current parser before calling it a change (see ``archive.store``).
    """
    run_ddl(conn, "0004_extraction_keys")


@migration("0005_thai_search_terms")
def _thai_search_terms(conn: Connection) -> None:
    """Swap the search index for one with the terms of ``archive.search_terms``, empty.

    Filling it takes minutes on a large archive, too long for one transaction: the migration
    records the last version to index, and ``Archive.open`` then indexes in batches of their
    own (``archive.reindex``), with progress, resuming where an interrupted run stopped.
    """
    run_ddl(conn, "0005_thai_search_terms")
    last = conn.execute(select(func.max(schema.versions.c.id))).scalar()
    conn.execute(insert(schema.search_state).values(id=1, indexed_through=0, rebuild_target=last))


@migration("0006_removals_and_reachability")
def _removals_and_reachability(conn: Connection) -> None:
    """Add article events, a run's restored count and unreachable kind; date past removals.

    Articles an older opdcwatch marked gone get their "removed" event at ``gone_at``, with the
    status and run of the gone capture that marked them, so the feed and the article pages
    tell their removal like any later one.
    """
    run_ddl(conn, "0006_removals_and_reachability")
    conn.execute(
        text(
            "INSERT INTO article_events (article_id, run_id, happened_at, kind, status) "
            "SELECT a.id, c.run_id, a.gone_at, 'removed', c.status FROM articles a "
            "LEFT JOIN captures c ON c.id = ("
            "SELECT min(g.id) FROM captures g WHERE g.article_id = a.id "
            "AND g.status IN (404, 410) AND g.fetched_at >= a.gone_at) "
            "WHERE a.gone_at IS NOT NULL ORDER BY a.gone_at, a.id"
        )
    )


@migration("0007_run_worker")
def _run_worker(conn: Connection) -> None:
    """Name the worker of each run, for crawls a cluster of ``opdcwatch worker`` runs."""
    run_ddl(conn, "0007_run_worker")


@migration("0008_run_indexes")
def _run_indexes(conn: Connection) -> None:
    """Index captures by run and versions by capture: what health reads of each run."""
    run_ddl(conn, "0008_run_indexes")


@migration("0009_fetch_log")
def _fetch_log(conn: Connection) -> None:
    """Add the fetch log: every answer for a page, the 304s and unchanged bytes included.

    Each capture stored before was a fetch, so the log starts with them, in their order;
    the re-fetches an older opdcwatch saw and stored nothing for are not known.
    """
    run_ddl(conn, "0009_fetch_log")
    conn.execute(
        text(
            "INSERT INTO fetches (article_id, run_id, url, fetched_at, status, digest, capture_id) "
            "SELECT article_id, run_id, url, fetched_at, status, digest, id FROM captures "
            "ORDER BY id"
        )
    )


@migration("0010_run_reasons_and_robots")
def _run_reasons_and_robots(conn: Connection) -> None:
    """Count why each run's requests ended without a page; keep each site's last good
    robots.txt, for the crawls that find it failing."""
    run_ddl(conn, "0010_run_reasons_and_robots")


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
