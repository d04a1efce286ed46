"""The search index: the terms of every version, brought up to date behind a high-water mark.

Versions are append-only, so the index is derived data keyed by version id, filled after the
fact: at query time (briefly), by ``opdcwatch serve`` in the background, and in one long run
after a migration replaced it (``archive.reindex``). Segmenting is the slow part, so it runs
outside any transaction; each batch is then written in one short transaction together with the
new high-water mark (``search_state.indexed_through``: every version up to it is indexed).

- SQLite: FTS5 tables ``search_terms`` (every term of a version; rowid = version id) and
  ``search_titles`` (its title's). One writer at a time commits version ids in order, so the
  mark is exact after every batch.
- PostgreSQL: a table ``search_terms`` of tsvectors under GIN indexes. Concurrent writers may
  commit ids out of order, so the mark only moves past ids allocated before every transaction
  then running has ended (``pg_current_snapshot``); the few versions above it are found by an
  anti-join over that window alone, never over the whole archive.

Nothing here writes to the archive's own tables.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, TextClause, select, text, update

from archive.db import SQLITE_BEGIN_OPTION
from archive.schema import search_state
from archive.search_terms import document_terms

if TYPE_CHECKING:
    from archive.queries import AnyRow

logger = logging.getLogger(__name__)

TABLE = "search_terms"
TITLES_TABLE = "search_titles"  # SQLite only: PostgreSQL keeps the title's terms in a column
BATCH_SIZE = 200  # versions segmented, then written in one transaction


@dataclass(frozen=True)
class Doc:
    """One version's row of the index."""

    version_id: int
    article_id: int
    title: str  # space-separated terms
    body: str


@dataclass(frozen=True)
class IndexState:
    """The ``search_state`` row."""

    indexed_through: int
    rebuild_target: int | None
    pending_max: int | None
    pending_xmax: int | None


class SqliteTerms:
    """The index as two FTS5 tables (every term; the title's); queries are ANDs of terms."""

    ordered_commits = True

    @staticmethod
    def match(terms: Sequence[str]) -> str:
        return " AND ".join(f'"{term}"' for term in terms)  # terms never hold a quote

    @staticmethod
    def table(title: bool) -> str:
        return TITLES_TABLE if title else TABLE

    def write(self, conn: Connection, docs: Sequence[Doc]) -> None:
        conn.execute(
            text(f"INSERT INTO {TABLE}(rowid, terms) VALUES (:id, :terms)"),
            [{"id": d.version_id, "terms": f"{d.title} {d.body}"} for d in docs],
        )
        conn.execute(
            text(f"INSERT INTO {TITLES_TABLE}(rowid, terms) VALUES (:id, :terms)"),
            [{"id": d.version_id, "terms": d.title} for d in docs],
        )

    def count(self, conn: Connection, terms: Sequence[str], title: bool, cap: int) -> int:
        table = self.table(title)
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH :q LIMIT :cap)"
        return int(conn.execute(text(sql), {"q": self.match(terms), "cap": cap}).scalar_one())

    def hit_articles(self, terms: Sequence[str], title: bool) -> TextClause:
        """A subquery: the article id of every matching version."""
        table = self.table(title)
        sql = (
            "SELECT v.article_id FROM versions v WHERE v.id IN "
            f"(SELECT rowid FROM {table} WHERE {table} MATCH :q)"
        )
        return text(sql).bindparams(q=self.match(terms))

    def matches_among(
        self, conn: Connection, terms: Sequence[str], title: bool, version_ids: Sequence[int]
    ) -> set[int]:
        # one FTS5 look-up per version (MATCH with rowid =), not a scan of every hit
        table = self.table(title)
        sql = (
            "SELECT j.value FROM json_each(:ids) j WHERE EXISTS (SELECT 1 FROM "
            f"{table} WHERE {table} MATCH :q AND rowid = j.value)"
        )
        params = {"ids": json.dumps(list(version_ids)), "q": self.match(terms)}
        return set(conn.execute(text(sql), params).scalars())

    def unindexed(self, conn: Connection, through: int, limit: int) -> list[AnyRow]:
        sql = (
            "SELECT id, article_id, title, text FROM versions WHERE id > :through "
            "ORDER BY id LIMIT :limit"
        )
        return list(conn.execute(text(sql), {"through": through, "limit": limit}))

    def pending(self, conn: Connection, through: int) -> int:
        sql = "SELECT count(*) FROM versions WHERE id > :through"
        return int(conn.execute(text(sql), {"through": through}).scalar_one())

    def snapshot(self, conn: Connection) -> tuple[int, int, int]:
        return 0, 0, 0  # unused: commits come in id order


def _tsquery(terms: Sequence[str]) -> str:
    return " & ".join("'" + term.replace("'", "''") + "'" for term in terms)


class PostgresTerms:
    """The index as tsvectors; queries are tsqueries of quoted lexemes, never parsed."""

    ordered_commits = False

    def write(self, conn: Connection, docs: Sequence[Doc]) -> None:
        conn.execute(
            text(
                f"INSERT INTO {TABLE} (version_id, article_id, title, terms) VALUES (:id, :aid, "
                "array_to_tsvector(CAST(:title AS text[])), "
                "array_to_tsvector(CAST(:terms AS text[]))) ON CONFLICT (version_id) DO NOTHING"
            ),
            [
                {
                    "id": d.version_id,
                    "aid": d.article_id,
                    "title": d.title.split(),
                    "terms": list(dict.fromkeys([*d.title.split(), *d.body.split()])),
                }
                for d in docs
            ],
        )

    def count(self, conn: Connection, terms: Sequence[str], title: bool, cap: int) -> int:
        """Count the matching versions up to ``cap``; ``cap`` at once when the planner's
        estimate (tsvector statistics) says they are far more: a GIN index answers only with
        a bitmap of every hit, 140 ms for a word in 300,000 versions."""
        column = "title" if title else "terms"
        where = f"FROM {TABLE} WHERE {column} @@ CAST(:q AS tsquery)"
        params = {"q": _tsquery(terms), "cap": cap}
        plan = conn.execute(text(f"EXPLAIN (FORMAT JSON) SELECT 1 {where}"), params).scalar_one()
        if plan[0]["Plan"]["Plan Rows"] >= 10 * cap:
            return cap
        sql = f"SELECT count(*) FROM (SELECT 1 {where} LIMIT :cap) hits"
        return int(conn.execute(text(sql), params).scalar_one())

    def hit_articles(self, terms: Sequence[str], title: bool) -> TextClause:
        """A subquery: the article id of every matching version."""
        column = "title" if title else "terms"
        sql = f"SELECT article_id FROM {TABLE} WHERE {column} @@ CAST(:q AS tsquery)"
        return text(sql).bindparams(q=_tsquery(terms))

    def matches_among(
        self, conn: Connection, terms: Sequence[str], title: bool, version_ids: Sequence[int]
    ) -> set[int]:
        column = "title" if title else "terms"
        sql = (
            f"SELECT version_id FROM {TABLE} WHERE version_id = ANY(:ids) "
            f"AND {column} @@ CAST(:q AS tsquery)"
        )
        params = {"ids": list(version_ids), "q": _tsquery(terms)}
        return set(conn.execute(text(sql), params).scalars())

    def unindexed(self, conn: Connection, through: int, limit: int) -> list[AnyRow]:
        sql = (
            "SELECT v.id, v.article_id, v.title, v.text FROM versions v WHERE v.id > :through "
            f"AND NOT EXISTS (SELECT 1 FROM {TABLE} s WHERE s.version_id = v.id) "
            "ORDER BY v.id LIMIT :limit"
        )
        return list(conn.execute(text(sql), {"through": through, "limit": limit}))

    def pending(self, conn: Connection, through: int) -> int:
        sql = (
            "SELECT count(*) FROM versions v WHERE v.id > :through AND NOT EXISTS "
            f"(SELECT 1 FROM {TABLE} s WHERE s.version_id = v.id)"
        )
        return int(conn.execute(text(sql), {"through": through}).scalar_one())

    def snapshot(self, conn: Connection) -> tuple[int, int, int]:
        """Return (oldest running xid, next xid, highest visible version id), at one instant."""
        row = conn.execute(
            text(
                "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint, "
                "(SELECT coalesce(max(id), 0) FROM versions) FROM pg_current_snapshot() s"
            )
        ).one()
        return int(row[0]), int(row[1]), int(row[2])


BACKENDS: dict[str, type[SqliteTerms] | type[PostgresTerms]] = {
    "sqlite": SqliteTerms,
    "postgresql": PostgresTerms,
}


class SearchIndex:
    """The search index of one archive database; see the module docstring."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.backend = BACKENDS[engine.dialect.name]()
        self._lock = threading.Lock()
        self._cursor = 0  # the highest version id this process has indexed

    def state(self, conn: Connection) -> IndexState:
        """Return the index's progress (a fresh ``search_state`` row if there is none)."""
        row = conn.execute(select(search_state).where(search_state.c.id == 1)).first()
        if row is None:
            return IndexState(0, None, None, None)
        return IndexState(
            row.indexed_through, row.rebuild_target, row.pending_max, row.pending_xmax
        )

    def pending(self) -> int:
        """Return how many versions the index still lacks."""
        with self.engine.connect() as conn:
            return self.backend.pending(conn, self.state(conn).indexed_through)

    def refresh(self, budget: float | None = None) -> int:
        """Index missing versions, oldest first; return how many were added.

        Stops once ``budget`` seconds have passed (at a batch boundary; at least one batch is
        indexed), else when caught up. The lock is held per batch, so a query can slip in.
        Batches follow on from the last version written, not from the mark (on PostgreSQL,
        where the mark trails, every batch would otherwise skip the same indexed rows again);
        once past the end, one sweep from the mark picks up versions committed out of order.
        """
        deadline = None if budget is None else time.monotonic() + budget
        added = 0
        mark = None
        start: int | None = None
        swept = False
        while True:
            with self._lock:
                with self.engine.connect() as conn:
                    if mark is None and not self.backend.ordered_commits:
                        mark = self.backend.snapshot(conn)
                    through = self.state(conn).indexed_through
                    if start is None:
                        start = max(through, self._cursor)
                    rows = self.backend.unindexed(conn, start, BATCH_SIZE)
                    if not rows and not swept and start > through:
                        start, swept = through, True
                        rows = self.backend.unindexed(conn, start, BATCH_SIZE)
                if not rows:
                    break
                docs = [Doc(r.id, r.article_id, *document_terms(r.title, r.text)) for r in rows]
                added += self._write(docs)
                start = rows[-1].id
                self._cursor = max(self._cursor, start)
            if deadline is not None and time.monotonic() >= deadline:
                return added
        if mark is not None:
            self._advance(mark)
        if added:
            logger.info("search index: added %s versions", added)
        return added

    def _writer(self) -> Connection:
        """Return a connection whose transactions take SQLite's write lock up front."""
        conn = self.engine.connect()
        if self.engine.dialect.name == "sqlite":
            return conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        return conn

    def _write(self, docs: list[Doc]) -> int:
        """Write a batch with the new mark; on SQLite skip what another process wrote first."""
        with self._writer() as conn, conn.begin():
            state = self.state(conn)
            if self.backend.ordered_commits:
                docs = [d for d in docs if d.version_id > state.indexed_through]
                if not docs:
                    return 0
            self.backend.write(conn, docs)
            if self.backend.ordered_commits:
                self._save(conn, indexed_through=docs[-1].version_id)
            return len(docs)

    def _advance(self, mark: tuple[int, int, int]) -> None:
        """PostgreSQL: move the mark once no transaction that could commit below it runs.

        ``mark`` (oldest running xid, next xid, highest visible id) was taken before this pass
        indexed everything visible. Ids are handed out in order, so every id up to the previous
        pass's highest was taken by a transaction running at that pass or before; once all of
        those have ended (``xmin`` past that pass's ``xmax``), each such version is committed,
        hence seen and indexed by this pass, or gone for good.
        """
        xmin, xmax, highest = mark
        with self._writer() as conn, conn.begin():
            state = self.state(conn)
            through = state.indexed_through
            if state.pending_xmax is not None and xmin >= state.pending_xmax:
                through = max(through, state.pending_max or 0)
            if highest == state.pending_max:  # nothing new: keep waiting on the same mark
                if through != state.indexed_through:
                    self._save(conn, indexed_through=through)
                return
            self._save(conn, indexed_through=through, pending_max=highest, pending_xmax=xmax)

    def _save(self, conn: Connection, **values: int | None) -> None:
        conn.execute(update(search_state).where(search_state.c.id == 1).values(**values))

    def indexed(self) -> int:
        """Return the highest version id in the index (0 if empty)."""
        column = "rowid" if self.backend.ordered_commits else "version_id"
        with self.engine.connect() as conn:
            sql = f"SELECT {column} FROM {TABLE} ORDER BY {column} DESC LIMIT 1"
            return int(conn.execute(text(sql)).scalar() or 0)

    def optimize(self) -> None:
        """Merge the index after a bulk build: one FTS5 segment instead of dozens makes every
        look-up of a common word's search several times cheaper (SQLite); fresh statistics
        for the planner (PostgreSQL)."""
        with self._writer() as conn, conn.begin():
            if self.backend.ordered_commits:
                for table in (TABLE, TITLES_TABLE):
                    conn.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
            else:  # the ranking's plans depend on both tables' statistics
                conn.execute(text(f"ANALYZE {TABLE}"))
                conn.execute(text("ANALYZE versions"))

    def finish_rebuild(self) -> None:
        """Clear the rebuild mark once the index holds every version it was started for."""
        with self._writer() as conn, conn.begin():
            conn.execute(
                update(search_state).where(search_state.c.id == 1).values(rebuild_target=None)
            )
