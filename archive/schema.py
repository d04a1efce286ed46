"""The archive's tables, in SQLAlchemy Core, identical on SQLite and PostgreSQL.

``versions`` is append-only: a row is written once and never updated. ``articles`` holds the
mutable state of each URL (last checked, gone, pointer to its latest version) so that listing
100,000 articles needs no aggregate over the versions; ``article_events`` dates each removal
and restoration, which that state forgets. Raw bodies live once per digest in
``bodies``; every fetch that produced something new is a row in ``captures``.

Every table of the database is declared here and created by a named migration
(``archive.migrations``), the scheduler's included; APScheduler's ``apscheduler_jobs`` and the
search index are created by migrations too, and described by their owners.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and read back as aware UTC, on every backend.

    SQLite keeps no time zone; converting at the edge keeps comparisons and ordering right.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False, unique=True),
    Column("applied_at", UTCDateTime, nullable=False),
)

sites = Table(
    "sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    # the first body stored for the site: later bodies are compressed against it (same template)
    Column("ref_digest", String(64), ForeignKey("bodies.digest"), nullable=True),
)

bodies = Table(
    "bodies",
    metadata,
    Column("digest", String(64), primary_key=True),  # sha256 hex of the raw bytes
    Column("codec", String(16), nullable=False),
    Column("ref_digest", String(64), ForeignKey("bodies.digest"), nullable=True),
    Column("raw_size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("outcome", String(20), nullable=True),
    Column("pages", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("changed", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("gone", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("error_text", Text, nullable=True),
    # added by 0006: articles that came back; why a run reached no server at all (DNS, ...)
    Column("restored", Integer, nullable=False, default=0),
    Column("unreachable", String(20), nullable=True),
    Column("worker", String(255), nullable=True),  # who ran it, in a cluster (added by 0007)
    # why requests ended without a page, by kind: JSON {"timeout": 2, ...} (added by 0010)
    Column("reasons", Text, nullable=True),
)

# the last robots.txt each origin answered with 2xx (added by 0010)
robots_txt = Table(
    "robots_txt",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("body", Text, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_checked", UTCDateTime, nullable=False),
    Column("last_changed", UTCDateTime, nullable=False),
    Column("gone_at", UTCDateTime, nullable=True),
    Column("version_count", Integer, nullable=False),
    # no FK: the version row is inserted after the article row, in the same transaction
    Column("latest_version_id", BigInteger, nullable=True),
    # the body later captures of this article are compressed against (see archive.recording)
    Column("ref_digest", String(64), ForeignKey("bodies.digest"), nullable=True),
    # the content hash of the latest content under the extraction key ``baseline_key``: the
    # latest version's, or that content re-derived by a newer parser (see archive.store)
    Column("baseline_hash", String(64), nullable=True),
    Column("baseline_key", String(16), nullable=True),
    UniqueConstraint("url", name="uq_articles_url"),
    Index("ix_articles_site_changed", "site_id", "last_changed"),
    Index("ix_articles_last_changed", "last_changed"),
    Index("ix_articles_latest_version", "latest_version_id"),  # "also at": hash -> articles
)

captures = Table(
    "captures",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=True),
    Column("url", Text, nullable=False),  # as fetched, before canonicalisation
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("status", Integer, nullable=False),
    Column("headers", JSON, nullable=False),  # [[name, value], ...] in the order received
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("digest", String(64), ForeignKey("bodies.digest"), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=True),
    Index("ix_captures_article", "article_id", "id"),
    Index("ix_captures_digest", "digest"),
    Index("ix_captures_run", "run_id", "id"),  # health: what a run fetched
)

versions = Table(
    "versions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("title", Text, nullable=True),
    Column("published", String(40), nullable=True),
    Column("modified", String(40), nullable=True),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column(
        "capture_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("captures.id"),
        nullable=False,
    ),
    Column("revert_of", Integer, nullable=True),
    # what made content_hash: parsers.ParseOptions.extraction_key(); NULL before migration 0004
    Column("extraction_key", String(16), nullable=True),
    UniqueConstraint("article_id", "number", name="uq_versions_article_number"),
    Index("ix_versions_content_hash", "content_hash"),
    Index("ix_versions_fetched", "fetched_at", "id"),  # the feed: newest changes first
)
# Health reads each run through two expression indexes that migration 0008 creates (SQLAlchemy
# does not reflect those): ix_versions_capture_size (capture_id, article_id, number,
# length(text)) and ix_versions_article_size (article_id, number, length(text)).

# --- the search index's progress (archive.search_index); the index itself is SQLite FTS5 or a
# PostgreSQL table of tsvectors, described there ------------------------------------------------

search_state = Table(
    "search_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # one row, id 1
    Column("indexed_through", BigInteger, nullable=False),  # every version up to it is indexed
    Column("rebuild_target", BigInteger, nullable=True),  # set while a rebuild runs: its last id
    Column("pending_max", BigInteger, nullable=True),  # PostgreSQL: the next high-water mark...
    Column("pending_xmax", BigInteger, nullable=True),  # ...once transactions below this ended
)

article_events = Table(  # each removal and restoration of an article, with the run that saw it
    "article_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=True),
    Column("happened_at", UTCDateTime, nullable=False),
    Column("kind", String(20), nullable=False),  # "removed" or "restored"
    Column("status", Integer, nullable=True),  # the HTTP status that said so (404, 302, 200, 304)
    Column("location", Text, nullable=True),  # where a removing redirect went
    Index("ix_article_events_happened", "happened_at", "id"),
    Index("ix_article_events_run", "run_id"),
    Index("ix_article_events_article", "article_id", "id"),
)

fetches = Table(  # every answer for a page, stored or not (migration 0009): the WARC's revisits
    "fetches",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=True),
    Column("url", Text, nullable=False),  # as fetched
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("status", Integer, nullable=False),  # 304: not modified, the body is the digest's
    Column("digest", String(64), nullable=True),  # the body it carried (or a 304 confirmed)
    Column("capture_id", BigInteger, ForeignKey("captures.id"), nullable=True),  # if stored
    Index("ix_fetches_article", "article_id", "id"),
    Index("ix_fetches_run", "run_id"),
)

# --- the scheduling daemon's state (crawler.monitor), in the same database -----------------

scheduler_daemons = Table(  # the running daemon's heartbeat
    "scheduler_daemons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=False),
    Column("poll_interval", Integer, nullable=False),
)

scheduler_paused = Table(  # sites paused with ``opdcwatch schedule pause``
    "scheduler_paused",
    metadata,
    Column("site", String(255), primary_key=True),
    Column("paused_at", UTCDateTime, nullable=False),
)

scheduler_notifications = Table(  # every notification delivery, next to the run it reports
    "scheduler_notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, nullable=True, index=True),
    Column("site", String(200), nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    Column("target", Text, nullable=False),  # the apprise URL with its secrets masked
    Column("ok", Boolean, nullable=False),
    Column("error", Text, nullable=True),
)
