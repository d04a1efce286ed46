"""Normalising what callers hand the archive: URLs, HTTP headers and timestamps.

Kept apart from the store so that the crawler, the WARC importer and the command line all
agree on what "the same URL" and "the same moment" are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from archive.exceptions import InvalidInputError
from parsers.constants import BE_OFFSET, BE_YEAR_THRESHOLD
from parsers.urls import canonical_url as parsers_canonical_url

HeaderInput = Mapping[str, str] | Sequence[tuple[str, str]]

_YEAR_RE = re.compile(r"^(\d{4})")


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
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise InvalidInputError(
            f"not an ISO 8601 date or time: {text!r} (example: 2024-11-23T09:30:00+07:00)"
        ) from None
