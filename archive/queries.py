"""Read-side functions for the command line and the web page, returning plain dicts.

Each function takes an :class:`~archive.store.Archive` (or an open connection) and returns
JSON-ready values: timestamps are ISO 8601 strings in UTC. ``articles --json`` prints
``list_articles``, ``show --json`` prints ``get_article``; the web page serves the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from archive.bodies import load_body
from archive.exceptions import InvalidInputError, NotFoundError, VersionNotFoundError
from archive.inputs import canonical_url
from archive.schema import articles, captures, runs, sites, versions
from archive.store import Archive

Source = Archive | Connection


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
    if key.isdigit():
        found = conn.execute(select(articles.c.id).where(articles.c.id == int(key))).scalar()
        if found is None:
            raise NotFoundError(f"no article with id {key}")
        return int(found)
    try:
        canon = canonical_url(key)
    except InvalidInputError:
        raise NotFoundError(f"{key!r} is neither an article id nor an http(s) URL") from None
    found = conn.execute(select(articles.c.id).where(articles.c.url == canon)).scalar()
    if found is None:
        raise NotFoundError(f"no article with URL {canon}")
    return int(found)


def article_row(conn: Connection, article_id: int) -> Row:
    """Return the article's row with its site name (the id must exist)."""
    return conn.execute(
        select(
            articles,
            sites.c.name.label("site"),
        )
        .join(sites, sites.c.id == articles.c.site_id)
        .where(articles.c.id == article_id)
    ).one()


def _version_dict(row: Row) -> dict[str, Any]:
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

    ``gone=True`` lists only the articles gone from their site, most recently removed first;
    ``gone=False`` only those still there.
    """
    query = (
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
        .order_by(articles.c.last_changed.desc(), articles.c.id.desc())
        .offset(offset)
    )
    if gone:
        latest_removed = (articles.c.gone_at.desc(), articles.c.id.desc())
        query = (
            query.where(articles.c.gone_at.is_not(None)).order_by(None).order_by(*latest_removed)
        )
    elif gone is not None:
        query = query.where(articles.c.gone_at.is_(None))
    if site is not None:
        query = query.where(sites.c.name == site)
    if changed_since is not None:
        query = query.where(articles.c.last_changed >= changed_since)
    if limit is not None:
        query = query.limit(limit)
    with connection(source) as conn:
        rows = conn.execute(query).all()
    return [
        {
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
        for r in rows
    ]


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
        count = conn.execute(
            select(articles.c.version_count).where(articles.c.id == article_id)
        ).scalar()
        if count is None:
            raise NotFoundError(f"no article with id {article_id}")
        number = count if number is None else number
        row = conn.execute(
            select(versions).where(versions.c.article_id == article_id, versions.c.number == number)
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
        }
        for r in rows
    ]
