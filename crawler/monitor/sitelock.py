"""One crawl of a site at a time across a cluster: a PostgreSQL advisory lock per site.

Crawl politeness (delay, requests in flight) is kept per process; two workers crawling one
site would double its load. Before a worker crawls a site it takes the site's session-level
advisory lock on a connection of its own, and holds it until the crawl has ended. PostgreSQL
releases the lock the moment that session ends, so a worker that dies (SIGKILL, a lost
machine: the session asks its socket for TCP keepalives, see KEEPALIVES) never leaves a site
locked, and nothing has to expire. The lock lives in the archive every worker already uses,
whatever the broker. The connection runs in autocommit: a crawl of hours holds no transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from archive.store import Archive

logger = logging.getLogger(__name__)

LOCK_PREFIX = "opdcwatch:crawl:"
# the server notices a vanished client within about idle + interval * count seconds
KEEPALIVES = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}
_KEY = "hashtextextended(:name, 0)"  # 64 bits: no two of 10,000 site names share a key


class SiteLock:
    """``with SiteLock(archive, site) as lock:`` ``lock.held`` says whether this worker may crawl.

    Not held: another worker is crawling the site right now.
    """

    def __init__(self, archive: Archive, site: str) -> None:
        self.archive = archive
        self.site = site
        self.held = False
        self._conn: Any = None

    def __enter__(self) -> SiteLock:
        conn = self.archive.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            for name, value in KEEPALIVES.items():
                conn.execute(text("SELECT set_config(:n, :v, false)"), {"n": name, "v": str(value)})
            self.held = bool(
                conn.execute(
                    text(f"SELECT pg_try_advisory_lock({_KEY})"), {"name": LOCK_PREFIX + self.site}
                ).scalar()
            )
        except BaseException:
            conn.close()
            raise
        if self.held:
            self._conn = conn
        else:
            conn.close()
        return self

    def alive(self) -> bool:
        """True while the session holding the lock answers (so the lock is still held)."""
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError as exc:
            logger.error("%s: the connection holding the site lock is lost: %s", self.site, exc)
            return False

    def __exit__(self, *exc_info: object) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(
                text(f"SELECT pg_advisory_unlock({_KEY})"), {"name": LOCK_PREFIX + self.site}
            )
        except SQLAlchemyError as exc:  # the session is gone, and its lock with it
            logger.warning("%s: site lock not released cleanly: %s", self.site, exc)
        finally:
            self._conn.close()
            self._conn = None
            self.held = False
