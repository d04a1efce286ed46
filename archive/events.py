"""Removals and restorations read back: per run (``runs``, notifications), per article (the
web page) and newest first (the feed).

The recorder dates each one in ``article_events`` in the transaction of the fetch that saw it
(see ``archive.store``); ``articles.gone_at`` only says whether an article is gone now.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select

from archive import queries
from archive.constants import EVENT_REMOVED
from archive.schema import article_events, articles, sites, versions


def _query() -> Select[Any]:
    return (
        select(
            article_events.c.id,
            article_events.c.article_id,
            article_events.c.run_id,
            article_events.c.happened_at,
            article_events.c.kind,
            article_events.c.status,
            article_events.c.location,
            articles.c.url,
            articles.c.version_count,
            versions.c.title,
            sites.c.name.label("site"),
        )
        .join(articles, articles.c.id == article_events.c.article_id)
        .join(sites, sites.c.id == articles.c.site_id)
        .outerjoin(versions, versions.c.id == articles.c.latest_version_id)
    )


def _event_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "article_id": row.article_id,
        "run_id": row.run_id,
        "happened_at": queries.iso(row.happened_at),
        "kind": row.kind,
        "status": row.status,
        "location": row.location,
        "url": row.url,
        "title": row.title,
        "site": row.site,
        "version": row.version_count,
        "how": how(row.kind, row.status, row.location),
    }


def how(kind: str, status: int | None, location: str | None) -> str:
    """Say in a few words what the site answered: ``HTTP 404``, ``redirected to <url>``."""
    if kind == EVENT_REMOVED and location:
        return f"redirected to {location}"
    if status == 304:
        return "answered again (HTTP 304, unchanged)"
    return f"HTTP {status}" if status else "no status recorded"


def events_for_runs(
    source: queries.Source, run_ids: Iterable[int]
) -> dict[int, list[dict[str, Any]]]:
    """Return the removals and restorations each run saw, oldest first, keyed by run id."""
    ids = list(run_ids)
    if not ids:
        return {}
    query = _query().where(article_events.c.run_id.in_(ids)).order_by(article_events.c.id)
    found: dict[int, list[dict[str, Any]]] = {}
    with queries.connection(source) as conn:
        for row in conn.execute(query):
            found.setdefault(row.run_id, []).append(_event_dict(row))
    return found


def article_history(source: queries.Source, article_id: int) -> list[dict[str, Any]]:
    """Return an article's removals and restorations, oldest first."""
    query = _query().where(article_events.c.article_id == article_id).order_by(article_events.c.id)
    with queries.connection(source) as conn:
        return [_event_dict(row) for row in conn.execute(query)]


def recent_events(source: queries.Source, *, limit: int) -> list[dict[str, Any]]:
    """Return the ``limit`` latest removals and restorations, newest first."""
    query = (
        _query()
        .order_by(article_events.c.happened_at.desc(), article_events.c.id.desc())
        .limit(limit)
    )
    with queries.connection(source) as conn:
        return [_event_dict(row) for row in conn.execute(query)]
