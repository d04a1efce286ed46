"""Full-text search over every archived version, in Thai as well as English.

Thai is written without spaces, so no database tokenizer finds "ยกระดับ" inside
"สำนักงานยกระดับมาตรฐาน". Both the stored text and the query are therefore segmented by
pythainlp (:func:`parsers.segment.split_words`) and stored as space-separated terms: SQLite
indexes them with FTS5, PostgreSQL with a ``tsvector`` ('simple' configuration) under a GIN
index; a query term becomes a phrase of its segments, which matches the same segmentation.

The index is derived data, keyed by version id: versions are append-only, so it is brought up
to date lazily (at query time, and by ``opdcwatch serve`` in the background) by indexing the
versions it lacks. Nothing here writes to the archive's own tables.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, Engine, bindparam, text

from archive.db import SQLITE_BEGIN_OPTION
from archive.schema import UTCDateTime
from parsers.normalize import normalize_line, normalize_text
from parsers.segment import split_words

logger = logging.getLogger(__name__)

# Created by migration 0003 (archive/ddl): SQLite FTS5, contentless (the terms only find rows;
# the text is in ``versions``); PostgreSQL a tsvector per version under a GIN index.
SQLITE_TABLE = "search_fts"
PG_TABLE = "search_index"
BATCH_SIZE = 20
CHUNK_CACHE = 65536  # space-separated chunks (a Thai clause, an English word) kept segmented
QUERY_CATCH_UP_SECONDS = 0.5  # a query indexes fresh versions for at most this long
EXCERPT_CHARS = 90
_QUERY_SPLIT_RE = re.compile(r"\s+")
# a token is a word when it holds a letter or digit: parsers.segment.is_word, as one regex
_WORD_CHAR_RE = re.compile(r"[^\W_]")


@lru_cache(maxsize=CHUNK_CACHE)
def _chunk_terms(chunk: str) -> str:
    """Return the space-separated terms of one normalised chunk that holds no whitespace.

    Memoised: versions of one article share nearly all their text, and articles share names
    and phrases, so most chunks were segmented before.
    """
    words = _WORD_CHAR_RE.search
    return " ".join(token.lower() for token in split_words(chunk) if words(token))


def _normal_terms(normal: str) -> str:
    """Return the terms of already normalised text, chunk by chunk.

    The index is split on spaces anyway (FTS5 and tsvector both tokenise on them) and a query
    term is segmented on its own, so segmenting between spaces loses nothing a query could
    find; it lets every repeated chunk be looked up instead of segmented again.
    """
    return " ".join(filter(None, map(_chunk_terms, normal.split())))


def index_terms(text_: str) -> list[str]:
    """Return the searchable words of ``text_``: normalised, segmented, lower-cased."""
    return _normal_terms(normalize_text(text_)).split()


def document_terms(title: str | None, text_: str) -> str:
    """Return the space-separated terms of a version's title and body, normalised once."""
    return _normal_terms(normalize_text(f"{title or ''}\n{text_}"))


def query_phrases(query: str) -> list[list[str]]:
    """Return one phrase (a list of segments) per space-separated term of ``query``."""
    phrases = []
    for term in _QUERY_SPLIT_RE.split(normalize_line(query)):
        segments = index_terms(term)
        if segments:
            phrases.append(segments)
    return phrases


def _fts5_query(phrases: list[list[str]]) -> str:
    """Return an FTS5 query: all phrases must match; quotes in terms are doubled."""
    return " AND ".join('"' + " ".join(p).replace('"', '""') + '"' for p in phrases)


@dataclass(frozen=True)
class SearchPage:
    """One page of hits: article ids best first, and whether another page follows."""

    article_ids: list[int]
    has_more: bool
    pending: int  # versions not yet indexed when the search ran (0 once caught up)


class SearchIndex:
    """The search index of one archive database (SQLite FTS5 or PostgreSQL tsvector)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self._lock = threading.Lock()

    def _missing(self) -> str:
        """Return the FROM clause of the versions the index lacks."""
        if self.sqlite:  # one writer at a time: version ids are committed in order
            return (
                f"FROM versions v WHERE v.id > (SELECT coalesce(max(rowid), 0) FROM {SQLITE_TABLE})"
            )
        return (  # concurrent writers may commit ids out of order: look for every gap
            f"FROM versions v WHERE NOT EXISTS "
            f"(SELECT 1 FROM {PG_TABLE} s WHERE s.version_id = v.id)"
        )

    def pending(self) -> int:
        """Return how many versions the index still lacks."""
        with self.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) {self._missing()}")).scalar_one())

    def refresh(self, budget: float | None = None) -> int:
        """Index missing versions, oldest first; return how many were added.

        Stops once ``budget`` seconds have passed (at a batch boundary; at least one batch is
        indexed), else when caught up. Segmenting is
        the slow part (~10,000 words/s), so it runs outside any transaction and each batch is
        then written in one short one; the lock is held per batch, so a query can slip in.
        """
        deadline = None if budget is None else time.monotonic() + budget
        added = 0
        while deadline is None or time.monotonic() < deadline or not added:
            with self._lock:
                with self.engine.connect() as conn:
                    rows = conn.execute(
                        text(
                            "SELECT v.id, v.article_id, v.title, v.text "
                            f"{self._missing()} ORDER BY v.id LIMIT {BATCH_SIZE}"
                        )
                    ).all()
                if not rows:
                    break
                docs = [(r.id, r.article_id, document_terms(r.title, r.text)) for r in rows]
                with self._writer() as conn, conn.begin():
                    self._write(conn, docs)
            added += len(docs)
        if added:
            logger.info("search index: added %s versions", added)
        return added

    def _writer(self) -> Connection:
        """Return a connection whose transactions take SQLite's write lock up front."""
        conn = self.engine.connect()
        return conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"}) if self.sqlite else conn

    def _write(self, conn: Connection, docs: list[tuple[int, int, str]]) -> None:
        if self.sqlite:
            conn.execute(
                text(
                    f"INSERT INTO {SQLITE_TABLE}(rowid, terms) SELECT :id, :terms WHERE NOT "
                    f"EXISTS (SELECT 1 FROM {SQLITE_TABLE} WHERE rowid = :id)"
                ),
                [{"id": vid, "terms": terms} for vid, _, terms in docs],
            )
            return
        conn.execute(
            text(
                f"INSERT INTO {PG_TABLE}(version_id, article_id, terms) VALUES "
                "(:id, :article_id, to_tsvector('simple', :terms)) "
                "ON CONFLICT (version_id) DO NOTHING"
            ),
            [{"id": vid, "article_id": aid, "terms": terms} for vid, aid, terms in docs],
        )

    def search(
        self,
        query: str,
        *,
        site: str | None = None,
        since: datetime | None = None,
        min_versions: int = 1,
        limit: int = 50,
        offset: int = 0,
        catch_up: float = QUERY_CATCH_UP_SECONDS,
    ) -> SearchPage:
        """Return the articles any of whose versions contain every term of ``query``.

        A term matches as a phrase of its pythainlp segments, wherever it sits in the text;
        fresh versions are indexed first for up to ``catch_up`` seconds (``opdcwatch serve``
        indexes the rest in the background), and the page says how many are still pending.
        """
        self.refresh(budget=catch_up)
        phrases = query_phrases(query)
        if not phrases:
            return SearchPage([], False, self.pending())
        if self.sqlite:  # FTS5 ranks only in a query of its own: keep the CTE unflattened
            ranked = (
                f"WITH ranked AS MATERIALIZED (SELECT rowid AS version_id, "
                f"bm25({SQLITE_TABLE}) AS score FROM {SQLITE_TABLE} "
                f"WHERE {SQLITE_TABLE} MATCH :q) "
            )
            hits = (
                "SELECT v.article_id AS article_id, r.score AS score FROM ranked r "
                "JOIN versions v ON v.id = r.version_id"
            )
            params: dict[str, object] = {"q": _fts5_query(phrases)}
        else:
            match = " && ".join(f"phraseto_tsquery('simple', :p{i})" for i in range(len(phrases)))
            ranked = ""
            hits = (
                f"SELECT s.article_id AS article_id, -ts_rank(s.terms, {match}) AS score "
                f"FROM {PG_TABLE} s WHERE s.terms @@ ({match})"
            )
            params = {f"p{i}": " ".join(p) for i, p in enumerate(phrases)}
        sql = (
            f"{ranked}SELECT a.id FROM (SELECT article_id, min(score) AS score FROM ({hits}) h "
            "GROUP BY article_id) best JOIN articles a ON a.id = best.article_id "
            "JOIN sites s2 ON s2.id = a.site_id WHERE a.version_count >= :min_versions"
            + (" AND s2.name = :site" if site else "")
            + (" AND a.last_changed >= :since" if since else "")
            + " ORDER BY best.score, a.last_changed DESC, a.id DESC LIMIT :limit OFFSET :offset"
        )
        params.update(min_versions=min_versions, limit=limit + 1, offset=offset)
        if site:
            params["site"] = site
        stmt = text(sql)
        if since:
            stmt = stmt.bindparams(bindparam("since", type_=UTCDateTime()))
            params["since"] = since
        with self.engine.connect() as conn:
            ids = [row[0] for row in conn.execute(stmt, params)]
        return SearchPage(ids[:limit], len(ids) > limit, self.pending())


def excerpt(text_: str, query: str, width: int = EXCERPT_CHARS) -> tuple[str, str, str] | None:
    """Return ``(before, match, after)`` around the first query term found in ``text_``.

    The match is looked up in the text as written (case-insensitive), so the page can
    highlight it; None if no term occurs literally (it matched in another version).
    """
    folded = text_.lower()
    for term in _QUERY_SPLIT_RE.split(normalize_line(query).lower()):
        if not term:
            continue
        at = folded.find(term)
        if at < 0:
            continue
        start, end = max(0, at - width), min(len(text_), at + len(term) + width)
        before = ("…" if start else "") + text_[start:at]
        after = text_[at + len(term) : end] + ("…" if end < len(text_) else "")
        return before, text_[at : at + len(term)], after
    return None
