"""The :class:`Archive`: opening the database and recording what the crawler fetched.

Every recording is one transaction (SQLite: ``BEGIN IMMEDIATE``), so a process killed at any
point leaves either the whole page or none of it. Versions are only ever appended; what a
fetch changed is decided by the parsers' ``content_hash``, never by the raw bytes.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from archive import recording as rec
from archive.bodies import digest_of, load_body
from archive.constants import (
    EVENT_REMOVED,
    EVENT_RESTORED,
    GONE_STATUSES,
    PAGE_STATUSES,
    REDIRECT_STATUSES,
    RUN_COUNT_KEYS,
    RUN_OUTCOMES,
)
from archive.db import (
    SQLITE_BEGIN_OPTION,
    create_archive_engine,
    database_error,
    describe_error,
    resolve_url,
)
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
from archive.schema import articles, captures, robots_txt, runs
from parsers.article import Article
from parsers.exceptions import ParseError
from parsers.options import DEFAULT_OPTIONS, ParseOptions

logger = logging.getLogger(__name__)

# a recording that lost a race to a concurrent writer is run again, up to this many times
_WRITE_ATTEMPTS = 10
_RETRY_PAUSE = 0.005  # seconds, doubled per attempt and jittered, so racers fall out of step
_RETRY_PAUSE_MAX = 0.5
# PostgreSQL SQLSTATEs of a transaction that lost to another and is safe to run again
_CONFLICT_STATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
# the validators of the article's latest page capture, asked before every re-fetch
_VALIDATORS = Prepared(
    select(captures.c.etag, captures.c.last_modified)
    .join(articles, articles.c.id == captures.c.article_id)
    .where(articles.c.url == bindparam("url"), captures.c.status.between(200, 299))
    .order_by(captures.c.id.desc())
    .limit(1)
)
_T = TypeVar("_T")
# (site the article is filed under, its URL) -> the options its pages are parsed with
OptionsResolver = Callable[[str, str], ParseOptions]


def default_options(site: str, url: str) -> ParseOptions:
    """The resolver of an archive opened without site profiles: the parsers' defaults."""
    return DEFAULT_OPTIONS


@dataclass(frozen=True)
class RecordResult:
    """What recording one fetch did: outcome "new", "changed", "unchanged" or "gone".

    ``version`` is the article's latest version number afterwards; ``revert_of`` is set when
    a changed page went back to the content of that earlier version. ``article_id`` is None
    only for a 404/410 of a URL the archive never held. ``rebaselined`` is set on an
    "unchanged" fetch whose hash differed only because a newer parser (or other options) read
    it: the stored version, read again today, gives the same hash. ``event`` is "removed" when
    this fetch found the article gone and it was not, "restored" when a gone article answered
    again.
    """

    outcome: str
    article_id: int | None
    version: int | None
    revert_of: int | None = None
    rebaselined: bool = False
    event: str | None = None


def _conflict(exc: DBAPIError) -> bool:
    """True for an error a concurrent writer caused, which the same work, run again, avoids.

    A unique key another writer filled first (a new article, site or body), a deadlock or a
    serialization failure: the transaction was rolled back whole, and running it again reads
    what the other writer committed.
    """
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.orig, "sqlstate", None) in _CONFLICT_STATES


class Archive:
    """A versioned article store on SQLite or PostgreSQL; see ``Archive.open``.

    ``options_for`` says how a page that the caller hands over unparsed is parsed: given the
    site an article is filed under and its URL, the parse options (a site profile's).
    """

    def __init__(self, engine: Engine, options_for: OptionsResolver = default_options) -> None:
        self.engine = engine
        self.options_for = options_for

    @classmethod
    def open(
        cls,
        db_url: str | None = None,
        *,
        create: bool = True,
        options_for: OptionsResolver = default_options,
    ) -> Archive:
        """Open (and migrate) the archive at ``db_url``, ``$OPDCWATCH_DB`` or ./data/.

        ``create=False`` refuses to make a new SQLite file: read-only commands use it so that a
        mistyped path is an error rather than an empty archive. ``options_for``: see the class.
        A search index that a migration replaced is filled here, with progress
        (``archive.reindex``).
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
                f"cannot open database {shown}: {describe_error(exc)}"
            ) from exc
        return cls(engine, options_for)

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
            raise database_error(exc, "read the archive") from exc

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
            raise database_error(exc, "write the archive") from exc

    def _transact(self, work: Callable[[Connection], _T], what: str) -> _T:
        """Run ``work`` in one write transaction, again if a concurrent writer won a race.

        Two crawlers finding the same new article (or site, or body) at once both try to insert
        it; on PostgreSQL the second fails on the unique key. Re-run, it sees the committed row.
        """
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            try:
                with self.writing() as conn:
                    return work(conn)
            except (IntegrityError, DatabaseUnavailableError) as exc:
                cause = exc if isinstance(exc, IntegrityError) else exc.__cause__
                if not isinstance(cause, DBAPIError) or not _conflict(cause):
                    raise
                if attempt == _WRITE_ATTEMPTS:
                    raise ArchiveError(f"cannot record {what}: {describe_error(cause)}") from exc
                logger.info("concurrent write while recording %s; retrying", what)
                time.sleep(random.uniform(0, min(_RETRY_PAUSE * 2**attempt, _RETRY_PAUSE_MAX)))
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
        options: ParseOptions | None = None,
    ) -> RecordResult:
        """Record one fetched page in one transaction and say whether it is new or changed.

        A version is added only when the article's content hash differs from its baseline
        (the latest version's hash, see :func:`_record_fetch`); a 404/410 marks the article
        gone, and so does a redirect (3xx, its ``Location`` kept), which callers record only
        when it took the article away to the site's home or a listing page. ``article=None``
        parses ``body``. ``options`` are what ``article`` was (or ``body`` is to be) parsed
        with; None asks ``options_for``.
        """
        fetched_at = as_utc(fetched_at)
        canon = canonical_url(url)
        pairs = header_pairs(headers)
        digest = digest_of(body)
        removed = status in GONE_STATUSES or status in REDIRECT_STATUSES
        if status not in PAGE_STATUSES and not removed:
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
        if removed:
            location = header_value(pairs, "Location") if status in REDIRECT_STATUSES else None
            return self._transact(
                lambda conn: _record_gone(conn, canon, site_name, body, capture, location), canon
            )

        def options_of(site_filed: str) -> ParseOptions:
            return options if options is not None else self.options_for(site_filed, canon)

        if article is None:
            with self.reading() as conn:
                state = rec.read_state(conn, canon)
                replay = state is not None and rec.is_known_capture(conn, state, digest, fetched_at)
            if not replay:
                filed_under = state.site_name if state else site_name
                article = _parse(body, url, pairs, options_of(filed_under))
        return self._transact(
            lambda conn: _record_fetch(
                conn, canon, site_name, body, capture, article, pairs, options_of
            ),
            canon,
        )

    def record_not_modified(
        self, *, url: str, fetched_at: datetime | None = None, run_id: int | None = None
    ) -> RecordResult:
        """Record a 304 answer: the article is unchanged and there (again, if it was gone)."""
        fetched_at = as_utc(fetched_at)
        canon = canonical_url(url)
        with self.writing() as conn:
            rec.lock_article(conn, canon)
            state = rec.read_state(conn, canon)
            if state is None:
                raise NotFoundError(f"304 for {url}, which the archive does not hold")
            answer = {"url": url, "fetched_at": fetched_at, "status": 304, "run_id": run_id}
            if fetched_at > state.last_checked:  # not an old answer imported again
                rec.log_fetch(conn, answer, state.article_id, digest=state.latest_capture_digest)
            rec.mark_present(conn, state, fetched_at)
            event = None
            if state.gone_at is not None:
                rec.add_event(conn, state, EVENT_RESTORED, answer)
                event = EVENT_RESTORED
            return RecordResult("unchanged", state.article_id, state.version_count, event=event)

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

    def start_run(self, site: str, *, worker: str | None = None) -> int:
        """Open a crawl run for ``site`` and return its id; ``worker`` names who runs it."""

        def start(conn: Connection) -> int:
            site_id, _ = rec.ensure_site(conn, site)
            values = {"site_id": site_id, "started_at": datetime.now(UTC), "worker": worker}
            return rec.new_id(conn.execute(runs.insert(), values))

        return self._transact(start, f"the start of a run of {site}")

    def finish_run(
        self,
        run_id: int,
        *,
        outcome: str,
        counts: Mapping[str, int],
        errors: Sequence[str] = (),
        unreachable: str | None = None,
        reasons: Mapping[str, int] | None = None,
    ) -> None:
        """Close a run with its outcome ("ok", "failed", "interrupted"), counts and errors.

        ``unreachable`` names the kind of network error ("DNS", "refused", "timeout", "TLS")
        when the run got no answer at all from the site; ``reasons`` counts, by kind, why
        requests ended without a page ("timeout", "redirect loop", "robots", ...).
        """
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
                    unreachable=unreachable,
                    reasons=json.dumps(dict(sorted(reasons.items())), ensure_ascii=False)
                    if reasons
                    else None,
                    **values,
                )
            )
            if result.rowcount == 0:
                raise NotFoundError(f"no run with id {run_id}")

    # -- robots.txt --------------------------------------------------------------------------

    def save_robots(self, origin: str, body: str) -> None:
        """Keep ``origin``'s robots.txt as its last good one (it answered 2xx just now)."""
        values = {"fetched_at": datetime.now(UTC), "body": body}
        try:
            with self.writing() as conn:
                updated = conn.execute(
                    update(robots_txt).where(robots_txt.c.origin == origin).values(**values)
                )
                if updated.rowcount == 0:
                    conn.execute(robots_txt.insert().values(origin=origin, **values))
        except IntegrityError:  # another crawl of the origin saved it at the same moment
            logger.debug("robots.txt of %s saved by another crawl", origin)

    def cached_robots(self, origin: str) -> str | None:
        """Return ``origin``'s last good robots.txt, or None when it never had one."""
        with self.reading() as conn:
            return conn.execute(
                select(robots_txt.c.body).where(robots_txt.c.origin == origin)
            ).scalar()


def _parse(
    body: bytes, url: str, pairs: Sequence[tuple[str, str]], options: ParseOptions
) -> Article:
    from parsers import parse_bytes  # imported late: the parsers pull in lxml and pythainlp

    content_type = header_value(pairs, "Content-Type")
    return parse_bytes(body, url=url, content_type=content_type, options=options)


def _rederive(conn: Connection, state: rec.ArticleState, options: ParseOptions) -> str | None:
    """Return the content hash of the latest version's capture read again with ``options``.

    None when that capture cannot be read or no longer parses: then nothing can be said
    about the old content under today's parser.
    """
    found = rec.version_capture(conn, state)
    if found is None:
        return None
    url, digest, headers = found
    try:
        body = load_body(conn, digest)
        return _parse(body, url, header_pairs(headers), options).content_hash
    except (ArchiveError, ParseError) as exc:
        logger.info("cannot re-read version %s of %s: %s", state.version_count, url, exc)
        return None


def _record_fetch(
    conn: Connection,
    canon: str,
    site_name: str,
    body: bytes,
    capture: dict[str, Any],
    article: Article | None,
    pairs: Sequence[tuple[str, str]],
    options_of: Callable[[str], ParseOptions],
) -> RecordResult:
    """Record a page (2xx) inside the caller's transaction.

    The fetch is a change when its hash differs from the article's baseline. When the
    baseline was made under another extraction key (an older opdcwatch, other selectors),
    the latest version's own capture is first read again with today's parser: if that gives
    the fetch's hash, only the reading changed, not the article. The baseline moves to the
    new hash and no version is added (no version storm after an upgrade).
    """
    fetched_at, digest = capture["fetched_at"], capture["digest"]
    rec.lock_article(conn, canon)
    state = rec.read_state(conn, canon, digest, article.content_hash if article else None)
    if state is not None and rec.is_known_capture(conn, state, digest, fetched_at):
        if fetched_at > state.last_checked:  # the same bytes again, not a replayed import
            rec.log_fetch(conn, capture, state.article_id)
        rec.touch(conn, state.article_id, fetched_at)
        return RecordResult("unchanged", state.article_id, state.version_count)
    options = options_of(state.site_name if state else site_name)
    key = options.extraction_key()
    if article is None:  # another writer changed the page since our first look
        article = _parse(body, capture["url"], pairs, options)
    if state is None:
        state, capture_id = rec.create_article(conn, canon, site_name, body, capture)
        rec.add_version(conn, state, capture_id, article, fetched_at, None, key)
        return RecordResult("new", state.article_id, 1)
    capture_id = rec.add_capture(conn, state, body, capture)
    event = None
    if state.gone_at is not None:  # each path below clears gone_at
        rec.add_event(conn, state, EVENT_RESTORED, capture)
        event = EVENT_RESTORED
    if article.content_hash == state.baseline_hash:
        rec.mark_present(conn, state, fetched_at, key)
        return RecordResult("unchanged", state.article_id, state.version_count, event=event)
    if state.baseline_key != key and _rederive(conn, state, options) == article.content_hash:
        rec.rebaseline(conn, state, fetched_at, article.content_hash, key)
        logger.info("%s: read anew under extraction key %s, unchanged", canon, key)
        return RecordResult(
            "unchanged", state.article_id, state.version_count, rebaselined=True, event=event
        )
    reverted = rec.revert_of(conn, state, article.content_hash)
    number = rec.add_version(conn, state, capture_id, article, fetched_at, reverted, key)
    if reverted:
        logger.info("%s went back to version %s (now version %s)", canon, reverted, number)
    return RecordResult("changed", state.article_id, number, reverted, event=event)


def _record_gone(
    conn: Connection,
    canon: str,
    site_name: str,
    body: bytes,
    capture: dict[str, Any],
    location: str | None,
) -> RecordResult:
    """Record a 404/410 or a removing redirect inside the caller's transaction.

    The article is marked gone, never deleted, and the removal dated by an event; an answer
    older than the article's last check (an old WARC imported late) is kept as history only.
    """
    fetched_at = capture["fetched_at"]
    rec.lock_article(conn, canon)
    state = rec.read_state(conn, canon, capture["digest"])
    if state is None:
        if not rec.has_orphan_capture(conn, capture):
            site_id, site_ref = rec.ensure_site(conn, site_name)
            rec.store_site_body(conn, body, capture, site_id, site_ref, site_ref is not None)
            rec.insert_capture(conn, capture, None)
            logger.info("%s is gone and was never archived", canon)
        return RecordResult("gone", None, None)
    gone = RecordResult("gone", state.article_id, state.version_count)
    known = rec.is_known_capture(conn, state, capture["digest"], fetched_at)
    if known and fetched_at <= state.last_checked:
        return gone  # this very answer was recorded before (a re-run import)
    if not known:
        rec.add_capture(conn, state, body, capture)
    else:  # the same answer again (a replayed import returned above)
        rec.log_fetch(conn, capture, state.article_id)
    if fetched_at < state.last_checked:
        return gone
    if state.gone_at is not None:
        rec.touch(conn, state.article_id, fetched_at)
        return gone
    rec.mark_gone(conn, state, fetched_at)
    rec.add_event(conn, state, EVENT_REMOVED, capture, location)
    return RecordResult("gone", state.article_id, state.version_count, event=EVENT_REMOVED)
