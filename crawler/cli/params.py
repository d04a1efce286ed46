"""Click types for the values a user types, each checked at the edge by ``archive.inputs``.

The same checks as the web page's query string: numbers within what a database column holds,
names without control characters and within a length, timestamps a datetime can hold, queries
within the search's bounds. A bad value is a usage error like any other (one line,
``opdcwatch: error: Invalid value for '--limit': …``, exit 2), before any archive is opened.
``archive.inputs`` is imported when a value is checked, so that ``opdcwatch --help`` and
``opdcwatch parse`` do not pay for SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def _label(param: click.Parameter | None) -> str:
    """Return how the user wrote the parameter: ``--limit``, or ``ID_OR_URL``."""
    if isinstance(param, click.Option) and param.opts:
        return max(param.opts, key=len)
    return param.human_readable_name if param is not None else "the value"


class CheckedValue(click.ParamType):
    """A value handed to one of ``archive.inputs``' checks with the parameter's label."""

    def __init__(self, name: str, check: Callable[[Any, str], Any]) -> None:
        self.name = name
        self._check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):  # a default, or a value already converted
            return value
        from archive.exceptions import InvalidInputError

        label = _label(param)
        try:
            return self._check(value, label)
        except InvalidInputError as exc:  # click names the parameter: the message need not
            message = str(exc).removeprefix(f"{label}: ").removeprefix(f"{label} ")
            self.fail(message, param, ctx)


def _number(minimum: int) -> Callable[[str, str], int]:
    def check(text: str, label: str) -> int:
        from archive.inputs import parse_number

        return parse_number(text, label, minimum=minimum)

    return check


def _name(text: str, label: str) -> str:
    from archive.inputs import check_text

    return check_text(text, label)


def _timestamp(text: str, label: str) -> Any:
    from archive.exceptions import InvalidInputError
    from archive.inputs import parse_timestamp

    try:
        return parse_timestamp(text)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{label}: {exc}") from None


def _article(text: str, label: str) -> int | str:
    from archive.inputs import check_article_ref

    return check_article_ref(text)


def _query(text: str, label: str) -> str:
    from archive.inputs import check_query

    return check_query(text)


# a count or a number of something: 1 up to the largest id (2,147,483,647)
POSITIVE = CheckedValue("integer", _number(1))
# a site name (--site): at most 200 characters, no control character
SITE = CheckedValue("text", _name)
# an ISO 8601 date or time (--since, --changed-since, --fetched-at): an aware UTC datetime
TIMESTAMP = CheckedValue("timestamp", _timestamp)
# an article id or URL (show, diff): a bounded id as an int, or the URL text
ARTICLE = CheckedValue("article", _article)
# a search query: at most MAX_QUERY_CHARS characters and MAX_QUERY_STRINGS words or phrases
QUERY = CheckedValue("query", _query)
