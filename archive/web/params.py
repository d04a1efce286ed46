"""Query-string and path parameters of the web routes, checked: a bad one is a clear 400.

Every value goes through the same checks as the command line's (``archive.inputs``): numbers
within what a database column holds, names and queries without control characters and within
a length, timestamps within the years a datetime holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import overload

from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, Map

from archive.constants import MAX_ROW_ID
from archive.exceptions import InvalidInputError
from archive.inputs import check_query, check_text, parse_number, parse_timestamp
from archive.paging import PageKey


@overload
def int_arg(name: str, *, default: int, minimum: int = 0, maximum: int = MAX_ROW_ID) -> int: ...
@overload
def int_arg(
    name: str, *, default: None = None, minimum: int = 0, maximum: int = MAX_ROW_ID
) -> int | None: ...


def int_arg(
    name: str, *, default: int | None = None, minimum: int = 0, maximum: int = MAX_ROW_ID
) -> int | None:
    """Return the integer query parameter ``name``, or ``default`` when it is absent."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    return parse_number(raw, name, minimum=minimum, maximum=maximum)


def since_arg(*names: str) -> datetime | None:
    """Return the first of ``names`` given, as the CLI's ``--changed-since`` reads it.

    A date or ISO 8601 time; Buddhist-era years (2567-11-23) are converted.
    """
    for name in names or ("since",):
        raw = request.args.get(name, "").strip()
        if raw:
            return parse_timestamp(raw)
    return None


def text_arg(name: str) -> str:
    """Return the text parameter ``name`` stripped, "" when absent; short, no control chars."""
    return check_text(request.args.get(name, ""), name)


def query_arg() -> str:
    """Return the search query ``q``, "" when absent, within the query's bounds."""
    return check_query(request.args.get("q", ""))


def after_arg() -> PageKey | None:
    """Return the ``after`` key of a "next page" link, None when absent."""
    raw = text_arg("after")
    return PageKey.decode(raw) if raw else None


class IdConverter(BaseConverter):
    """``<id('article id'):article_id>`` in a route: a number refused (400, naming it)
    beyond what the database's INTEGER columns hold, rather than sent to the database."""

    regex = r"[0-9]+"
    part_isolating = True

    def __init__(self, url_map: Map, name: str = "number") -> None:
        super().__init__(url_map)
        self.name = name

    def to_python(self, value: str) -> int:
        try:
            return parse_number(value, self.name)
        except InvalidInputError as exc:
            raise BadRequest(str(exc)) from None

    def to_url(self, value: int) -> str:
        return str(value)
