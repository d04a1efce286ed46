"""Schema migrations: recorded, applied once, transactional, refusing a newer database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text

from archive import Archive, SchemaError
from archive import migrations as mig
from archive.db import create_archive_engine
from tests.archive_helpers import record


@pytest.fixture
def restore_registry() -> Iterator[None]:
    saved = dict(mig.MIGRATIONS)
    yield
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
