"""Normalising and checking what callers hand the archive: URLs, headers, timestamps, numbers.

Kept apart from the store so that the crawler, the WARC importer, the command line and the web
page all agree on what "the same URL" and "the same moment" are, and on what a user may type:
every number, name, timestamp and query a person gives is bounded here, at the edge, so a bad
one is a clear InvalidInputError and never an overflow or a refusal deep in the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from archive.constants import (
    MAX_NAME_CHARS,
    MAX_ROW_ID,
    MAX_TIMESTAMP_CHARS,
    MAX_URL_CHARS,
)
from archive.exceptions import InvalidInputError
from parsers.constants import BE_OFFSET, BE_YEAR_THRESHOLD
from parsers.urls import canonical_url as parsers_canonical_url

HeaderInput = Mapping[str, str] | Sequence[tuple[str, str]]

_YEAR_RE = re.compile(r"^(\d{4})")
_NUMBER_RE = re.compile(r"([+-]?)0*([0-9]+)")
# C0 and C1 controls and DEL: no name, URL or query holds one, and PostgreSQL refuses NUL
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SHOWN_CHARS = 40  # of a bad value, quoted back in an error message
_INT64_DIGITS = 19  # a longer number is out of every bound, whatever it is


def canonical_url(url: str) -> str:
    """Return the form of ``url`` an article is filed under (``parsers.urls.canonical_url``).

    The same rules as the crawler's, so a URL typed into ``opdcwatch show`` with its
    parameters in another order or its Thai path raw finds the article the crawl stored.
    Anything but an http(s) URL with a host is InvalidInputError.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # a malformed IPv6 host
        hostname = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not hostname:
        raise InvalidInputError(f"not an http(s) URL: {url!r}")
    return parsers_canonical_url(url)


def site_from_url(url: str) -> str:
    """Return the site name used when the caller gives none: the host without ``www.``."""
    host = urlsplit(url).hostname or "unknown"
    return host.removeprefix("www.")


def _text(value: object) -> str:
    return value.decode("latin-1") if isinstance(value, bytes | bytearray) else str(value)


def header_pairs(headers: HeaderInput | None) -> list[tuple[str, str]]:
    """Return headers as a list of (name, value) strings, keeping repeats and their order.

    Accepts a mapping or pairs; names and values may be bytes (Scrapy's ``Headers``) and a
    value may be a list of values (one pair each).
    """
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((_text(key), _text(v)) for v in values)
    return pairs


def header_value(pairs: Sequence[tuple[str, str]], name: str) -> str | None:
    """Return the first value of header ``name`` (case-insensitive), or None."""
    name = name.lower()
    for key, value in pairs:
        if key.lower() == name:
            return value
    return None


def as_utc(moment: datetime | None) -> datetime:
    """Return ``moment`` as an aware UTC datetime; None means now, naive means UTC."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 date or datetime typed by a user into an aware UTC datetime.

    Thai users write Buddhist-era years (2567-11-23): a year above 2400 is converted.
    """
    value = text.strip()
    match = _YEAR_RE.match(value)
    if match and int(match.group(1)) > BE_YEAR_THRESHOLD:
        value = f"{int(match.group(1)) - BE_OFFSET:04d}{value[4:]}"
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        if len(value) > MAX_TIMESTAMP_CHARS:
            raise ValueError(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(
            f"not an ISO 8601 date or time: {shown(text)} (example: 2024-11-23T09:30:00+07:00)"
        ) from None
    try:
        return as_utc(moment)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 in UTC
        raise InvalidInputError(
            f"{shown(text)} is out of range: give a time between the years 1 and 9999 in UTC"
        ) from None


def shown(text: str) -> str:
    """Return ``text`` quoted for an error message and cut short: an error never echoes a page."""
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…")


def check_number(value: int, name: str, *, minimum: int = 0, maximum: int = MAX_ROW_ID) -> int:
    """Return ``value`` if ``minimum <= value <= maximum``, else InvalidInputError naming ``name``.

    The default maximum is the largest id or version number a database column holds.
    """
    if value < minimum:
        raise InvalidInputError(f"{name} must be at least {minimum}, not {value}")
    if value > maximum:
        raise InvalidInputError(f"{name} must be at most {maximum}, not {value}")
    return value


def parse_number(text: str, name: str, *, minimum: int = 0, maximum: int = MAX_ROW_ID) -> int:
    """Return the whole number a user typed for ``name`` (ASCII digits), within the bounds."""
    match = _NUMBER_RE.fullmatch(text.strip())
    if match is None:
        raise InvalidInputError(f"{name} must be a whole number, not {shown(text)}")
    sign, digits = match.groups()
    if len(digits) > _INT64_DIGITS:  # int() would refuse 4,300 digits; no bound is that far
        which = "least" if sign == "-" else "most"
        bound = minimum if sign == "-" else maximum
        raise InvalidInputError(f"{name} must be at {which} {bound}, not {shown(text.strip())}")
    return check_number(int(sign + digits), name, minimum=minimum, maximum=maximum)


def check_text(text: str, name: str, *, max_chars: int = MAX_NAME_CHARS) -> str:
    """Return ``text`` stripped if it is short enough and holds no control character."""
    value = text.strip()
    if _CONTROL_RE.search(value):
        raise InvalidInputError(f"{name} must not contain control characters: {shown(value)}")
    if len(value) > max_chars:
        raise InvalidInputError(
            f"{name}: too long, {len(value):,} characters (at most {max_chars:,})"
        )
    return value


def check_article_ref(text: str, name: str = "article") -> int | str:
    """Return an article id (a bounded number) or the URL text a user named an article by."""
    value = text.strip()
    if value.isascii() and value.isdigit():
        return parse_number(value, f"{name} id", minimum=1)
    return check_text(value, f"{name} URL", max_chars=MAX_URL_CHARS)


def check_query(text: str) -> str:
    """Return a search query stripped, if it is short enough and asks for few enough strings.

    The search would cut a longer one silently (``archive.search_terms``); a person who typed
    it is told instead, and a page never echoes kilobytes of query into its links.
    """
    from archive.search_terms import MAX_QUERY_CHARS, MAX_QUERY_STRINGS, query_strings

    value = check_text(text, "the query", max_chars=MAX_QUERY_CHARS)
    count = len(query_strings(value))
    if count > MAX_QUERY_STRINGS:
        raise InvalidInputError(
            f"the query asks for {count} words or phrases; at most {MAX_QUERY_STRINGS} at once"
        )
    return value
