"""The steps of recording one fetch, each run inside the caller's transaction.

Recording is the hot path of a crawl (and of a 300,000-page import), so its statements are
built once and run as :class:`archive.prepared.Prepared` statements, and the article's state
query answers in one round trip what the steps below would otherwise each ask.

Reference bodies (see ``archive.bodies``): the site's reference is a standalone body, and an
article records the reference its captures are compressed against, the site's. Archives
written before 2026-11 may record an article's own first body instead; that body is one
reference deep, so no body needs more than two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    CursorResult,
    Table,
    bindparam,
    case,
    exists,
    func,
    select,
    update,
)

from archive.bodies import store_body
from archive.constants import PAGE_STATUSES
from archive.exceptions import ArchiveError
from archive.prepared import Prepared
from archive.schema import (
    UTCDateTime,
    article_events,
    articles,
    bodies,
    captures,
    fetches,
    scheduler_notifications,
    sites,
    versions,
)
from parsers.article import Article


@dataclass
class ArticleState:
    """An article as the recorder needs it, read inside the recording transaction."""

    article_id: int
    site_id: int
    last_checked: datetime
    version_count: int
    ref_digest: str | None
    site_ref: str | None
    latest_hash: str | None
    latest_capture_digest: str | None
    site_name: str = ""
    # the hash the latest content has under ``baseline_key`` (None: made by release 0.1.0)
    baseline_hash: str | None = None
    baseline_key: str | None = None
    latest_version_capture: int | None = None  # the capture the latest version was read from
    gone_at: datetime | None = None
    # answered by the same query, for the digest and content hash of the fetch being recorded
    digest: str | None = None
    body_stored: bool = False
    content_hash: str | None = None
    latest_with_hash: int | None = None


_LATEST_CAPTURE = (
    select(captures.c.digest)
    .where(captures.c.article_id == articles.c.id)
    .order_by(captures.c.id.desc())
    .limit(1)
    .correlate(articles)
    .scalar_subquery()
)
_earlier = versions.alias("earlier")
_LATEST_WITH_HASH = (  # the newest version with the fetched content: a revert goes back to it
    select(func.max(_earlier.c.number))
    .where(_earlier.c.article_id == articles.c.id, _earlier.c.content_hash == bindparam("hash"))
    .correlate(articles)
    .scalar_subquery()
)
_BODY_STORED = exists().where(bodies.c.digest == bindparam("digest"))
# one statement for everything the recorder must know about an existing article
_STATE = Prepared(
    select(
        articles.c.id,
        articles.c.site_id,
        articles.c.last_checked,
        articles.c.version_count,
        articles.c.ref_digest,
        articles.c.gone_at,
        sites.c.ref_digest.label("site_ref"),
        sites.c.name.label("site_name"),
        versions.c.content_hash,
        func.coalesce(articles.c.baseline_hash, versions.c.content_hash).label("baseline_hash"),
        func.coalesce(articles.c.baseline_key, versions.c.extraction_key).label("baseline_key"),
        versions.c.capture_id,
        _LATEST_CAPTURE.label("latest_digest"),
        _BODY_STORED.label("body_stored"),
        _LATEST_WITH_HASH.label("latest_with_hash"),
    )
    .join(sites, sites.c.id == articles.c.site_id)
    .outerjoin(versions, versions.c.id == articles.c.latest_version_id)
    .where(articles.c.url == bindparam("url"))
)
# PostgreSQL: held until the recording commits, so that writers of one article take turns
_LOCK_ARTICLE = Prepared(
    select(articles.c.id).where(articles.c.url == bindparam("url")).with_for_update()
)
_SEEN_DIGEST = Prepared(
    select(captures.c.id)
    .where(captures.c.article_id == bindparam("aid"), captures.c.digest == bindparam("digest"))
    .limit(1)
)
_ORPHAN_CAPTURE = Prepared(
    select(captures.c.id)
    .where(
        captures.c.article_id.is_(None),
        captures.c.url == bindparam("url"),
        captures.c.digest == bindparam("digest"),
    )
    .limit(1)
)
_SITE = Prepared(select(sites.c.id, sites.c.ref_digest).where(sites.c.name == bindparam("name")))
_SITE_AND_BODY = Prepared(
    select(sites.c.id, sites.c.ref_digest, _BODY_STORED.label("body_stored")).where(
        sites.c.name == bindparam("name")
    )
)
_SET_SITE_REF = Prepared(
    update(sites).where(sites.c.id == bindparam("p_id")).values(ref_digest=bindparam("p_ref"))
)
_REVERT_OF = Prepared(
    select(func.max(versions.c.number)).where(
        versions.c.article_id == bindparam("aid"), versions.c.content_hash == bindparam("hash")
    )
)
_TOUCH = Prepared(
    update(articles)
    .where(articles.c.id == bindparam("p_id"), articles.c.last_checked < bindparam("p_at"))
    .values(last_checked=bindparam("p_at"))
)
_PRESENT = Prepared(
    update(articles)
    .where(articles.c.id == bindparam("p_id"))
    .values(last_checked=bindparam("p_checked"), gone_at=None)
)
_REBASELINE = Prepared(
    update(articles)
    .where(articles.c.id == bindparam("p_id"))
    .values(
        last_checked=bindparam("p_checked"),
        gone_at=None,
        baseline_hash=bindparam("p_hash"),
        baseline_key=bindparam("p_key"),
    )
)
_GONE = Prepared(
    update(articles)
    .where(articles.c.id == bindparam("p_id"))
    .values(
        gone_at=func.coalesce(articles.c.gone_at, bindparam("p_at", type_=UTCDateTime)),
        last_checked=bindparam("p_checked"),
    )
)
_NEW_VERSION = Prepared(
    update(articles)
    .where(articles.c.id == bindparam("p_id"))
    .values(
        version_count=bindparam("p_n"),
        latest_version_id=bindparam("p_vid"),
        # a capture older than the last change (an old WARC imported late) never moves it back
        last_changed=case(
            (articles.c.last_changed < bindparam("p_at"), bindparam("p_at")),
            else_=articles.c.last_changed,
        ),
        last_checked=bindparam("p_checked"),
        gone_at=None,
        baseline_hash=bindparam("p_hash"),
        baseline_key=bindparam("p_key"),
    )
)


def _inserting(table: Table, keys: str) -> Prepared:
    """Return an INSERT of the space-separated columns ``keys`` that yields the new row's id."""
    return Prepared(table.insert(), keys=keys.split(), returning=table.c.id)


_INSERT_ARTICLE = _inserting(
    articles, "url site_id first_seen last_checked last_changed version_count ref_digest"
)
_INSERT_CAPTURE = _inserting(
    captures, "url fetched_at status headers etag last_modified digest run_id article_id"
)
_INSERT_VERSION = _inserting(
    versions,
    "article_id number fetched_at title published modified text content_hash capture_id revert_of "
    "extraction_key",
)
_INSERT_SITE = _inserting(sites, "name")
_INSERT_FETCH = Prepared(
    fetches.insert(),
    keys=["article_id", "run_id", "url", "fetched_at", "status", "digest", "capture_id"],
)
_INSERT_EVENT = _inserting(article_events, "article_id run_id happened_at kind status location")


def new_id(result: CursorResult[Any]) -> int:
    """Return the primary key of the row an INSERT just added."""
    key = result.inserted_primary_key
    if key is None:
        raise ArchiveError("the database returned no id for a new row")
    return int(key[0])


def _insert(conn: Connection, statement: Prepared, values: dict[str, Any]) -> int:
    """Run a prepared INSERT and return the new row's id."""
    key = statement.run(conn, values).scalar()
    if key is None:
        raise ArchiveError("the database returned no id for a new row")
    return int(key)


def lock_article(conn: Connection, canon: str) -> None:
    """Lock the article's row (if it exists) until the transaction ends.

    On PostgreSQL, writers recording one article at once would otherwise all read the same
    ``version_count`` and number their versions alike; locked, the next writer waits and then
    reads what the first committed. SQLite needs nothing: ``BEGIN IMMEDIATE`` already lets one
    writer in at a time.
    """
    if conn.dialect.name == "postgresql":
        _LOCK_ARTICLE.run(conn, {"url": canon})


def read_state(
    conn: Connection, canon: str, digest: str | None = None, content_hash: str | None = None
) -> ArticleState | None:
    """Return the recorder's view of the article filed under ``canon``, or None.

    Given the fetch's body ``digest`` and ``content_hash``, the same statement also says
    whether that body is stored and which version last had that content, which the recorder
    would otherwise ask in two more statements per page.
    """
    params = {"url": canon, "digest": digest, "hash": content_hash}
    row = _STATE.run(conn, params).first()
    if row is None:
        return None
    return ArticleState(
        article_id=row.id,
        site_id=row.site_id,
        last_checked=row.last_checked,
        version_count=row.version_count,
        ref_digest=row.ref_digest,
        site_ref=row.site_ref,
        latest_hash=row.content_hash,
        latest_capture_digest=row.latest_digest,
        site_name=row.site_name,
        baseline_hash=row.baseline_hash,
        baseline_key=row.baseline_key,
        latest_version_capture=row.capture_id,
        gone_at=row.gone_at,
        digest=digest,
        body_stored=bool(row.body_stored),
        content_hash=content_hash,
        latest_with_hash=row.latest_with_hash,
    )


def is_known_capture(
    conn: Connection, state: ArticleState, digest: str, fetched_at: datetime
) -> bool:
    """True if this fetch adds nothing: the latest bytes again, or a replay of an old fetch.

    A fetch no later than the article's last check whose bytes the article already has is a
    re-run of an earlier ingest (after a crash, or the same WARC twice), not a revert.
    """
    if digest == state.latest_capture_digest:
        return True
    if fetched_at > state.last_checked:
        return False
    params = {"aid": state.article_id, "digest": digest}
    return _SEEN_DIGEST.run(conn, params).first() is not None


def has_orphan_capture(conn: Connection, capture: dict[str, Any]) -> bool:
    """True if this very response of a never-archived URL is already stored."""
    params = {"url": capture["url"], "digest": capture["digest"]}
    return _ORPHAN_CAPTURE.run(conn, params).first() is not None


def touch(conn: Connection, article_id: int, fetched_at: datetime) -> None:
    """Move the article's last check forward to ``fetched_at`` (never backwards)."""
    _TOUCH.run(conn, {"p_id": article_id, "p_at": fetched_at})


def mark_present(
    conn: Connection, state: ArticleState, fetched_at: datetime, key: str | None = None
) -> None:
    """Record that the article answered (unchanged): last check forward, not gone.

    Given the extraction ``key`` that read the fetch, the baseline is filed under it.
    """
    if key is not None and key != state.baseline_key:
        rebaseline(conn, state, fetched_at, state.baseline_hash, key)
        return
    checked = max(state.last_checked, fetched_at)
    _PRESENT.run(conn, {"p_id": state.article_id, "p_checked": checked})


def rebaseline(
    conn: Connection, state: ArticleState, fetched_at: datetime, content_hash: str | None, key: str
) -> None:
    """Record the hash the latest content has under ``key``; the article answered, unchanged."""
    checked = max(state.last_checked, fetched_at)
    params = {"p_id": state.article_id, "p_checked": checked, "p_hash": content_hash, "p_key": key}
    _REBASELINE.run(conn, params)


def mark_gone(conn: Connection, state: ArticleState, fetched_at: datetime) -> None:
    """Mark the article gone since ``fetched_at`` unless it already was."""
    checked = max(state.last_checked, fetched_at)
    _GONE.run(conn, {"p_id": state.article_id, "p_at": fetched_at, "p_checked": checked})


def add_event(
    conn: Connection,
    state: ArticleState,
    kind: str,
    capture: dict[str, Any],
    location: str | None = None,
) -> None:
    """Date a removal or restoration of the article: the fetch ``capture`` describes saw it."""
    values = {
        "article_id": state.article_id,
        "run_id": capture["run_id"],
        "happened_at": capture["fetched_at"],
        "kind": kind,
        "status": capture["status"],
        "location": location,
    }
    _insert(conn, _INSERT_EVENT, values)



def add_notifications(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Store notification deliveries (run_id, site, sent_at, target, ok, error) of a run."""
    if rows:
        conn.execute(scheduler_notifications.insert(), rows)


def ensure_site(conn: Connection, name: str) -> tuple[int, str | None]:
    """Return (id, reference digest) of the site ``name``, creating it if needed."""
    row = _SITE.run(conn, {"name": name}).first()
    if row is not None:
        return int(row.id), row.ref_digest
    return _insert(conn, _INSERT_SITE, {"name": name}), None


def store_site_body(
    conn: Connection,
    body: bytes,
    capture: dict[str, Any],
    site_id: int,
    ref: str | None,
    site_has_ref: bool,
    stored: bool | None = None,
) -> bool:
    """Store the body against ``ref``; a site's first page body becomes its reference.

    ``stored`` is whether the body is already there, when the caller knows (else it is asked).
    """
    digest = capture["digest"]
    standalone = ref is None or ref == digest
    inserted = store_body(conn, body, digest, None if standalone else ref, stored=stored)
    if inserted and standalone and not site_has_ref and capture["status"] in PAGE_STATUSES:
        _SET_SITE_REF.run(conn, {"p_id": site_id, "p_ref": digest})
    return inserted


def insert_capture(conn: Connection, capture: dict[str, Any], article_id: int | None) -> int:
    """Insert the capture row (its body already stored) and its fetch; return its id."""
    capture_id = _insert(conn, _INSERT_CAPTURE, dict(capture, article_id=article_id))
    log_fetch(conn, capture, article_id, capture_id=capture_id)
    return capture_id


def log_fetch(
    conn: Connection,
    capture: dict[str, Any],
    article_id: int | None,
    *,
    capture_id: int | None = None,
    digest: str | None = None,
) -> None:
    """Add one answer to the fetch log: time, status and body digest (``digest`` overrides
    the capture's: a 304 names the body it confirmed), and the capture if one was stored."""
    _INSERT_FETCH.run(
        conn,
        {
            "article_id": article_id,
            "run_id": capture.get("run_id"),
            "url": capture["url"],
            "fetched_at": capture["fetched_at"],
            "status": capture["status"],
            "digest": digest or capture.get("digest"),
            "capture_id": capture_id,
        },
    )


def create_article(
    conn: Connection, canon: str, site_name: str, body: bytes, capture: dict[str, Any]
) -> tuple[ArticleState, int]:
    """Insert a new article with its first capture; return its state and the capture id."""
    fetched_at = capture["fetched_at"]
    row = _SITE_AND_BODY.run(conn, {"name": site_name, "digest": capture["digest"]}).first()
    if row is None:  # the site's first page: nothing of it is stored yet
        site_id, site_ref, stored = ensure_site(conn, site_name)[0], None, None
    else:
        site_id, site_ref, stored = int(row.id), row.ref_digest, bool(row.body_stored)
    inserted = store_site_body(conn, body, capture, site_id, site_ref, site_ref is not None, stored)
    ref = site_ref or (capture["digest"] if inserted else None)
    article_id = _insert(
        conn,
        _INSERT_ARTICLE,
        {
            "url": canon,
            "site_id": site_id,
            "first_seen": fetched_at,
            "last_checked": fetched_at,
            "last_changed": fetched_at,
            "version_count": 0,
            "ref_digest": ref,
        },
    )
    capture_id = insert_capture(conn, capture, article_id)
    state = ArticleState(
        article_id, site_id, fetched_at, 0, ref, site_ref, None, None, site_name=site_name
    )
    return state, capture_id


def add_capture(conn: Connection, state: ArticleState, body: bytes, capture: dict[str, Any]) -> int:
    """Store another capture of an existing article; return the capture id."""
    ref = state.ref_digest or state.site_ref
    stored = state.body_stored if state.digest == capture["digest"] else None
    store_site_body(conn, body, capture, state.site_id, ref, state.site_ref is not None, stored)
    return insert_capture(conn, capture, state.article_id)


def version_capture(
    conn: Connection, state: ArticleState
) -> tuple[str, str, list[Any]] | None:
    """Return (url, digest, headers) of the capture the latest version was read from."""
    if state.latest_version_capture is None:
        return None
    row = conn.execute(
        select(captures.c.url, captures.c.digest, captures.c.headers).where(
            captures.c.id == state.latest_version_capture
        )
    ).first()
    return None if row is None else (row.url, row.digest, row.headers)


def revert_of(conn: Connection, state: ArticleState, content_hash: str) -> int | None:
    """Return the latest earlier version with this content, or None."""
    if content_hash is not None and content_hash == state.content_hash:
        return state.latest_with_hash
    params = {"aid": state.article_id, "hash": content_hash}
    found: int | None = _REVERT_OF.run(conn, params).scalar()
    return found


def add_version(
    conn: Connection,
    state: ArticleState,
    capture_id: int,
    article: Article,
    fetched_at: datetime,
    reverted: int | None,
    key: str,
) -> int:
    """Append the next version, read under extraction ``key``; point the article at it.

    Returns the version's number. The version's hash becomes the article's baseline.
    """
    number = state.version_count + 1
    version_id = _insert(
        conn,
        _INSERT_VERSION,
        {
            "article_id": state.article_id,
            "number": number,
            "fetched_at": fetched_at,
            "title": article.title,
            "published": article.published,
            "modified": article.modified,
            "text": article.text,
            "content_hash": article.content_hash,
            "capture_id": capture_id,
            "revert_of": reverted,
            "extraction_key": key,
        },
    )
    _NEW_VERSION.run(
        conn,
        {
            "p_id": state.article_id,
            "p_n": number,
            "p_vid": version_id,
            "p_at": fetched_at,
            "p_checked": max(state.last_checked, fetched_at),
            "p_hash": article.content_hash,
            "p_key": key,
        },
    )
    return number
