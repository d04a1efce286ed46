"""Reading that does not grow with the archive: every statement the home page, health, the
article list and a search run is planned on an index, never as a scan of the big tables.

The statements are caught as the real functions run them, then asked for SQLite's plan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event, text

from archive import Archive, queries
from archive.paging import PageKey
from archive.search import Filters, SearchIndex, search
from crawler.config import load_config
from crawler.monitor.health import load_history
from tests.archive_helpers import record

BIG_TABLES = ("articles", "versions", "captures", "bodies")


def _plans(arch: Archive, action: Callable[[], object]) -> list[tuple[str, str]]:
    """Run ``action`` and return (statement, plan) of every SELECT it sent to SQLite."""
    caught: list[tuple[str, object]] = []

    def catch(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not executemany:
            caught.append((statement, parameters))

    event.listen(arch.engine, "before_cursor_execute", catch)
    try:
        action()
    finally:
        event.remove(arch.engine, "before_cursor_execute", catch)
    plans = []
    with arch.engine.connect() as conn:
        for statement, parameters in caught:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            plans.append((statement, " | ".join(row[3] for row in rows)))
    return plans


def _no_scans(plans: list[tuple[str, str]]) -> None:
    assert plans
    for statement, plan in plans:
        for table in BIG_TABLES:
            scanned = f"SCAN {table} " in f"{plan} " or f"SCAN {table}|" in plan
            assert not scanned or "USING" in plan.split(f"SCAN {table}")[1][:60], (
                statement,
                plan,
            )


def _archive_with_runs(arch: Archive) -> None:
    for round_ in range(3):
        run_id = arch.start_run("opdc.go.th")
        record(
            arch,
            ("opdc_v1.html", "opdc_v2_sentence.html", "opdc_v3_title.html")[round_],
            24 * round_,
            run_id=run_id,
        )
        arch.finish_run(run_id, outcome="ok", counts={"pages": 1, "changed": 1})


def test_health_reads_each_run_through_the_run_indexes(sqlite_arch: Archive) -> None:
    _archive_with_runs(sqlite_arch)
    config = load_config(None)
    plans = _plans(sqlite_arch, lambda: load_history(sqlite_arch, "opdc.go.th", config.health))
    _no_scans(plans)
    assert any("ix_captures_run" in plan for _, plan in plans)
    history = load_history(sqlite_arch, "opdc.go.th", config.health)
    assert sum(len(b) for b in history.bodies.values()) == 3


def test_pages_of_the_article_list_are_index_ranges(sqlite_arch: Archive) -> None:
    _archive_with_runs(sqlite_arch)
    key = PageKey(0, datetime.fromisoformat("2030-01-01T00:00:00+00:00"), 10**6)
    for action in (
        lambda: queries.list_articles(sqlite_arch),
        lambda: list(queries.iter_articles(sqlite_arch, after=key, limit=30)),
        lambda: list(queries.iter_articles(sqlite_arch, site="opdc.go.th", min_versions=2)),
    ):
        plans = _plans(sqlite_arch, action)
        _no_scans(plans)
        assert not any("TEMP B-TREE" in plan for _, plan in plans), plans  # streams as read
    deep = _plans(sqlite_arch, lambda: queries.list_articles(sqlite_arch, limit=30, offset=30))
    _no_scans(deep)  # the offset walks the index alone; only the page's 30 rows are sorted
    assert "COVERING INDEX ix_articles_last_changed" in deep[0][1]


def test_a_common_word_is_ranked_without_sorting_every_hit(sqlite_arch: Archive, monkeypatch):
    from archive import search as search_module

    _archive_with_runs(sqlite_arch)
    index = SearchIndex(sqlite_arch.engine)
    index.refresh()
    monkeypatch.setattr(search_module, "SMALL_HITS", 0)  # as for a word in most articles
    for filters in (Filters(), Filters(gone=True)):  # the removed ones: the same walk
        plans = _plans(sqlite_arch, lambda f=filters: search(index, "อนุรักษ์", filters=f, limit=30))
        _no_scans(plans)
        assert not [(s, p) for s, p in plans if "articles" in s and "TEMP B-TREE" in p]
    with sqlite_arch.reading() as conn:
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 1
