"""The read-only web page of the archive: ``create_app`` builds it, ``opdcwatch serve`` runs it.

Flask because the page is a handful of server-rendered, read-only routes over a synchronous
SQLAlchemy archive: Jinja with autoescape is built in, the test client needs no server, and
there is no async work that would repay FastAPI's machinery (see docs/web.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from archive.exceptions import ArchiveError, DatabaseUnavailableError, NotFoundError
from archive.search import SearchIndex
from archive.store import Archive
from archive.web import security

logger = logging.getLogger(__name__)

# What the scheduler knows about the sites and the archive alone does not: per site name,
# "health" ("ok" or "unhealthy"), "warnings" (sentences), "next_run" (a datetime, or None
# when paused) and "schedule". ``create_app(site_status=...)`` plugs it in (``opdcwatch
# serve`` passes the scheduler's view); without it the home page shows what the archive has.
SiteStatus = Callable[[Archive], Mapping[str, Mapping[str, Any]]]


def no_site_status(archive: Archive) -> Mapping[str, Mapping[str, Any]]:
    """The default status hook: the archive alone knows neither health nor schedule."""
    return {}


@dataclass
class WebState:
    """What every request needs: the open archive, its search index, the status hook."""

    archive: Archive
    search: SearchIndex
    site_status: SiteStatus


def state() -> WebState:
    """Return the WebState of the running app."""
    found: WebState = current_app.extensions["opdcwatch"]
    return found


def _when(value: str | datetime | None) -> str:
    """Format a timestamp for people: UTC, to the minute."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _iso(value: str | datetime | None) -> str:
    if not value:
        return ""
    return value if isinstance(value, str) else value.isoformat()


def create_app(db_url: str | None = None, *, site_status: SiteStatus | None = None) -> Flask:
    """Return the web app over the archive at ``db_url`` (None: ``$OPDCWATCH_DB``, ./data/).

    The archive is opened once, without creating a missing SQLite file: serving an empty
    archive because of a typo in ``--db`` would only confuse. Whoever runs the app closes
    it (``app.extensions["opdcwatch"].archive.close()``).
    """
    from archive.web.api import api
    from archive.web.views import pages

    arch = Archive.open(db_url, create=False)
    app = Flask(__name__)
    if isinstance(app.json, DefaultJSONProvider):  # Thai stays readable, as in the CLI
        app.json.ensure_ascii = False
        app.json.sort_keys = False
    status = site_status or no_site_status
    app.extensions["opdcwatch"] = WebState(arch, SearchIndex(arch.engine), status)
    app.jinja_env.filters.update(when=_when, iso=_iso, safe_link=security.safe_link)
    security.install(app)
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.register_error_handler(NotFoundError, lambda exc: _error(404, "Not found", str(exc)))
    app.register_error_handler(
        DatabaseUnavailableError, lambda exc: _error(503, "Archive unavailable", str(exc))
    )
    app.register_error_handler(ArchiveError, lambda exc: _error(400, "Bad request", str(exc)))
    app.register_error_handler(HTTPException, _http_error)
    return app


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    return _error(exc.code or 500, exc.name, exc.description or "")


def _error(code: int, title: str, message: str) -> ResponseReturnValue:
    """Answer an error as JSON under /api/, as a page elsewhere; never with a traceback."""
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": code}), code
    return render_template("error.html", code=code, title=title, message=message), code
