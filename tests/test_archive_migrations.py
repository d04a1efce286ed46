"""Schema migrations: recorded, applied once, transactional, refusing a newer database."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from archive import Archive, SchemaError, feed, schema
from archive import migrations as mig
from archive.bodies import digest_of, store_body
from archive.db import create_archive_engine
from parsers import parse_bytes
from tests.archive_helpers import ARTICLE_URL, at, page, record


@pytest.fixture
def restore_registry() -> Iterator[dict[str, mig.Migration]]:
    saved = dict(mig.MIGRATIONS)
    yield saved
    mig.MIGRATIONS.clear()
    mig.MIGRATIONS.update(saved)


def test_open_applies_and_records_every_migration_once(archive_url: str) -> None:
    with Archive.open(archive_url) as arch:
        assert mig.current_version(arch.engine) == len(mig.MIGRATIONS)
        assert set(inspect(arch.engine).get_table_names()) >= {
            "schema_version",
            "sites",
            "articles",
            "versions",
            "captures",
            "bodies",
            "runs",
        }
        record(arch, "opdc_v1.html", 0)
    with Archive.open(archive_url) as arch:
        assert mig.migrate(arch.engine) == []
        with arch.reading() as conn:
            names = conn.execute(text("SELECT name FROM schema_version ORDER BY version"))
            assert names.scalars().all() == list(mig.MIGRATIONS)
            assert conn.execute(text("SELECT count(*) FROM versions")).scalar() == 1


def test_a_duplicate_migration_name_is_rejected(restore_registry: None) -> None:
    with pytest.raises(SchemaError, match="declared twice"):
        mig.migration("0001_initial_tables")(lambda conn: None)


def test_a_failing_migration_leaves_the_old_schema(
    archive_url: str, restore_registry: None
) -> None:
    Archive.open(archive_url).close()

    @mig.migration("9999_half_done")
    def _broken(conn) -> None:
        conn.execute(text("CREATE TABLE half_done (id INTEGER PRIMARY KEY)"))
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        Archive.open(archive_url)
    engine = create_archive_engine(archive_url)
    try:
        assert not inspect(engine).has_table("half_done")
        assert mig.current_version(engine) == len(mig.MIGRATIONS) - 1
    finally:
        engine.dispose()


def test_a_database_from_a_newer_opdcwatch_is_refused(sqlite_url: str) -> None:
    with Archive.open(sqlite_url) as arch, arch.writing() as conn:
        conn.execute(
            text(
                "INSERT INTO schema_version (version, name, applied_at) "
                "VALUES (99, '0099_from_the_future', '2030-01-01 00:00:00')"
            )
        )
    with pytest.raises(SchemaError, match=r"schema version 99 .0099_from_the_future.*upgrade"):
        Archive.open(sqlite_url)


def _index_names(engine, table: str) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes(table)}


def _write_as_schema_1(arch: Archive, pages: list[str]) -> None:
    """Write one article with a version per page, in 0001's columns only (as 0.0 wrote it)."""
    with arch.writing() as conn:
        site_id = conn.execute(schema.sites.insert().values(name="opdc")).inserted_primary_key[0]
        article_id = conn.execute(
            schema.articles.insert().values(
                url=ARTICLE_URL,
                site_id=site_id,
                first_seen=at(0),
                last_checked=at(24 * len(pages)),
                last_changed=at(24 * len(pages)),
                version_count=0,
            )
        ).inserted_primary_key[0]
        for number, name in enumerate(pages, start=1):
            body = page(name)
            store_body(conn, body, digest_of(body), None)
            capture_id = conn.execute(
                schema.captures.insert().values(
                    article_id=article_id,
                    url=ARTICLE_URL,
                    fetched_at=at(24 * number),
                    status=200,
                    headers=[],
                    digest=digest_of(body),
                )
            ).inserted_primary_key[0]
            article = parse_bytes(body)
            version_id = conn.execute(
                schema.versions.insert().values(
                    article_id=article_id,
                    number=number,
                    fetched_at=at(24 * number),
                    title=article.title,
                    text=article.text,
                    content_hash=article.content_hash,
                    capture_id=capture_id,
                )
            ).inserted_primary_key[0]
            conn.execute(
                schema.articles.update()
                .where(schema.articles.c.id == article_id)
                .values(version_count=number, latest_version_id=version_id)
            )


def test_a_version_1_database_gets_the_web_indexes(
    archive_url: str, restore_registry: dict[str, mig.Migration]
) -> None:
    first = dict(list(mig.MIGRATIONS.items())[:1])
    mig.MIGRATIONS.clear()
    mig.MIGRATIONS.update(first)
    with Archive.open(archive_url) as arch:  # as opdcwatch with 0001 alone left it
        _write_as_schema_1(arch, ["opdc_v1.html", "opdc_v2_sentence.html"])
        assert mig.current_version(arch.engine) == 1
        assert "ix_versions_fetched" not in _index_names(arch.engine, "versions")
    mig.MIGRATIONS.clear()
    mig.MIGRATIONS.update(restore_registry)  # this opdcwatch
    with Archive.open(archive_url) as arch:
        assert mig.current_version(arch.engine) == len(restore_registry)
        assert "ix_versions_fetched" in _index_names(arch.engine, "versions")
        assert "ix_articles_latest_version" in _index_names(arch.engine, "articles")
        changes = feed.recent_changes(arch)
        assert [c["version"] for c in changes] == [2, 1]
        assert "ป่าดงทำเลดอนใหญ่" in changes[-1]["text"]


def test_a_fresh_database_gets_the_web_indexes_once(archive_url: str) -> None:
    with Archive.open(archive_url) as arch:
        assert mig.current_version(arch.engine) == len(mig.MIGRATIONS)
        assert "ix_versions_fetched" in _index_names(arch.engine, "versions")
        assert "ix_articles_latest_version" in _index_names(arch.engine, "articles")


def test_the_feed_and_also_at_queries_use_indexes(sqlite_arch: Archive) -> None:
    record(sqlite_arch, "opdc_v1.html", 0)
    feed_sql = "SELECT id FROM versions ORDER BY fetched_at DESC, id DESC LIMIT 50"
    also_at = (
        "SELECT a.url FROM articles a JOIN versions v ON v.id = a.latest_version_id "
        "WHERE v.content_hash = 'x' AND a.site_id != 1"
    )
    with sqlite_arch.reading() as conn:
        plan = " | ".join(r[3] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {feed_sql}")))
        assert "ix_versions_fetched" in plan and "TEMP B-TREE" not in plan, plan
        plan = " | ".join(r[3] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {also_at}")))
        assert "SCAN" not in plan, plan
        assert "ix_articles_latest_version" in plan, plan


def _nullable(engine, table: str) -> dict[str, bool]:
    """Return {column: nullable} as the database reports it."""
    return {c["name"]: bool(c["nullable"]) for c in inspect(engine).get_columns(table)}


def test_the_frozen_migrations_build_exactly_the_declared_schema(archive_url: str) -> None:
    """schema.py is what the code reads and writes; the frozen DDL files are what databases
    get. They must never drift apart: every declared table, column, nullability and index."""
    with Archive.open(archive_url) as arch:
        tables = set(inspect(arch.engine).get_table_names())
        for table in schema.metadata.sorted_tables:
            assert table.name in tables
            nullable = _nullable(arch.engine, table.name)
            assert set(nullable) == {c.name for c in table.columns}, table.name
            for column in table.columns:
                if not column.primary_key:
                    assert nullable[column.name] == column.nullable, (table.name, column.name)
            declared = {i.name for i in table.indexes}
            assert declared <= _index_names(arch.engine, table.name), table.name
        assert "apscheduler_jobs" in tables


def test_an_archive_written_by_release_0_1_0_opens_and_keeps_everything(
    release_archive: str,
) -> None:
    """tests/fixtures/archive/release-0.1.0.db: the demo crawled twice, real pages ingested, a
    site paused, a scheduled job, a notification and the search index, all made by 0.1.0."""
    with Archive.open(release_archive) as arch:
        assert mig.current_version(arch.engine) == len(mig.MIGRATIONS)
        with arch.reading() as conn:
            assert conn.execute(text("SELECT count(*) FROM versions")).scalar() == 21
            assert conn.execute(text("SELECT site FROM scheduler_paused")).scalar() == "replica"
            assert conn.execute(text("SELECT count(*) FROM scheduler_notifications")).scalar()
            blob = conn.execute(text("SELECT job_state FROM apscheduler_jobs")).scalar_one()
        assert pickle.loads(blob)["func"] == "crawler.monitor.daemon:run_scheduled_crawl"
        assert feed.recent_changes(arch)
