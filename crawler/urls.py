"""URL canonicalisation: one article, one URL, whatever link or share button led to it.

News sites decorate links with tracking parameters and fragments; without folding those away
the archive would hold the same article under several URLs and the crawl would fetch it twice.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from crawler.constants import TRACKING_PARAM_PREFIXES, TRACKING_PARAMS

_DEFAULT_PORTS = {"http": 80, "https": 443}
_CANONICAL_RE = re.compile(rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical[\"']?[^>]*>", re.IGNORECASE)
_HREF_RE = re.compile(rb"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def is_tracking_param(name: str) -> bool:
    """Return True for query parameters that only tell analytics where a click came from."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PARAM_PREFIXES)


def canonicalize(url: str) -> str:
    """Return ``url`` without fragment and tracking parameters, host lower-cased, query sorted.

    The path and the remaining parameters are kept as they are (``content.php?content_id=7``
    and ``content.php?content_id=8`` are different articles).
    """
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if not is_tracking_param(k)]
    netloc = parts.netloc.lower()
    scheme = parts.scheme.lower()
    if parts.port and _DEFAULT_PORTS.get(scheme) == parts.port:
        netloc = netloc.rsplit(":", 1)[0]
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", urlencode(kept), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def find_canonical(body: bytes, base_url: str) -> str | None:
    """Return the page's ``<link rel="canonical">`` as an absolute canonical URL, if any.

    Searched in the raw bytes (the first 64 KiB, where ``<head>`` is) so that it works before
    the page is decoded and whatever its encoding.
    """
    head = body[:65536]
    match = _CANONICAL_RE.search(head)
    if not match:
        return None
    href = _HREF_RE.search(match.group(0))
    if not href:
        return None
    raw = next(group for group in href.groups() if group is not None)
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:  # a legacy-encoded page; its URLs are ASCII in practice
        value = raw.decode("latin-1")
    value = unescape(value).strip()
    if not value:
        return None
    return canonicalize(urljoin(base_url, value))


def host_matches(url: str, domains: tuple[str, ...]) -> bool:
    """Return True when ``url``'s host is one of ``domains`` or a subdomain of one."""
    if not domains:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)
