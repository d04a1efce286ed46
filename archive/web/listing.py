"""What ``/articles`` and ``/api/articles`` list, from the same query string: one answer.

Both read ``q``, ``site``, ``since`` (or ``changed_since``), ``changed``, ``gone`` (removed
articles only, the most recently removed first), ``after`` and an old ``offset``, and get the
same rows in the same order: ``articles --json`` rows for a list, and for a search the same
rows with their ``match`` (``opdcwatch search --json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive import queries
from archive.search import Filters, result_rows, search
from archive.web import state
from archive.web.params import after_arg, query_arg, since_arg, text_arg


@dataclass(frozen=True)
class Listing:
    """One page of the list or of a search, the key of the next page, the index's backlog."""

    rows: list[dict[str, Any]]
    next_key: str | None
    pending: int = 0


def list_page(limit: int, offset: int = 0) -> Listing:
    """Return the page the request's query string asks for, ``limit`` rows long."""
    web = state()
    q, site = query_arg(), text_arg("site") or None
    since = since_arg("since", "changed_since")
    min_versions = 2 if text_arg("changed") else 1
    gone = True if text_arg("gone") else None
    after = after_arg()
    offset = 0 if after else offset
    if q:
        filters = Filters(site, since, min_versions, gone)
        found = search(web.search, q, filters=filters, limit=limit, after=after, offset=offset)
        return Listing(result_rows(web.archive, found.hits), found.next_key, found.pending)
    rows = list(
        queries.iter_articles(
            web.archive,
            site=site,
            changed_since=since,
            min_versions=min_versions,
            gone=gone,
            after=after,
            limit=limit + 1,
            offset=offset,
        )
    )
    more = len(rows) > limit
    next_key = queries.article_key(rows[limit - 1], gone=bool(gone)).encode() if more else None
    return Listing(rows[:limit], next_key)
