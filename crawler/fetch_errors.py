"""Why a request got no answer at all: DNS, refused, timeout, TLS, or a dropped connection.

A site that cannot be reached is a different problem from a site that answers with errors or
changed its layout, and the fix differs too (a typo in the host, a server down, a firewall, an
expired certificate), so the crawler names the kind. Scrapy 2.13+ wraps Twisted's exceptions
in its own (``scrapy.exceptions.CannotResolveHostError`` ...), older releases raise Twisted's;
both are recognised, and so are the TLS failures Twisted reports inside ``ResponseNeverReceived``.
Scrapy and Twisted are imported when an error is classified, not with the labels: ``health``
reads those, and must not pay Scrapy's start-up (~0.15 s).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twisted.python.failure import Failure

DNS = "DNS"
REFUSED = "refused"
TIMEOUT = "timeout"
TLS = "TLS"
CONNECTION = "connection"
OTHER = "other"
# what each kind means, for the one line a user reads
LABELS = {
    DNS: "DNS lookup failed",
    REFUSED: "connection refused",
    TIMEOUT: "timed out",
    TLS: "TLS handshake failed",
    CONNECTION: "connection lost",
    OTHER: "request failed",
}
# what to check, for the health warning
HINTS = {
    DNS: "is the host name right, and does it still exist?",
    REFUSED: "is the server down, or the port wrong?",
    TIMEOUT: "the server does not answer: down, overloaded or blocking us",
    TLS: "its certificate or TLS set-up is broken (or the URL should be http://)",
    CONNECTION: "the server drops the connection: down, overloaded or blocking us",
    OTHER: "see opdcwatch runs for the errors",
}


def format_reasons(reasons: Mapping[str, int]) -> str:
    """Return ``timeout 2, redirect loop 1``: why a run's requests ended without a page (the
    kinds of ``crawler.reasons``, these among them), most first."""
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{kind} {n}" for kind, n in ranked)


@cache
def _kinds() -> tuple[tuple[str, tuple[type[BaseException], ...]], ...]:
    """Each kind with the exceptions that mean it: Twisted's, and Scrapy's own wrappers where
    this Scrapy has them (2.13+)."""
    import scrapy.exceptions
    from twisted.internet import error as tx

    def scrapy_types(*names: str) -> tuple[type[BaseException], ...]:
        return tuple(getattr(scrapy.exceptions, n) for n in names if hasattr(scrapy.exceptions, n))

    return (
        (DNS, (tx.DNSLookupError, *scrapy_types("CannotResolveHostError"))),
        (REFUSED, (tx.ConnectionRefusedError, *scrapy_types("DownloadConnectionRefusedError"))),
        (TIMEOUT, (tx.TimeoutError, tx.TCPTimedOutError, *scrapy_types("DownloadTimeoutError"))),
        (CONNECTION, (tx.ConnectionLost, tx.ConnectionDone, tx.ConnectError)),
    )


def _exception(failure: Failure | BaseException) -> BaseException:
    from twisted.python.failure import Failure

    return failure.value if isinstance(failure, Failure) else failure


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what it was raised from, and the failures Twisted's web client wraps."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(f.value for f in getattr(current, "reasons", None) or () if f.value)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def _is_tls(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return module.startswith(("OpenSSL", "service_identity", "ssl"))


def error_kind(failure: Failure | BaseException) -> str:
    """Return DNS, refused, timeout, TLS, connection or other for a failed request."""
    exc = _exception(failure)
    causes = list(_causes(exc))
    if any(_is_tls(cause) for cause in causes):
        return TLS
    for kind, types in _kinds():
        if any(isinstance(cause, types) for cause in causes):
            return kind
    return OTHER


def _tls_detail(exc: BaseException) -> str | None:
    for cause in _causes(exc):
        if _is_tls(cause):  # OpenSSL: [[(library, function, reason), ...]]
            errors = cause.args[0] if cause.args and isinstance(cause.args[0], list) else []
            parts = [str(e[-1]) for e in errors if isinstance(e, tuple) and e and e[-1]]
            return ", ".join(parts) or str(cause) or type(cause).__name__
    return None


def describe(failure: Failure | BaseException) -> str:
    """Return ``<kind label>: <what the network layer said>`` in one line."""
    exc = _exception(failure)
    kind = error_kind(exc)
    if kind == TLS:
        detail = _tls_detail(exc)
    elif wrapped := getattr(exc, "reasons", None):  # Twisted's wrappers: what they wrap
        detail = "; ".join(str(f.value) or type(f.value).__name__ for f in wrapped)
    else:
        detail = str(exc)
    detail = " ".join((detail or type(exc).__name__).split())
    if kind.lower() in detail.lower():  # "DNS lookup failed: ...", "Connection was refused"
        return detail
    return f"{LABELS[kind]}: {detail}"
