"""One crawl of a site at a time across a cluster: a PostgreSQL advisory lock per site.

Crawl politeness (delay, requests in flight) is kept per process; two workers crawling one
site would double its load. Before a worker crawls a site it takes the site's session-level
advisory lock, and holds it until the crawl has ended. PostgreSQL releases a session's locks
the moment the session ends, so a worker that dies (SIGKILL, a lost machine: the session asks
its socket for TCP keepalives, see KEEPALIVES) never leaves a site locked, and nothing has to
expire. The lock lives in the archive every worker already uses, whatever the broker.

All the locks of one worker process share one session (:class:`LockSession`): one connection
per worker, not one per running crawl. The session runs in autocommit: a crawl of hours holds
no transaction. Advisory locks are re-entrant within a session, so the session also keeps
which sites it holds, and refuses a second crawl of one of them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from archive.store import Archive

logger = logging.getLogger(__name__)

LOCK_PREFIX = "opdcwatch:crawl:"
# the server notices a vanished client within about idle + interval * count seconds
KEEPALIVES = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}
_KEY = "hashtextextended(:name, 0)"  # 64 bits: no two of 10,000 site names share a key


class LockSession:
    """The PostgreSQL session holding one worker process's site locks; thread-safe.

    A lost session loses every lock in it: each holder learns so from :meth:`holds` (the
    session it locked in is gone), and the next :meth:`try_lock` opens a new session.
    """

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._mutex = threading.Lock()
        self._conn: Any = None
        self._generation = 0  # which session: a lock taken in an earlier one is gone
        self._held: set[str] = set()

    def try_lock(self, site: str) -> int | None:
        """Lock ``site``; return the session's generation, or None if someone crawls it."""
        with self._mutex:
            if site in self._held:
                return None  # this very worker is crawling it
            conn = self._session()
            got = conn.execute(
                text(f"SELECT pg_try_advisory_lock({_KEY})"), {"name": LOCK_PREFIX + site}
            ).scalar()
            if not got:
                return None
            self._held.add(site)
            return self._generation

    def holds(self, site: str, generation: int) -> bool:
        """True while ``site`` is still locked by this worker, as of ``generation``."""
        with self._mutex:
            if self._conn is None or generation != self._generation or site not in self._held:
                return False
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except SQLAlchemyError as exc:
                logger.error("the session holding the site locks is lost: %s", exc)
                self._drop()
                return False

    def unlock(self, site: str, generation: int) -> None:
        """Release ``site`` (a lock of a lost session is gone already)."""
        with self._mutex:
            if generation != self._generation or site not in self._held:
                return
            self._held.discard(site)
            try:
                self._conn.execute(
                    text(f"SELECT pg_advisory_unlock({_KEY})"), {"name": LOCK_PREFIX + site}
                )
            except SQLAlchemyError as exc:  # the session is gone, and its locks with it
                logger.warning("%s: site lock not released cleanly: %s", site, exc)
                self._drop()

    def close(self) -> None:
        """End the session, releasing every lock in it."""
        with self._mutex:
            self._drop()

    def _session(self) -> Any:
        if self._conn is None:
            conn = self.archive.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                for name, value in KEEPALIVES.items():
                    conn.execute(
                        text("SELECT set_config(:n, :v, false)"), {"n": name, "v": str(value)}
                    )
            except BaseException:
                conn.close()
                raise
            self._conn = conn
            self._generation += 1
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):  # already broken: nothing to release
                self._conn.close()
        self._conn = None
        self._held.clear()


class SiteLock:
    """``with SiteLock(session, site) as lock:`` ``lock.held`` says whether this worker may
    crawl ``site``; not held, another crawl of the site is running somewhere in the cluster."""

    def __init__(self, session: LockSession, site: str) -> None:
        self.session = session
        self.site = site
        self._generation: int | None = None

    @property
    def held(self) -> bool:
        return self._generation is not None

    def __enter__(self) -> SiteLock:
        self._generation = self.session.try_lock(self.site)
        return self

    def alive(self) -> bool:
        """True while the lock is still held (its session answers)."""
        generation = self._generation
        return generation is not None and self.session.holds(self.site, generation)

    def __exit__(self, *exc_info: object) -> None:
        if self._generation is not None:
            self.session.unlock(self.site, self._generation)
            self._generation = None
