"""Why a request ended without a page: one short kind per cause, counted in the run.

A monitor that runs for months must say what it did not fetch and why, or a site that loops
its redirects, trickles its pages or rate-limits us looks like a site with nothing new. Every
request that ends without a page (an error, or a refusal such as robots.txt) is counted under
one of these kinds in the run (``runs.reasons``), shown by ``opdcwatch runs`` and the web
page. The network kinds (DNS, refused, timeout, TLS, connection) are
:mod:`crawler.fetch_errors`'s.

opdcwatch's own middlewares say why with :class:`NoPage`, an ``IgnoreRequest`` that carries
its kind; Scrapy's refusals (robots.txt, the size cap, a body cut short) are recognised by type.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import scrapy.exceptions
from scrapy.exceptions import IgnoreRequest

from crawler import fetch_errors
from crawler.constants import (
    ALREADY_FETCHED,
    IGNORED,
    OFFSITE_REDIRECT,
    RATE_LIMITED,
    REDIRECT_LOOP,
    RENDER_FAILED,
    ROBOTS,
    ROBOTS_UNAVAILABLE,
    TOO_COMPLEX,
    TOO_LARGE,
    TOO_MANY_REDIRECTS,
    TRUNCATED,
)

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

__all__ = [
    "ALREADY_FETCHED",
    "IGNORED",
    "OFFSITE_REDIRECT",
    "RATE_LIMITED",
    "REDIRECT_LOOP",
    "REFUSALS",
    "RENDER_FAILED",
    "ROBOTS",
    "ROBOTS_UNAVAILABLE",
    "TOO_COMPLEX",
    "TOO_LARGE",
    "TOO_MANY_REDIRECTS",
    "TRUNCATED",
    "NoPage",
    "cut_short",
    "failure_reason",
]
# kinds that are the site's wish, not a fault: counted as skipped, not as errors
REFUSALS = frozenset({ROBOTS, RATE_LIMITED, ALREADY_FETCHED, IGNORED})
# Scrapy 2.13+ names these failures; older releases (pyproject allows 2.11) say it in the text
_CANCELLED = getattr(scrapy.exceptions, "DownloadCancelledError", None)
_DATA_LOSS = getattr(scrapy.exceptions, "ResponseDataLossError", None)


class NoPage(IgnoreRequest):
    """Raised by opdcwatch's downloader middlewares: this request ends without a page, because
    of ``kind`` (one of this module's kinds)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _too_large(exc: BaseException) -> bool:
    """Scrapy's size cap: a cancelled download, or a decompressed body past it (gzip bomb)."""
    text = str(exc)
    if type(exc) is IgnoreRequest:
        return "DOWNLOAD_MAXSIZE" in text
    return (_CANCELLED is None or isinstance(exc, _CANCELLED)) and "max size" in text


def failure_reason(failure: Failure | BaseException) -> tuple[str, str]:
    """Return (kind, one-line message) for a request that failed or was refused."""
    from twisted.python.failure import Failure

    exc = failure.value if isinstance(failure, Failure) else failure
    if isinstance(exc, NoPage):
        return exc.kind, str(exc)
    if type(exc) is IgnoreRequest and "robots.txt" in str(exc):
        return ROBOTS, "forbidden by robots.txt"
    if _too_large(exc):
        return TOO_LARGE, f"too large: {' '.join(str(exc).split())}"
    if (_DATA_LOSS is not None and isinstance(exc, _DATA_LOSS)) or "DataLoss" in str(exc):
        return TRUNCATED, "truncated: the connection closed before the declared length"
    if isinstance(exc, IgnoreRequest):
        return IGNORED, f"not fetched: {exc}"
    return fetch_errors.error_kind(exc), fetch_errors.describe(exc)


_DOCUMENT_START_RE = re.compile(rb"<html[\s>]", re.IGNORECASE)
_DOCUMENT_END_RE = re.compile(rb"</(?:html|body)\s*>", re.IGNORECASE)
_START_BYTES = 4096


def cut_short(response: Response) -> str | None:
    """Return why a response's body may be cut short, or None when it is whole or cannot tell.

    A declared Content-Length or a chunked transfer is checked by the transport (a shortfall
    fails the download: "truncated", see :func:`failure_reason`). A body delimited only by
    the server closing the connection proves nothing; Scrapy flags it "partial". Such an HTML
    document that opens with ``<html>`` and never reaches ``</body>`` or ``</html>`` was cut
    off, and archiving it would make a false version now and a false change when the page
    comes whole.
    """
    if "partial" not in response.flags:
        return None
    body = response.body
    if not _DOCUMENT_START_RE.search(body, 0, _START_BYTES) or _DOCUMENT_END_RE.search(body):
        return None
    return (
        f"truncated: the connection closed after {len(body):,} bytes, before the end of "
        "the document (no Content-Length)"
    )
