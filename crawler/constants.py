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
