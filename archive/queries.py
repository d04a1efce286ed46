"""Read-side functions for the command line and the web page, returning plain dicts.

Each function takes an :class:`~archive.store.Archive` (or an open connection) and returns
JSON-ready values: timestamps are ISO 8601 strings in UTC. ``articles --json`` prints
``list_articles``, ``show --json`` prints ``get_article``; the web page serves the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, bindparam, func, select

from archive.bodies import load_body
from archive.constants import MAX_ROW_ID
from archive.exceptions import (
    InvalidInputError,
    NotFoundError,
    SiteNotFoundError,
    VersionNotFoundError,
)
from archive.inputs import canonical_url
from archive.paging import MAX_LIST_OFFSET, PageKey, after_key, check_offset
from archive.schema import articles, captures, runs, sites, versions
from archive.schema import scheduler_notifications as notifications
from archive.store import Archive

Source = Archive | Connection
SITES_LISTED = 12  # site names an unknown --site error lists
if TYPE_CHECKING:
    AnyRow = Row[*tuple[Any, ...]]  # a row of whatever columns the query selects


@contextmanager
def connection(source: Source) -> Iterator[Connection]:
    """Yield a connection: the one given, or a new reading connection of the archive."""
    if isinstance(source, Connection):
        yield source
    else:
        with source.reading() as conn:
            yield conn


def iso(moment: datetime | None) -> str | None:
    """Return a timestamp as ISO 8601 (UTC), or None."""
    return None if moment is None else moment.isoformat()


def resolve_article_id(conn: Connection, id_or_url: str | int) -> int:
    """Return the id of the article named by its id or URL; NotFoundError if there is none."""
    key = str(id_or_url).strip()
    if key.isascii() and key.isdigit():
        number = int(key)  # beyond MAX_ROW_ID no column holds it: the database is not asked
        found = None if number > MAX_ROW_ID else _scalar(conn, articles.c.id == number)
        if found is None:
            raise NotFoundError(f"no article with id {key}")
        return int(found)
    try:
        canon = canonical_url(key)
    except InvalidInputError:
        raise NotFoundError(f"{key!r} is neither an article id nor an http(s) URL") from None
    found = _scalar(conn, articles.c.url == canon)
    if found is None:
        raise NotFoundError(f"no article with URL {canon}")
    return int(found)


def _scalar(conn: Connection, condition: ColumnElement[bool]) -> Any:
    return conn.execute(select(articles.c.id).where(condition)).scalar()


def article_row(conn: Connection, article_id: int) -> AnyRow:
    """Return the article's row with its site name (the id must exist)."""
    return conn.execute(
        select(
            articles,
            sites.c.name.label("site"),
        )
        .join(sites, sites.c.id == articles.c.site_id)
        .where(articles.c.id == article_id)
    ).one()


def _version_dict(row: AnyRow) -> dict[str, Any]:
    return {
        "version": row.number,
        "fetched_at": iso(row.fetched_at),
        "title": row.title,
        "published": row.published,
        "modified": row.modified,
        "text": row.text,
        "content_hash": row.content_hash,
        "capture_id": row.capture_id,
        "revert_of": row.revert_of,
    }


def _article_columns() -> Select[Any]:
    """The columns of a listed article (its latest title and date), by article id."""
    return (
        select(
            articles.c.id,
            articles.c.url,
            sites.c.name.label("site"),
            versions.c.title,
            versions.c.published,
            articles.c.version_count,
            articles.c.first_seen,
            articles.c.last_changed,
            articles.c.last_checked,
            articles.c.gone_at,
        )
        .join(sites, sites.c.id == articles.c.site_id)
        .join(versions, versions.c.id == articles.c.latest_version_id)
    )


def _article_dict(r: AnyRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "url": r.url,
        "site": r.site,
        "title": r.title,
        "published": r.published,
        "versions": r.version_count,
        "first_seen": iso(r.first_seen),
        "last_changed": iso(r.last_changed),
        "last_checked": iso(r.last_checked),
        "gone_at": iso(r.gone_at),
    }


def gone_condition(gone: bool) -> ColumnElement[bool]:
    """Return "removed from its site" (``gone``) or "still there" (not ``gone``)."""
    return articles.c.gone_at.is_not(None) if gone else articles.c.gone_at.is_(None)


def article_key(row: dict[str, Any], *, gone: bool = False) -> PageKey:
    """Return the paging key of a listed article (see :mod:`archive.paging`).

    A list of removed articles is ordered by removal, so its key holds ``gone_at``.
    """
    moment = row["gone_at"] if gone else row["last_changed"]
    return PageKey(0, datetime.fromisoformat(moment), row["id"])


def iter_articles(
    source: Source,
    *,
    site: str | None = None,
    changed_since: datetime | None = None,
    min_versions: int = 1,
    gone: bool | None = None,
    after: PageKey | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[dict[str, Any]]:
    """Yield articles, most recently changed first, with their latest title and date.

    ``gone=True`` yields only the articles gone from their site, most recently removed first
    (``after`` then names a removal time); ``gone=False`` only those still there.

    Streams: rows are read as they are printed, never all at once, in the order of an index
    (no sort). ``after`` starts the walk at a key, so page 3,000 costs what page 1 does; an
    ``offset`` (old links) picks the page's ids on the index alone before joining them.
    """
    moment = articles.c.gone_at if gone else articles.c.last_changed
    query = _article_columns() if not offset else select(articles.c.id, moment.label("moment"))
    query = query.order_by(moment.desc(), articles.c.id.desc())
    if site is not None:
        site_id = select(sites.c.id).where(sites.c.name == site).scalar_subquery()
        query = query.where(articles.c.site_id == site_id)
    if changed_since is not None:
        query = query.where(articles.c.last_changed >= changed_since)
    if min_versions > 1:
        query = query.where(articles.c.version_count >= min_versions)
    if gone is not None:
        query = query.where(gone_condition(gone))
    if after is not None:
        query = query.where(after_key(moment, articles.c.id, after))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        page = query.offset(check_offset(offset, MAX_LIST_OFFSET)).subquery("page")
        query = (
            _article_columns()
            .join(page, page.c.id == articles.c.id)
            .order_by(page.c.moment.desc(), page.c.id.desc())
        )
    with connection(source) as conn:
        rows = conn.execution_options(stream_results=True, yield_per=500).execute(query)
        for row in rows:
            yield _article_dict(row)


def list_articles(
    source: Source,
    *,
    site: str | None = None,
    changed_since: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
    gone: bool | None = None,
) -> list[dict[str, Any]]:
    """Return articles, most recently changed first, with their latest title and date.

    ``gone`` as in :func:`iter_articles`.
    """
    return list(
        iter_articles(
            source, site=site, changed_since=changed_since, limit=limit, offset=offset, gone=gone
        )
    )


def article_summaries(source: Source, article_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Return the listed form of the given articles, in the order given (search results)."""
    if not article_ids:
        return []
    with connection(source) as conn:
        rows = conn.execute(_article_columns().where(articles.c.id.in_(list(article_ids))))
        found = {row.id: _article_dict(row) for row in rows}
    return [found[i] for i in article_ids if i in found]


def list_versions(source: Source, article_id: int) -> list[dict[str, Any]]:
    """Return every version of an article, oldest first, without the text."""
    with connection(source) as conn:
        rows = conn.execute(
            select(versions).where(versions.c.article_id == article_id).order_by(versions.c.number)
        ).all()
    return [{k: v for k, v in _version_dict(r).items() if k != "text"} for r in rows]


def get_version(source: Source, article_id: int, number: int | None = None) -> dict[str, Any]:
    """Return version ``number`` (default the latest) of an article, text included."""
    with connection(source) as conn:
        count = None
        if 0 <= article_id <= MAX_ROW_ID:
            count = conn.execute(
                select(articles.c.version_count).where(articles.c.id == article_id)
            ).scalar()
        if count is None:
            raise NotFoundError(f"no article with id {article_id}")
        number = count if number is None else number
        row = None
        if 0 <= number <= MAX_ROW_ID:
            row = conn.execute(
                select(versions).where(
                    versions.c.article_id == article_id, versions.c.number == number
                )
            ).first()
    if row is None:
        raise VersionNotFoundError(
            f"article {article_id} has versions 1-{count}; there is no version {number}"
        )
    return _version_dict(row)


def elsewhere(source: Source, article_id: int) -> list[str]:
    """Return URLs of articles on other sites whose latest version has the same content."""
    with connection(source) as conn:
        mine = conn.execute(
            select(versions.c.content_hash, articles.c.site_id)
            .join(articles, articles.c.latest_version_id == versions.c.id)
            .where(articles.c.id == article_id)
        ).first()
        if mine is None:
            return []
        urls = conn.execute(
            select(articles.c.url)
            .join(versions, versions.c.id == articles.c.latest_version_id)
            .where(
                versions.c.content_hash == mine.content_hash,
                articles.c.site_id != mine.site_id,
            )
            .order_by(articles.c.id)
        ).scalars()
        return list(urls)


def get_article(
    source: Source, id_or_url: str | int, *, version: int | None = None
) -> dict[str, Any]:
    """Return an article with one version (default the latest): what ``show --json`` prints."""
    with connection(source) as conn:
        article_id = resolve_article_id(conn, id_or_url)
        row = article_row(conn, article_id)
        chosen = get_version(conn, article_id, version)
        also_at = elsewhere(conn, article_id)
    return {
        "id": row.id,
        "url": row.url,
        "site": row.site,
        "title": chosen["title"],
        "published": chosen["published"],
        "modified": chosen["modified"],
        "text": chosen["text"],
        "version": chosen["version"],
        "versions": row.version_count,
        "fetched_at": chosen["fetched_at"],
        "revert_of": chosen["revert_of"],
        "content_hash": chosen["content_hash"],
        "first_seen": iso(row.first_seen),
        "last_checked": iso(row.last_checked),
        "last_changed": iso(row.last_changed),
        "gone_at": iso(row.gone_at),
        "also_at": also_at,
    }


def get_capture(source: Source, capture_id: int) -> dict[str, Any]:
    """Return a capture with its raw body decompressed (``body`` is bytes)."""
    with connection(source) as conn:
        row = conn.execute(select(captures).where(captures.c.id == capture_id)).first()
        if row is None:
            raise NotFoundError(f"no capture with id {capture_id}")
        body = load_body(conn, row.digest)
    return {
        "id": row.id,
        "article_id": row.article_id,
        "url": row.url,
        "fetched_at": iso(row.fetched_at),
        "status": row.status,
        "headers": [tuple(pair) for pair in row.headers],
        "etag": row.etag,
        "last_modified": row.last_modified,
        "digest": row.digest,
        "run_id": row.run_id,
        "body": body,
    }


def site_names(source: Source) -> list[str]:
    """Return the names of the sites the archive holds (articles or runs), sorted."""
    with connection(source) as conn:
        return list(conn.scalars(select(sites.c.name).order_by(sites.c.name)))


def check_site(source: Source, name: str) -> None:
    """Raise :class:`SiteNotFoundError` unless the archive holds a site called ``name``."""
    with connection(source) as conn:
        if conn.scalar(select(sites.c.id).where(sites.c.name == name)) is not None:
            return
        known = site_names(conn)
    shown = ", ".join(known[:SITES_LISTED]) or "none yet"
    if len(known) > SITES_LISTED:
        shown += f", … ({len(known)} in all)"
    raise SiteNotFoundError(f"no such site {name!r} in the archive (sites: {shown})")


def list_runs(
    source: Source, *, site: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Return crawl runs, newest first."""
    query = (
        select(runs, sites.c.name.label("site"))
        .join(sites, sites.c.id == runs.c.site_id)
        .order_by(runs.c.id.desc())
    )
    if site is not None:
        query = query.where(sites.c.name == site)
    if limit is not None:
        query = query.limit(limit)
    with connection(source) as conn:
        rows = conn.execute(query).all()
    return [
        {
            "id": r.id,
            "site": r.site,
            "started_at": iso(r.started_at),
            "finished_at": iso(r.finished_at),
            "outcome": r.outcome,
            "pages": r.pages,
            "new": r.new,
            "changed": r.changed,
            "unchanged": r.unchanged,
            "gone": r.gone,
            "restored": r.restored,
            "errors": r.errors,
            "error_text": r.error_text,
            "unreachable": r.unreachable,
            "worker": r.worker,
            "reasons": json.loads(r.reasons) if r.reasons else {},
        }
        for r in rows
    ]


def run_bodies(
    source: Source, run_ids: Sequence[int], *, per_run: int
) -> list[tuple[int, int, int | None]]:
    """Return (run id, body length, previous version's body length) of the versions the runs
    created: the last ``per_run`` of each run, so that health costs the same for a run of
    ten pages and one of fifty thousand. The lengths come from migration 0008's expression
    indexes, named here for SQLite, whose planner would otherwise read every text."""
    prev = versions.alias("prev")
    query = (
        select(
            captures.c.run_id,
            func.length(versions.c.text).label("chars"),
            func.length(prev.c.text).label("previous_chars"),
        )
        .select_from(
            captures.join(versions, versions.c.capture_id == captures.c.id).outerjoin(
                prev,
                and_(
                    prev.c.article_id == versions.c.article_id,
                    prev.c.number == versions.c.number - 1,
                ),
            )
        )
        .where(captures.c.run_id == bindparam("run_id"))
        .order_by(captures.c.id.desc())
        .limit(per_run)
        .with_hint(versions, "INDEXED BY ix_versions_capture_size", "sqlite")
        .with_hint(prev, "INDEXED BY ix_versions_article_size", "sqlite")
    )
    found: list[tuple[int, int, int | None]] = []
    with connection(source) as conn:
        for run_id in run_ids:
            rows = conn.execute(query, {"run_id": run_id})
            found += [(r.run_id, int(r.chars or 0), r.previous_chars) for r in rows]
    return found


def run_versions(source: Source, run_id: int) -> list[dict[str, Any]]:
    """Return the versions a run created, oldest first, each with its article's URL and the
    title and text of the version before it (None for a new article): what a notification
    says about the run."""
    prev = versions.alias("prev")
    query = (
        select(
            versions.c.article_id,
            versions.c.number,
            versions.c.title,
            versions.c.text,
            versions.c.revert_of,
            articles.c.url,
            prev.c.title.label("prev_title"),
            prev.c.text.label("prev_text"),
        )
        .select_from(
            versions.join(captures, captures.c.id == versions.c.capture_id)
            .join(articles, articles.c.id == versions.c.article_id)
            .outerjoin(
                prev,
                and_(
                    prev.c.article_id == versions.c.article_id,
                    prev.c.number == versions.c.number - 1,
                ),
            )
        )
        .where(captures.c.run_id == run_id)
        .order_by(versions.c.id)
    )
    with connection(source) as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def run_notifications(source: Source, run_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Return the notifications recorded for each run (target, ok, error), in sending order."""
    found: dict[int, list[dict[str, Any]]] = {}
    if not run_ids:
        return found
    query = (
        select(notifications)
        .where(notifications.c.run_id.in_(list(run_ids)))
        .order_by(notifications.c.id)
    )
    with connection(source) as conn:
        for row in conn.execute(query):
            found.setdefault(row.run_id, []).append(
                {"target": row.target, "ok": row.ok, "error": row.error}
            )
    return found


def sites_with_runs(source: Source) -> list[str]:
    """Return the names of the sites that have at least one run, sorted."""
    query = (
        select(sites.c.name).where(sites.c.id.in_(select(runs.c.site_id))).order_by(sites.c.name)
    )
    with connection(source) as conn:
        return [row.name for row in conn.execute(query)]
