"""The :class:`Archive`: opening the database and recording what the crawler fetched.

Every recording is one transaction (SQLite: ``BEGIN IMMEDIATE``), so a process killed at any
point leaves either the whole page or none of it. Versions are only ever appended; what a
fetch changed is decided by the parsers' ``content_hash``, never by the raw bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from archive import recording as rec
from archive.bodies import digest_of
from archive.constants import GONE_STATUSES, PAGE_STATUSES, RUN_COUNT_KEYS, RUN_OUTCOMES
from archive.db import SQLITE_BEGIN_OPTION, create_archive_engine, resolve_url
from archive.exceptions import (
    ArchiveError,
    DatabaseUnavailableError,
    InvalidInputError,
    NotFoundError,
)
from archive.inputs import (
    HeaderInput,
    as_utc,
    canonical_url,
    header_pairs,
    header_value,
    site_from_url,
)
from archive.migrations import migrate
from archive.prepared import Prepared
from archive.reindex import rebuild_if_needed
from archive.schema import articles, captures, runs
from parsers.article import Article

logger = logging.getLogger(__name__)

_WRITE_ATTEMPTS = 3
# the validators of the article's latest page capture, asked before every re-fetch
_VALIDATORS = Prepared(
    select(captures.c.etag, captures.c.last_modified)
    .join(articles, articles.c.id == captures.c.article_id)
    .where(articles.c.url == bindparam("url"), captures.c.status.between(200, 299))
    .order_by(captures.c.id.desc())
    .limit(1)
)
_T = TypeVar("_T")


@dataclass(frozen=True)
class RecordResult:
    """What recording one fetch did: outcome "new", "changed", "unchanged" or "gone".

    ``version`` is the article's latest version number afterwards; ``revert_of`` is set when
    a changed page went back to the content of that earlier version. ``article_id`` is None
    only for a 404/410 of a URL the archive never held.
    """

    outcome: str
    article_id: int | None
    version: int | None
    revert_of: int | None = None


def _describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


class Archive:
    """A versioned article store on SQLite or PostgreSQL; see ``Archive.open``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, db_url: str | None = None, *, create: bool = True) -> Archive:
        """Open (and migrate) the archive at ``db_url``, ``$OPDCWATCH_DB`` or ./data/.

        ``create=False`` refuses to make a new SQLite file: read-only commands use it so that a
        mistyped path is an error rather than an empty archive. A search index that a
        migration replaced is filled here, with progress (``archive.reindex``).
        """
        url = resolve_url(db_url)
        engine = create_archive_engine(url, create=create)
        try:
            migrate(engine)
            rebuild_if_needed(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            shown = engine.url.render_as_string(hide_password=True)
            raise DatabaseUnavailableError(
                f"cannot open database {shown}: {_describe(exc)}"
            ) from exc
        return cls(engine)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """Yield a connection for reads; under WAL it never waits for a writer."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            raise DatabaseUnavailableError(f"cannot read the archive: {_describe(exc)}") from exc

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """Yield a connection inside one write transaction, committed on success."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
                with conn.begin():
                    yield conn
        except IntegrityError:
            raise  # a concurrent writer got there first: the caller retries
        except DBAPIError as exc:
            raise DatabaseUnavailableError(f"cannot write the archive: {_describe(exc)}") from exc

    def _transact(self, work: Callable[[Connection], _T], what: str) -> _T:
        """Run ``work`` in one write transaction, again if a concurrent writer won a race.

        Two crawlers finding the same new article (or site, or body) at once both try to insert
        it; on PostgreSQL the second fails on the unique key. Re-run, it sees the committed row.
        """
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            try:
                with self.writing() as conn:
                    return work(conn)
            except IntegrityError as exc:
                if attempt == _WRITE_ATTEMPTS:
                    raise ArchiveError(f"cannot record {what}: {_describe(exc)}") from exc
                logger.info("concurrent write while recording %s; retrying", what)
        raise AssertionError("unreachable")

    # -- recording ---------------------------------------------------------------------------

    def record_page(
        self,
        *,
        url: str,
        status: int,
        headers: HeaderInput,
        body: bytes,
        site: str | None = None,
        fetched_at: datetime | None = None,
        article: Article | None = None,
        run_id: int | None = None,
    ) -> RecordResult:
        """Record one fetched page in one transaction and say whether it is new or changed.

        A version is added only when the article's content hash differs from the latest
        version's; a 404/410 marks the article gone. ``article=None`` parses ``body``.
        """
        fetched_at = as_utc(fetched_at)
        canon = canonical_url(url)
        pairs = header_pairs(headers)
        digest = digest_of(body)
        if status not in PAGE_STATUSES and status not in GONE_STATUSES:
            raise InvalidInputError(f"HTTP status {status} for {url}: neither a page nor gone")
        capture = {
            "url": url,
            "fetched_at": fetched_at,
            "status": status,
            "headers": [list(p) for p in pairs],
            "etag": header_value(pairs, "ETag"),
            "last_modified": header_value(pairs, "Last-Modified"),
            "digest": digest,
            "run_id": run_id,
        }
        site_name = site or site_from_url(canon)
        if status in GONE_STATUSES:
            return self._transact(
                lambda conn: _record_gone(conn, canon, site_name, body, capture), canon
            )
        if article is None:
            with self.reading() as conn:
                state = rec.read_state(conn, canon)
                replay = state is not None and rec.is_known_capture(conn, state, digest, fetched_at)
            if not replay:
                article = _parse(body, url, pairs)
        return self._transact(
            lambda conn: _record_fetch(conn, canon, site_name, body, capture, article, pairs),
            canon,
        )

    def record_not_modified(
        self, *, url: str, fetched_at: datetime | None = None, run_id: int | None = None
    ) -> RecordResult:
        """Record a 304 answer: the article is unchanged and still there; nothing is parsed."""
        fetched_at = as_utc(fetched_at)
        canon = canonical_url(url)
        with self.writing() as conn:
            state = rec.read_state(conn, canon)
            if state is None:
                raise NotFoundError(f"304 for {url}, which the archive does not hold")
            rec.mark_present(conn, state, fetched_at)
            return RecordResult("unchanged", state.article_id, state.version_count)

    def conditional_headers(self, url: str) -> dict[str, str]:
        """Return If-None-Match / If-Modified-Since for a re-fetch of ``url`` ({} if unknown)."""
        with self.reading() as conn:
            row = _VALIDATORS.run(conn, {"url": canonical_url(url)}).first()
        headers: dict[str, str] = {}
        if row is not None and row.etag:
            headers["If-None-Match"] = row.etag
        if row is not None and row.last_modified:
            headers["If-Modified-Since"] = row.last_modified
        return headers

    # -- runs --------------------------------------------------------------------------------

    def start_run(self, site: str) -> int:
        """Open a crawl run for ``site`` and return its id."""

        def start(conn: Connection) -> int:
            site_id, _ = rec.ensure_site(conn, site)
            values = {"site_id": site_id, "started_at": datetime.now(UTC)}
            return rec.new_id(conn.execute(runs.insert(), values))

        return self._transact(start, f"the start of a run of {site}")

    def finish_run(
        self,
        run_id: int,
        *,
        outcome: str,
        counts: Mapping[str, int],
        errors: Sequence[str] = (),
    ) -> None:
        """Close a run with its outcome ("ok", "failed", "interrupted"), counts and errors."""
        if outcome not in RUN_OUTCOMES:
            raise InvalidInputError(
                f"unknown run outcome {outcome!r}: use one of {', '.join(sorted(RUN_OUTCOMES))}"
            )
        unknown = set(counts) - set(RUN_COUNT_KEYS)
        if unknown:
            raise InvalidInputError(
                f"unknown run count {sorted(unknown)[0]!r}: use {', '.join(RUN_COUNT_KEYS)}"
            )
        values: dict[str, Any] = {key: int(counts.get(key, 0)) for key in RUN_COUNT_KEYS}
        if "errors" not in counts:
            values["errors"] = len(errors)
        with self.writing() as conn:
            result = conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    finished_at=datetime.now(UTC),
                    outcome=outcome,
                    error_text="\n".join(errors) or None,
                    **values,
                )
            )
            if result.rowcount == 0:
                raise NotFoundError(f"no run with id {run_id}")


def _parse(body: bytes, url: str, pairs: Sequence[tuple[str, str]]) -> Article:
    from parsers import parse_bytes  # imported late: the parsers pull in bs4 and pythainlp

    return parse_bytes(body, url=url, content_type=header_value(pairs, "Content-Type"))


def _record_fetch(
    conn: Connection,
    canon: str,
    site_name: str,
    body: bytes,
    capture: dict[str, Any],
    article: Article | None,
    pairs: Sequence[tuple[str, str]],
) -> RecordResult:
    """Record a page (2xx) inside the caller's transaction."""
    fetched_at, digest = capture["fetched_at"], capture["digest"]
    state = rec.read_state(conn, canon, digest, article.content_hash if article else None)
    if state is not None and rec.is_known_capture(conn, state, digest, fetched_at):
        rec.touch(conn, state.article_id, fetched_at)
        return RecordResult("unchanged", state.article_id, state.version_count)
    if article is None:  # another writer changed the page since our first look
        article = _parse(body, capture["url"], pairs)
    if state is None:
        state, capture_id = rec.create_article(conn, canon, site_name, body, capture)
        rec.add_version(conn, state, capture_id, article, fetched_at, None)
        return RecordResult("new", state.article_id, 1)
    capture_id = rec.add_capture(conn, state, body, capture)
    if article.content_hash == state.latest_hash:
        rec.mark_present(conn, state, fetched_at)
        return RecordResult("unchanged", state.article_id, state.version_count)
    reverted = rec.revert_of(conn, state, article.content_hash)
    number = rec.add_version(conn, state, capture_id, article, fetched_at, reverted)
    if reverted:
        logger.info("%s went back to version %s (now version %s)", canon, reverted, number)
    return RecordResult("changed", state.article_id, number, reverted)


def _record_gone(
    conn: Connection, canon: str, site_name: str, body: bytes, capture: dict[str, Any]
) -> RecordResult:
    """Record a 404/410 inside the caller's transaction: mark the article, keep everything."""
    fetched_at = capture["fetched_at"]
    state = rec.read_state(conn, canon, capture["digest"])
    if state is None:
        if not rec.has_orphan_capture(conn, capture):
            site_id, site_ref = rec.ensure_site(conn, site_name)
            rec.store_site_body(conn, body, capture, site_id, site_ref, site_ref is not None)
            rec.insert_capture(conn, capture, None)
            logger.info("%s is gone and was never archived", canon)
        return RecordResult("gone", None, None)
    if state.latest_capture_digest == capture["digest"]:
        rec.touch(conn, state.article_id, fetched_at)
    else:
        rec.add_capture(conn, state, body, capture)
        rec.mark_gone(conn, state, fetched_at)
    return RecordResult("gone", state.article_id, state.version_count)
