"""Schema migrations: recorded, applied once, transactional, refusing a newer database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from archive import Archive, SchemaError, feed
from archive import migrations as mig
from archive.db import create_archive_engine
from tests.archive_helpers import record


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


def test_a_version_1_database_gets_the_web_indexes(
    archive_url: str, restore_registry: dict[str, mig.Migration]
) -> None:
    first = dict(list(mig.MIGRATIONS.items())[:1])
    mig.MIGRATIONS.clear()
    mig.MIGRATIONS.update(first)
    with Archive.open(archive_url) as arch:  # as opdcwatch with 0001 alone left it
        with arch.writing() as conn:
            conn.execute(text("DROP INDEX ix_versions_fetched"))
            conn.execute(text("DROP INDEX ix_articles_latest_version"))
        record(arch, "opdc_v1.html", 0)
        record(arch, "opdc_v2_sentence.html", 24)
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
