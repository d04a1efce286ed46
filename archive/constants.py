"""Named constants of the archive: statuses, header names, codecs and sizes."""

from __future__ import annotations

# HTTP statuses that mean "the article is gone": marked, never deleted.
GONE_STATUSES = frozenset({404, 410})
# Redirect statuses: recorded for an article only when the crawler saw the article redirected
# away to the site's home or a listing page, which is how many CMSs "delete" a page.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Statuses whose body is a page worth archiving as a version.
PAGE_STATUSES = frozenset(range(200, 300))

# Response headers that describe the transfer, not the page: the body stored is the decoded
# one, so these are dropped when a capture is written back out (WARC export).
TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})

# Body codecs of the ``bodies`` table.
CODEC_ZSTD = "zstd"  # standalone zstandard frame
CODEC_ZSTD_REF = "zstd-ref"  # zstandard frame using another body as a raw-content dictionary
ZSTD_LEVEL = 3  # against a reference body, level 3 is within 1 % of the page of level 6
# A reference is a standalone frame or compressed against one, so reading any body needs at
# most two decompressions of references.
MAX_REF_DEPTH = 2

# SQLite connection settings applied on every connection.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA synchronous=NORMAL",
    # a checkpoint fsyncs the WAL and the database: every 32 MB of WAL rather than SQLite's
    # default 4 MB keeps those fsyncs from dominating a bulk ingest (measured +10 %)
    "PRAGMA wal_autocheckpoint=8000",
    # after a checkpoint the WAL file is cut back to this size: a bulk write (an index build
    # beside a long read) no longer leaves a WAL of hundreds of MB behind for good
    "PRAGMA journal_size_limit=67108864",
)
# the default archive: ./data/opdcwatch.db if it exists, else the user's data folder (XDG)
DEFAULT_DB_DIR = "data"
DEFAULT_DB_FILE = "opdcwatch.db"
APP_NAME = "opdcwatch"  # the user's data folder is named after it (platformdirs)
DB_ENV_VAR = "OPDCWATCH_DB"

# Run outcomes accepted by ``Archive.finish_run``, and the count keys it stores.
RUN_OUTCOMES = frozenset({"ok", "failed", "interrupted"})
RUN_COUNT_KEYS = ("pages", "new", "changed", "unchanged", "gone", "restored", "errors")
# What an article event records: a removal (404, 410, a redirect away) or a return.
EVENT_REMOVED = "removed"
EVENT_RESTORED = "restored"
