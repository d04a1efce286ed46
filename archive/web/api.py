"""The JSON API: the same JSON the command line prints with ``--json``.

Each route calls the function its command calls (``articles --json`` -> ``iter_articles``,
``search --json`` -> ``search`` and ``result_rows``, ``show --json`` -> ``get_article``,
``diff --format json`` -> the diff's ``json`` renderer) and serialises it the same way, so a
script can switch between the two freely.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request, url_for

from archive import queries
from archive.diff import diff_versions
from archive.diff_render import render
from archive.web import state
from archive.web.constants import API_DEFAULT_LIMIT, API_MAX_LIMIT
from archive.web.listing import list_page
from archive.web.params import int_arg

api = Blueprint("api", __name__, url_prefix="/api")

JSON_TYPE = "application/json"


def cli_json(value: Any) -> Response:
    """Return ``value`` serialised exactly as the CLI prints it (UTF-8 Thai, indent 2)."""
    return Response(json.dumps(value, ensure_ascii=False, indent=2) + "\n", mimetype=JSON_TYPE)


@api.get("/articles")
def articles() -> Response:
    """``opdcwatch articles --json``: ?site=&since= (or changed_since=) &changed=1 &gone=1 &limit=
    &after= (or offset=). With ?q=, ``opdcwatch search QUERY --json``: the web page's results,
    in its order. A ``Link: <...>; rel="next"`` header names the next page when there is one."""
    limit = min(int_arg("limit", default=API_DEFAULT_LIMIT, minimum=1), API_MAX_LIMIT)
    found = list_page(limit, int_arg("offset", default=0))
    response = cli_json(found.rows)
    if found.next_key:
        args: dict[str, Any] = {
            k: v for k, v in request.args.items() if k not in ("after", "offset")
        }
        link = url_for("api.articles", **args, after=found.next_key)
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


@api.get("/articles/<int:article_id>")
def article(article_id: int) -> Response:
    """``opdcwatch show ID --json``: ?version=N for another version than the latest."""
    version = int_arg("version", minimum=1)
    return cli_json(queries.get_article(state().archive, article_id, version=version))


@api.get("/articles/<int:article_id>/diff")
def diff(article_id: int) -> Response:
    """``opdcwatch diff ID --format json``: ?from=N&to=M, by default the last two versions."""
    result = diff_versions(
        state().archive,
        article_id,
        from_version=int_arg("from", minimum=1),
        to_version=int_arg("to", minimum=1),
    )
    return Response(render(result, "json"), mimetype=JSON_TYPE)
