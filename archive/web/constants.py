"""Named constants of the web page: security headers, page sizes, view names, timings."""

from __future__ import annotations

# The pages run no script at all, so the policy names no script source.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
# A raw capture shown in a frame: a unique origin (sandbox), no script, nothing it may load.
RAW_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Scraped URLs become links only with these schemes; anything else is shown as text.
SAFE_LINK_SCHEMES = frozenset({"http", "https"})

PAGE_SIZE = 30  # articles per page of /articles
LATEST_ON_HOME = 12
API_DEFAULT_LIMIT = 100
API_MAX_LIMIT = 1000

DIFF_VIEWS = ("side", "inline")
RAW_VIEWS = ("text", "frame", "body")  # "body" is the frame's source

REINDEX_SECONDS = 60.0  # how often `serve` indexes new versions for search
INDEX_SLICE_SECONDS = 2.0  # the indexer checks for a stop request this often
INDEXER_JOIN_SECONDS = 30.0  # at exit, wait this long for a batch being indexed
LISTEN_BACKLOG = 64
