"""Filling a search index that a migration replaced: on open, in batches, with progress.

A migration runs in one transaction, but indexing a large archive takes minutes. Migration
0005 therefore only swaps in the new, empty index and records the last version to index
(``search_state.rebuild_target``); :func:`rebuild_if_needed`, which ``Archive.open`` calls
after migrating, indexes in batches that each commit with the index's high-water mark. Ctrl-C
or a kill loses at most one batch, and the next open resumes from the mark; searches in the
meantime find what is indexed and say how much is still pending.

Progress goes to this module's logger at INFO; the command line shows it on stderr.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

from archive.migrations import applied_migrations
from archive.schema import search_state

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 5.0  # a progress line at most this often
QUIET_BELOW = 2_000  # versions: a rebuild this small says nothing
INDEX_MIGRATION = "0005_thai_search_terms"


def rebuild_target(engine: Engine) -> int | None:
    """Return the last version id a pending rebuild must index, or None if none is pending."""
    with engine.connect() as conn:
        if INDEX_MIGRATION not in applied_migrations(conn).values():
            return None  # an archive not yet at the migration (only tests stop short of it)
        return conn.execute(select(search_state.c.rebuild_target)).scalar()


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def rebuild_if_needed(engine: Engine) -> int:
    """Finish a pending rebuild of the search index; return how many versions it indexed."""
    target = rebuild_target(engine)
    if target is None:
        return 0
    from archive.search_index import SearchIndex  # pythainlp's dictionary: only when needed

    index = SearchIndex(engine)
    left = index.pending()
    loud = left >= QUIET_BELOW
    if loud:
        logger.info(
            "rebuilding the search index for Thai words and compound parts: %s versions "
            "(Ctrl-C stops it; the next start resumes)",
            f"{left:,}",
        )
    started = time.monotonic()
    added = 0
    try:
        while True:
            step = index.refresh(budget=PROGRESS_SECONDS)
            added += step
            if not step:
                break
            if loud:
                elapsed = time.monotonic() - started
                rest = max(0, left - added) * elapsed / added
                logger.info(
                    "search index: %s of %s versions (%.0f%%), about %s left",
                    f"{added:,}",
                    f"{left:,}",
                    100 * min(added, left) / left,
                    _minutes(rest),
                )
    except OperationalError as exc:
        if "readonly" not in str(exc):
            raise
        logger.warning("the archive is read-only: its search index stays incomplete for now")
        return added
    except KeyboardInterrupt:
        logger.warning(
            "search index rebuild stopped after %s of %s versions; it resumes the next time "
            "the archive is opened",
            f"{added:,}",
            f"{left:,}",
        )
        raise
    index.finish_rebuild()
    index.optimize()
    checkpoint(engine)
    if loud:
        logger.info(
            "search index rebuilt: %s versions in %s",
            f"{added:,}",
            _minutes(time.monotonic() - started),
        )
    return added


def checkpoint(engine: Engine) -> None:
    """SQLite: fold the write-ahead log into the database and truncate it to nothing.

    An index build writes hundreds of MB through the WAL; without this the file keeps that
    size until some later checkpoint happens to find no reader in the way.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
