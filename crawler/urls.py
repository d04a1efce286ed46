"""What the crawler adds to URL canonicalisation: rel=canonical links, allowed domains, and
telling a site's home page.

The canonical form itself (tracking parameters, fragments, parameter order, Thai paths) is
``parsers.urls.canonical_url``, shared with the archive so that a URL the crawler stored is
the URL a user's lookup finds.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

from parsers.urls import canonical_url

# Paths a site's home page answers at: a redirect of an article there means it was taken down.
HOME_PATHS = frozenset(
    {"", "/", "/index.php", "/index.html", "/index.htm", "/default.aspx", "/home", "/main.php"}
)
_CANONICAL_RE = re.compile(rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical[\"']?[^>]*>", re.IGNORECASE)
_HREF_RE = re.compile(rb"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


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
    return canonical_url(urljoin(base_url, value))


def host_matches(url: str, domains: tuple[str, ...]) -> bool:
    """Return True when ``url``'s host is one of ``domains`` or a subdomain of one."""
    if not domains:
        return True
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def is_home_page(url: str) -> bool:
    """Return True when ``url`` is a site's front page (``/``, ``/index.php`` ...)."""
    parts = urlsplit(url)
    return parts.path.lower() in HOME_PATHS and not parts.query
