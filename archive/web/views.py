"""The HTML pages: home, article list and search, article, diff, raw capture, feed, health.

Every value that came from a scraped page reaches the templates as plain text: Jinja's
autoescape turns it into text, links are rendered only for http(s) URLs, and the raw capture
is shown escaped or in a sandboxed frame under its own Content-Security-Policy.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from sqlalchemy import Connection, select

from archive import queries, schema
from archive.diff import diff_versions
from archive.events import article_history
from archive.exceptions import InvalidInputError
from archive.feed import recent_changes, render_atom
from archive.migrations import current_version
from archive.web import state
from archive.web.constants import (
    DIFF_VIEWS,
    LATEST_ON_HOME,
    PAGE_SIZE,
    RAW_CSP,
    RAW_VIEWS,
)
from archive.web.diffview import inline_pieces, side_by_side_rows
from archive.web.listing import list_page
from archive.web.params import int_arg, text_arg
from parsers.constants import HTML_CONTENT_TYPES as HTML_TYPES
from parsers.encoding import decode_bytes
from parsers.exceptions import ParseError

logger = logging.getLogger(__name__)

pages = Blueprint("pages", __name__)

NO_STATUS = {"health": None, "warnings": (), "next_run": None, "schedule": None}


def site_names(conn: Connection) -> list[str]:
    """Return the names of every site the archive knows, sorted."""
    return list(conn.execute(select(schema.sites.c.name).order_by(schema.sites.c.name)).scalars())


@pages.get("/")
def home() -> str:
    """Sites with their last run, outcome, health and next run; the latest changes."""
    web = state()
    try:
        statuses = web.site_status(web.archive)
    except Exception:  # the scheduler's view is extra: the page must render without it
        logger.warning("site status unavailable", exc_info=True)
        statuses = {}
    with web.archive.reading() as conn:
        rows = []
        for name in site_names(conn):
            runs = queries.list_runs(conn, site=name, limit=1)
            rows.append(
                {"name": name, "run": runs[0] if runs else None}
                | NO_STATUS
                | dict(statuses.get(name, {}))
            )
        latest = queries.list_articles(conn, limit=LATEST_ON_HOME)
    return render_template("home.html", sites=rows, latest=latest)


@pages.get("/articles")
def articles() -> str:
    """The article list: filters by site, change date and versions; Thai full-text search.

    Pages follow on by key (``?after=``, in the "older" link); ``?page=N`` alone still works,
    within bounds, for old links.
    """
    web = state()
    q, site, changed = text_arg("q"), text_arg("site") or None, bool(text_arg("changed"))
    gone = bool(text_arg("gone"))
    page = int_arg("page", default=1, minimum=1)
    size = current_app.config.get("OPDCWATCH_PAGE_SIZE", PAGE_SIZE)
    found = list_page(size, (page - 1) * size)
    hits = {row["id"]: row["match"]["excerpt"] for row in found.rows if "match" in row}
    with web.archive.reading() as conn:
        names = site_names(conn)

    def page_url(number: int, key: str | None = None) -> str:
        args: dict[str, Any] = {
            "q": q,
            "site": site,
            "since": text_arg("since"),
            "changed": "1" if changed else "",
            "gone": "1" if gone else "",
            "after": key,
            "page": number if number > 1 else None,
        }
        return url_for("pages.articles", **{k: v for k, v in args.items() if v})

    return render_template(
        "articles.html",
        items=found.rows,
        hits=hits,
        q=q,
        site=site,
        since=text_arg("since"),
        changed=changed,
        gone=gone,
        page=page,
        next_url=page_url(page + 1, found.next_key) if found.next_key else None,
        first_url=page_url(1) if page > 1 or text_arg("after") else None,
        site_names=names,
        pending=found.pending,
    )


def _timeline(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the versions with a flag on those whose title differs from the one before."""
    titles = [None] + [v["title"] for v in versions]
    return [
        v | {"number": v["version"], "title_changed": i > 0 and v["title"] != titles[i]}
        for i, v in enumerate(versions)
    ]


def _article(article_id: int, number: int | None) -> str:
    web = state()
    with web.archive.reading() as conn:
        article = queries.get_article(conn, article_id, version=number)
        timeline = _timeline(queries.list_versions(conn, article_id))
        history = article_history(conn, article_id)
    paragraphs = [line for line in article["text"].split("\n") if line.strip()]
    return render_template(
        "article.html",
        article=article,
        version=article,
        timeline=timeline,
        paragraphs=paragraphs,
        also_at=article["also_at"],
        history=history,
    )


@pages.get("/articles/<int:article_id>")
def article(article_id: int) -> str:
    """An article at its latest version, with the timeline of all versions."""
    return _article(article_id, None)


@pages.get("/articles/<int:article_id>/versions/<int:n>")
def version(article_id: int, n: int) -> str:
    """An article at version ``n``."""
    return _article(article_id, n)


@pages.get("/articles/<int:article_id>/diff")
def diff(article_id: int) -> str:
    """Two versions compared word by word, side by side or inline; the last two by default."""
    view = text_arg("view") or "side"
    if view not in DIFF_VIEWS:
        raise InvalidInputError(f"view must be one of {', '.join(DIFF_VIEWS)}, not {view!r}")
    web = state()
    with web.archive.reading() as conn:
        result = diff_versions(
            conn,
            article_id,
            from_version=int_arg("from", minimum=1),
            to_version=int_arg("to", minimum=1),
        )
        article = queries.get_article(conn, article_id)
    data = result.to_dict()
    return render_template(
        "diff.html",
        article=article,
        diff=data,
        view=view,
        summary={"added": result.words_added, "removed": result.words_removed},
        inline=inline_pieces(data["ops"]),
        rows=side_by_side_rows(data["ops"]),
    )


def _content_type(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-type":
            return value
    return ""


@pages.get("/articles/<int:article_id>/versions/<int:n>/raw")
def raw(article_id: int, n: int) -> str | Response:
    """The HTTP response a version was read from: as escaped text, or in a sandboxed frame.

    ``view=body`` is the frame's source: the page decoded with the parsers' Thai-aware codec
    detection and re-sent as UTF-8, under a CSP that sandboxes it and lets it load nothing.
    """
    view = text_arg("view") or "text"
    if view not in RAW_VIEWS:
        raise InvalidInputError(f"view must be one of {', '.join(RAW_VIEWS)}, not {view!r}")
    web = state()
    with web.archive.reading() as conn:
        chosen = queries.get_version(conn, article_id, n)
        capture = queries.get_capture(conn, chosen["capture_id"])
        article = queries.get_article(conn, article_id)
    content_type = _content_type(capture["headers"])
    try:
        text, codec = decode_bytes(capture["body"], content_type or None)
    except ParseError as exc:  # empty or binary: say so rather than show mojibake
        text, codec = f"({exc})", "none"
    if view == "body":
        is_html = content_type.split(";")[0].strip().lower() in HTML_TYPES or not content_type
        response = Response(text, mimetype="text/html" if is_html else "text/plain")
        response.headers["Content-Security-Policy"] = RAW_CSP
        return response
    return render_template(
        "raw.html",
        article=article,
        n=n,
        capture=capture,
        view=view,
        body_text=text,
        size=len(capture["body"]),
        codec=codec,
    )


def _change_page(change: Mapping[str, Any]) -> str:
    """The page a feed entry links to: a change's word diff, a new version, a removal's
    article (the routes :func:`archive.feed.web_link` names for the command line)."""
    article_id = change["article_id"]
    if change.get("event"):
        return url_for("pages.article", article_id=article_id, _external=True)
    n = int(change["version"])
    if n == 1:
        return url_for("pages.version", article_id=article_id, n=n, _external=True)
    versions: dict[str, Any] = {"from": n - 1, "to": n}  # "from" is a keyword in Python
    return url_for("pages.diff", article_id=article_id, _external=True, **versions)


@pages.get("/feed.atom")
def feed() -> Response:
    """The Atom feed of the latest new and changed versions."""
    changes = recent_changes(state().archive)
    xml = render_atom(
        changes,
        self_url=url_for("pages.feed", _external=True),
        page_url=_change_page,
    )
    return Response(xml, mimetype="application/atom+xml")


@pages.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Liveness for monitors: 200 with the schema version when the archive answers, else 503."""
    web = state()
    try:
        with web.archive.reading() as conn:
            count = conn.execute(select(schema.articles.c.id).limit(1)).first()
        schema_version = current_version(web.archive.engine)
    except Exception as exc:  # any failure to read is "unhealthy", and is said so
        logger.warning("healthz: archive unavailable: %s", exc)
        return jsonify({"status": "unavailable", "error": str(exc)}), 503
    return jsonify({"status": "ok", "schema_version": schema_version, "empty": count is None}), 200
