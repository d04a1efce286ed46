"""Named constants of the crawler: content types, link-bearing tags (tracking parameters are
in ``parsers.url_rules``)."""

from __future__ import annotations

from archive.constants import RUN_COUNT_KEYS

# Content types read as pages (HTML_CONTENT_TYPES, from parsers.constants); anything else (PDF,
# images, archives) is skipped and counted, feeds are read for their links.
FEED_CONTENT_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
)

# Extensions of links that are never pages, whatever regex they match.
BINARY_EXTENSIONS = (
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".zip",
    ".rar",
    ".7z",
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".svg",
    ".mp3",
    ".mp4",
    ".avi",
    ".mov",
)

# Statuses the spider wants to see itself rather than have HttpErrorMiddleware drop:
# 304 (unchanged since the last crawl) and the two that say an article is gone.
HANDLED_STATUSES = (304, 404, 410)
GONE_STATUSES = frozenset({404, 410})

# Counter names, in the order the progress and summary lines print them. ``gone`` counts the
# articles removed in this crawl, ``restored`` the gone ones that answered again; an article
# still gone since an earlier crawl is ``unchanged``.
COUNT_KEYS = RUN_COUNT_KEYS
EXTRA_COUNT_KEYS = ("filtered", "skipped", "rebaselined")
STATS_PREFIX = "opdcwatch/"

# Why a request ended without a page (``crawler.reasons``), as a run counts them
# (``runs.reasons``), beside the network kinds of ``crawler.fetch_errors`` and "HTTP <status>".
ROBOTS = "robots"  # robots.txt disallows the page
ROBOTS_UNAVAILABLE = "robots unavailable"  # robots.txt answered 5xx or timed out
REDIRECT_LOOP = "redirect loop"
TOO_MANY_REDIRECTS = "too many redirects"
OFFSITE_REDIRECT = "off-site redirect"
TOO_LARGE = "too large"  # past DOWNLOAD_MAXSIZE, declared or decompressed
TRUNCATED = "truncated"  # the body ended before its declared length or its document end
TOO_COMPLEX = "too complex"  # past the parse budget
RATE_LIMITED = "rate limited"  # a Retry-After past OPDCWATCH_RETRY_AFTER_LIMIT
ALREADY_FETCHED = "redirect to a page already fetched"
IGNORED = "ignored"  # dropped by another middleware (an IgnoreRequest of no kind above)
RENDER_FAILED = "render failed"  # the page answered, the browser failed on it ([render])
