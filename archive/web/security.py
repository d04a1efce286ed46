"""Response headers that keep scraped content inert, and the checks on scraped links.

Everything the archive serves was written by someone else's CMS: a title may hold
``<script>``, a link may be ``javascript:``. Jinja's autoescape turns markup into text; the
headers below make sure that even a mistake there could not run a script or reach the network.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

from archive.web.constants import (
    COMMON_HEADERS,
    ERROR_CACHE,
    PAGE_CACHE,
    PAGE_CSP,
    SAFE_LINK_SCHEMES,
)


def add_security_headers(response: Response) -> Response:
    """Give every response the common headers; pages without their own CSP get PAGE_CSP."""
    for name, value in COMMON_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if "Cache-Control" not in response.headers:  # the archive changes with every crawl
        ok = response.status_code < 400
        response.headers["Cache-Control"] = PAGE_CACHE if ok else ERROR_CACHE
    return response


def install(app: Flask) -> None:
    """Register the header hook on ``app``."""
    app.after_request(add_security_headers)


def safe_link(url: str | None) -> str | None:
    """Return ``url`` if it is an http(s) link a reader may follow, else None.

    Autoescaping does not defuse ``javascript:`` or ``data:`` in an ``href``; a scraped URL
    with any other scheme is shown as text, never as a link.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_LINK_SCHEMES or not parts.netloc:
        return None
    return url.strip()
