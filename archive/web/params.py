"""Query-string parameters of the web routes, checked: a bad one is a clear 400, not a 500."""

from __future__ import annotations

from datetime import datetime
from typing import overload

from flask import request

from archive.exceptions import InvalidInputError
from archive.inputs import parse_timestamp
from archive.paging import PageKey


@overload
def int_arg(name: str, *, default: int, minimum: int = 0) -> int: ...
@overload
def int_arg(name: str, *, default: None = None, minimum: int = 0) -> int | None: ...


def int_arg(name: str, *, default: int | None = None, minimum: int = 0) -> int | None:
    """Return the integer query parameter ``name``, or ``default`` when it is absent."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInputError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise InvalidInputError(f"{name} must be at least {minimum}, not {value}")
    return value


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
    """Return the text parameter ``name`` stripped, "" when absent."""
    return request.args.get(name, "").strip()


def after_arg() -> PageKey | None:
    """Return the ``after`` key of a "next page" link, None when absent."""
    raw = text_arg("after")
    return PageKey.decode(raw) if raw else None
