"""URL canonicalisation: the one key an article is filed, crawled and looked up under.

The crawler, the archive and the command line must agree on "the same URL": a link with
campaign parameters, a share button's fragment, parameters in another order, an upper-case
host, an explicit default port, or a Thai path typed raw instead of percent-encoded all lead
to one article. The function is pure (no network, no Scrapy) so every layer may import it.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from parsers.url_rules import (
    DEFAULT_PORTS,
    PATH_SAFE,
    QUERY_SAFE,
    TRACKING_PARAM_PREFIXES,
    TRACKING_PARAMS,
    UNRESERVED,
)

_ESCAPE_RE = re.compile(r"(%[0-9A-Fa-f]{2})")


def is_tracking_param(name: str) -> bool:
    """Return True for query parameters that only tell analytics where a click came from."""
    lowered = unquote(name).lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PARAM_PREFIXES)


def _encode(text: str, safe: str) -> str:
    """Percent-encode ``text`` one way only, whether it came raw or already encoded.

    Existing escapes are kept (hex upper-cased; an escaped unreserved character decoded), so
    no byte is ever decoded into something that changes the meaning (``%2F``, ``%26``) and
    nothing is encoded twice; other non-ASCII characters become their UTF-8 escapes.
    """
    out = []
    for piece in _ESCAPE_RE.split(text):
        if _ESCAPE_RE.fullmatch(piece):
            char = chr(int(piece[1:], 16))
            out.append(char if char in UNRESERVED else piece.upper())
        elif piece:
            out.append(quote(piece, safe=safe, encoding="utf-8", errors="surrogateescape"))
    return "".join(out)


def _netloc(scheme: str, netloc: str) -> str:
    """Lower-case the host (IDNA for a non-ASCII one) and drop the scheme's default port."""
    userinfo, _, hostport = netloc.rpartition("@")
    host, port = hostport, ""
    if not hostport.endswith("]") and ":" in hostport:  # not a bare IPv6 literal
        host, _, port = hostport.rpartition(":")
    host = host.lower().rstrip(".")
    if not host.isascii():
        with contextlib.suppress(UnicodeError):  # not a valid international name: keep it
            host = host.encode("idna").decode("ascii")
    if port.isdigit():
        port = "" if int(port) == DEFAULT_PORTS.get(scheme) else str(int(port))
    hostport = f"{host}:{port}" if port else host
    return f"{userinfo}@{hostport}" if userinfo else hostport


def _query(query: str) -> str:
    """Drop tracking parameters, encode the rest one way and sort them (order carries no key)."""
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, sep, value = pair.partition("=")
        if is_tracking_param(name):
            continue
        kept.append(_encode(name, QUERY_SAFE) + sep + _encode(value, QUERY_SAFE))
    return "&".join(sorted(kept))


@lru_cache(maxsize=65536)  # a crawl asks again for every link it meets again
def canonical_url(url: str) -> str:
    """Return the canonical form of ``url``: the key an article is stored and found under.

    Fragment and tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ...) dropped, the
    remaining parameters sorted, scheme and host lower-cased, the default port dropped, an
    empty path made ``/``, and path and query percent-encoded one way (raw Thai and its
    escapes give the same key). Parameters that name the article (``content_id=7``) stay.
    Idempotent: a canonical URL is its own canonical form.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    netloc = _netloc(scheme, parts.netloc)
    path = _encode(parts.path, PATH_SAFE) or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, _query(parts.query), ""))
