"""Full-text search over every archived version, in Thai as well as English.

A query is words and quoted phrases, all of which a result must hold (``archive.search_terms``
turns it into strings to find and the index terms that find candidates). Results are articles:
first those with a version whose title holds the query, then the others; within each, the most
recently changed first. A candidate the index finds is always checked against the version's
text itself, so every result holds the query as written, on SQLite and PostgreSQL alike.

Ranking never scores every hit. A query that matches up to ``SMALL_HITS`` versions reads them
all and sorts their articles; one that matches more (a common word) walks the articles in
order instead, a batch at a time, asking the index which of their versions match, and stops
once the page is full. Pages follow on by key (``?after=``), so page 3,000 costs what page 1
does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from archive import queries
from archive.paging import MAX_SEARCH_OFFSET, PageKey, after_key, check_offset
from archive.schema import articles, sites, versions
from archive.search_index import SearchIndex
from archive.search_terms import Query, find, parse_query

if TYPE_CHECKING:
    from archive.queries import AnyRow
from parsers.normalize import normalize_text

logger = logging.getLogger(__name__)

__all__ = [
    "Filters",
    "Hit",
    "SearchIndex",
    "SearchPage",
    "excerpt",
    "iter_search",
    "result_rows",
    "search",
]

SMALL_HITS = 20_000  # matching versions read at once; more: walk the articles instead
FIRST_BATCH = 64  # articles asked about at once on that walk (read four times more at a time)
CHECK_BATCH = 32  # candidates whose texts are read and checked at once
MAX_BATCH = 4096
PAGE_BUDGET = 1500  # articles one page of results may examine before it stops short
BUDGET_PER_HIT = 100  # and this many more per result an old ``?page=`` link skips
CATCH_UP_SECONDS = 0.5  # a query indexes fresh versions for at most this long first
EXCERPT_CHARS = 90

Excerpt = tuple[str, str, str]
Candidate = tuple[int, datetime, list[int]]  # article id, last changed, matching version ids
Batch = tuple[list[Candidate], int, tuple[int, datetime]]  # candidates, articles walked, last


@dataclass(frozen=True)
class Hit:
    """One result: the article, its newest version holding the query, and where it is."""

    article_id: int
    version: int  # the version's number
    in_title: bool
    excerpt: Excerpt | None  # (before, match, after) in that version's body
    key: PageKey


@dataclass(frozen=True)
class SearchPage:
    """One page of results, and whether another follows (``next_key`` names where).

    A page that examined ``PAGE_BUDGET`` articles stops there, even short of ``limit`` hits
    (a phrase whose words are everywhere but which is rare itself): ``stopped_at`` is the
    last article examined, and the next page goes on from it.
    """

    hits: list[Hit]
    has_more: bool
    pending: int  # versions not yet indexed when the search ran (0 once caught up)
    stopped_at: PageKey | None = None

    @property
    def article_ids(self) -> list[int]:
        return [hit.article_id for hit in self.hits]

    @property
    def next_key(self) -> str | None:
        if not self.has_more:
            return None
        if self.stopped_at is not None:
            return self.stopped_at.encode()
        return self.hits[-1].key.encode()


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides the query: one site, a change date, several versions,
    articles removed from their site (``gone=True``) or still there (``gone=False``)."""

    site: str | None = None
    since: datetime | None = None
    min_versions: int = 1
    gone: bool | None = None


def excerpt(text: str, query: Query, width: int = EXCERPT_CHARS) -> Excerpt | None:
    """Return ``(before, match, after)`` around the first query string found in ``text``.

    Looked up in the text as written (case-insensitive), so the page can highlight it; in
    the normalised text when only normalisation makes it match; None if it is not in ``text``.
    """
    for source in _as_stored_then_normalised(text):
        folded = source.lower()
        if len(folded) != len(source):  # lower() changed lengths: match as written instead
            folded = source
        for string in query.strings:
            at = find(folded, string)
            if at < 0:
                continue
            end_match = at + len(string)
            start, end = max(0, at - width), min(len(source), end_match + width)
            before = ("…" if start else "") + source[start:at]
            after = source[end_match:end] + ("…" if end < len(source) else "")
            return before, source[at:end_match], after
    return None


def _as_stored_then_normalised(text: str) -> Iterator[str]:
    yield text
    yield normalize_text(text)  # only when the stored text does not show the match


def _holds(query: Query, text: str) -> bool:
    """True if ``text`` holds the query, as stored or once normalised like the index's text."""
    return query.holds(text.lower()) or query.holds(normalize_text(text).lower())


class _Ranking:
    """The ranked, checked results of one query over one connection, produced lazily."""

    def __init__(
        self,
        conn: Connection,
        index: SearchIndex,
        query: Query,
        filters: Filters,
        budget: int | None = None,
    ):
        self.conn = conn
        self.backend = index.backend
        self.query = query
        self.filters = filters
        self.budget = budget  # articles one page may examine; None: no limit
        self.examined = 0
        self.position: PageKey | None = None  # the last article examined
        self.site_id: int | None = None

    def hits(self, after: PageKey | None) -> Iterator[Hit]:
        if self.filters.site is not None:
            found = self.conn.execute(select(sites.c.id).where(sites.c.name == self.filters.site))
            self.site_id = found.scalar()
            if self.site_id is None:
                return
        for tier in (0, 1):
            if after is not None and after.tier > tier:
                continue
            yield from self._tier(tier, after if after is not None and after.tier == tier else None)
            if self.spent():
                return

    def _ids(self, column: ColumnElement[Any], ids: Sequence[int]) -> ColumnElement[bool]:
        """Return ``column IN ids`` as one parameter (a JSON array, or a PostgreSQL array)."""
        if self.conn.dialect.name == "postgresql":
            return column == func.any(bindparam(None, list(ids), type_=ARRAY(BigInteger)))
        values = func.json_each(bindparam(None, json.dumps(list(ids))))
        return column.in_(select(literal_column("value")).select_from(values))

    def _articles(self, after: PageKey | None) -> Select[Any]:
        query = select(articles.c.id, articles.c.last_changed).order_by(
            articles.c.last_changed.desc(), articles.c.id.desc()
        )
        if self.site_id is not None:
            query = query.where(articles.c.site_id == self.site_id)
        if self.filters.since is not None:
            query = query.where(articles.c.last_changed >= self.filters.since)
        if self.filters.min_versions > 1:
            query = query.where(articles.c.version_count >= self.filters.min_versions)
        if self.filters.gone is not None:
            query = query.where(queries.gone_condition(self.filters.gone))
        if after is not None:
            query = query.where(after_key(articles.c.last_changed, articles.c.id, after))
        return query

    def _versions_of(self, article_ids: Sequence[int]) -> dict[int, list[int]]:
        rows = self.conn.execute(
            select(versions.c.id, versions.c.article_id).where(
                self._ids(versions.c.article_id, article_ids)
            )
        )
        found: dict[int, list[int]] = {}
        for version_id, article_id in rows:
            found.setdefault(article_id, []).append(version_id)
        return found

    def _tier(self, tier: int, after: PageKey | None) -> Iterator[Hit]:
        in_title = tier == 0
        terms = self.query.terms
        hits = self.backend.count(self.conn, terms, in_title, SMALL_HITS + 1)
        if not hits:
            return
        few = hits <= SMALL_HITS
        batches = self._from_hits(in_title, after) if few else self._walk(in_title, after)
        for candidates, walked, end in batches:
            for start in range(0, len(candidates), CHECK_BATCH):
                chunk = candidates[start : start + CHECK_BATCH]
                yield from self._checked(tier, chunk)
                self.position = PageKey(tier, chunk[-1][1], chunk[-1][0])
                self.examined += len(chunk)
                if self.spent():
                    return
            self.position = PageKey(tier, end[1], end[0])
            self.examined += walked - len(candidates)
            if self.spent():
                return

    def spent(self) -> bool:
        """True once this page has examined its budget of articles."""
        return self.budget is not None and self.examined >= self.budget

    def _checked(self, tier: int, chunk: Sequence[Candidate]) -> Iterator[Hit]:
        """Yield the candidates that hold the query, read and checked together."""
        in_title = tier == 0
        texts = self._texts([v for _, _, ids in chunk for v in ids])
        titled = set() if in_title else self._title_hits([a for a, _, _ in chunk])
        for article_id, last_changed, version_ids in chunk:
            if article_id in titled:  # listed among the title hits already
                continue
            rows = [texts[v] for v in sorted(version_ids, reverse=True)]
            hit = self._check(in_title, rows)
            if hit is not None:
                key = PageKey(tier, last_changed, article_id)
                yield Hit(article_id, hit[0], in_title, hit[1], key)

    def _from_hits(self, in_title: bool, after: PageKey | None) -> Iterator[Batch]:
        """Candidates of a query with few hits: the articles of every matching version,
        sorted by the database and read a batch at a time as they are checked."""
        hits = self.backend.hit_articles(self.query.terms, in_title).columns(articles.c.id)
        ordered = self.conn.execute(self._articles(after).where(articles.c.id.in_(hits)))
        while batch := ordered.fetchmany(CHECK_BATCH):
            yield self._matching(in_title, batch), len(batch), tuple(batch[-1])

    def _walk(self, in_title: bool, after: PageKey | None) -> Iterator[Batch]:
        """Candidates of a common query: the articles in order, a growing batch at a time."""
        tier = 0 if in_title else 1
        size = FIRST_BATCH
        while batch := self.conn.execute(self._articles(after).limit(size)).all():
            for start in range(0, len(batch), FIRST_BATCH):  # asked about as they are needed
                part = batch[start : start + FIRST_BATCH]
                yield self._matching(in_title, part), len(part), tuple(part[-1])
            after = PageKey(tier, batch[-1].last_changed, batch[-1].id)
            size = min(size * 4, MAX_BATCH)

    def _matching(self, in_title: bool, batch: Sequence[AnyRow]) -> list[Candidate]:
        """Return the articles of ``batch`` (id, last_changed) with a matching version."""
        by_article = self._versions_of([article_id for article_id, _ in batch])
        every = [v for ids in by_article.values() for v in ids]
        matched = self.backend.matches_among(self.conn, self.query.terms, in_title, every)
        found = []
        for article_id, last_changed in batch:
            ids = [v for v in by_article.get(article_id, ()) if v in matched]
            if ids:
                found.append((article_id, last_changed, ids))
        return found

    def _texts(self, version_ids: Sequence[int]) -> dict[int, AnyRow]:
        rows = self.conn.execute(
            select(versions.c.id, versions.c.number, versions.c.title, versions.c.text).where(
                self._ids(versions.c.id, version_ids)
            )
        )
        return {row.id: row for row in rows}

    def _check(self, in_title: bool, rows: Sequence[AnyRow]) -> tuple[int, Excerpt | None] | None:
        """Return (number, excerpt) of the newest of these versions that holds the query."""
        for row in rows:
            title = row.title or ""
            haystack = title if in_title else f"{title}\n{row.text}"
            if _holds(self.query, haystack):
                return row.number, excerpt(row.text, self.query)
        return None

    def _title_hits(self, article_ids: Sequence[int]) -> set[int]:
        """Return which of the articles have a version whose title holds the query."""
        every = {v: a for a, ids in self._versions_of(article_ids).items() for v in ids}
        titled = self.backend.matches_among(self.conn, self.query.terms, True, list(every))
        if not titled:
            return set()
        rows = self.conn.execute(
            select(versions.c.id, versions.c.title).where(self._ids(versions.c.id, sorted(titled)))
        )
        return {every[v] for v, title in rows if _holds(self.query, title or "")}


def result_rows(source: queries.Source, hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """Return the results as ``articles --json`` lists articles, each with its ``match``.

    ``match``: the version that holds the query, whether its title does, and the excerpt
    ``[before, match, after]`` from its body (null when only the title holds it). What
    ``opdcwatch search --json`` prints and ``/api/articles?q=`` answers.
    """
    rows = {
        row["id"]: row for row in queries.article_summaries(source, [h.article_id for h in hits])
    }
    return [
        rows[hit.article_id]
        | {
            "match": {
                "version": hit.version,
                "in_title": hit.in_title,
                "excerpt": list(hit.excerpt) if hit.excerpt else None,
            }
        }
        for hit in hits
        if hit.article_id in rows
    ]


def iter_search(
    index: SearchIndex,
    conn: Connection,
    query: Query,
    filters: Filters = Filters(),
    after: PageKey | None = None,
) -> Iterator[Hit]:
    """Yield every result of ``query`` in rank order, after ``after``, on ``conn``."""
    if query:
        yield from _Ranking(conn, index, query, filters).hits(after)


def search(
    index: SearchIndex,
    query: str,
    *,
    filters: Filters = Filters(),
    limit: int = 50,
    after: PageKey | None = None,
    offset: int = 0,
    catch_up: float = CATCH_UP_SECONDS,
) -> SearchPage:
    """Return one page of results of the user's ``query``: ``limit`` hits after ``after``.

    Fresh versions are indexed first for up to ``catch_up`` seconds (``opdcwatch serve``
    indexes the rest in the background); the page says how many are still pending.
    ``offset`` (old ``?page=`` links) skips hits one by one, so it is bounded.
    """
    check_offset(offset, MAX_SEARCH_OFFSET)
    parsed = parse_query(query)
    if catch_up:
        index.refresh(budget=catch_up)
    pending = index.pending()
    if not parsed:
        return SearchPage([], False, pending)
    with index.engine.connect() as conn:
        ranking = _Ranking(conn, index, parsed, filters, PAGE_BUDGET + offset * BUDGET_PER_HIT)
        wanted = list(islice(ranking.hits(after), offset, offset + limit + 1))
    hits = wanted[:limit]
    if len(wanted) > limit:
        return SearchPage(hits, True, pending)
    if ranking.spent() and ranking.position is not None:  # more may follow: go on from there
        return SearchPage(hits, True, pending, ranking.position)
    return SearchPage(hits, False, pending)
