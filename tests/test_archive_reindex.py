"""The search index that migration 0005 replaced: rebuilt on open, in batches, resumable.

The release-0.1.0 archive (tests/fixtures/archive) has the old index, whose tokenizer cut Thai
words at their marks; opening it must leave the new index, complete, and search it right.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from archive import Archive, reindex
from archive import migrations as mig
from archive import search_index as index_module
from archive.schema import articles, captures, search_state, versions
from archive.search import SearchIndex, iter_search
from archive.search_terms import dictionary_words, parse_query, pieces, searchable_text
from crawler.cli import cli
from tests.archive_helpers import at, record
from tests.search_helpers import Oracle, archived_texts


def _rows(arch: Archive) -> int:
    table = "search_terms"
    with arch.reading() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar())


def _versions(arch: Archive) -> int:
    with arch.reading() as conn:
        return int(conn.execute(text("SELECT count(*) FROM versions")).scalar())


def _search(index: SearchIndex, query: str) -> list[int]:
    with index.engine.connect() as conn:
        return [h.article_id for h in iter_search(index, conn, parse_query(query))]


def test_the_release_archive_is_migrated_and_searched_right(release_archive: str) -> None:
    with Archive.open(release_archive) as arch:
        tables = set(inspect(arch.engine).get_table_names())
        assert "search_fts" not in tables and "search_terms" in tables
        assert _rows(arch) == _versions(arch) == 21
        with arch.reading() as conn:
            state = conn.execute(select(search_state)).one()
        assert state.rebuild_target is None and state.indexed_through == 21
        index = SearchIndex(arch.engine)
        assert index.pending() == 0
        oracle = Oracle(arch)
        words = {
            word
            for _, title, body in archived_texts(arch)
            for piece in pieces(searchable_text(title, body))
            for word in dictionary_words(piece)
            if len(word) >= 2
        }
        assert len(words) > 500
        for word in sorted(words):
            assert _search(index, word) == oracle.answer(parse_query(word)), word
        # what the old tokenizer got wrong: a word inside a compound, a mark-bearing word
        assert _search(index, "สาธารณะ") and _search(index, "ท้องถิ่น")
    wal = Path(release_archive.removeprefix("sqlite:///") + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed after the build


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 3 versions and a progress line for each, as on a large archive."""
    monkeypatch.setattr(index_module, "BATCH_SIZE", 3)
    monkeypatch.setattr(reindex, "QUIET_BELOW", 1)
    monkeypatch.setattr(reindex, "PROGRESS_SECONDS", 0)


def test_an_interrupted_rebuild_resumes_where_it_stopped(
    release_archive: str,
    small_batches: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    real_write = SearchIndex._write
    calls = []

    def interrupted(self, docs):
        calls.append(len(docs))
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C while the third batch is being written
        return real_write(self, docs)

    monkeypatch.setattr(SearchIndex, "_write", interrupted)
    caplog.set_level(logging.INFO, logger="archive.reindex")
    with pytest.raises(KeyboardInterrupt):
        Archive.open(release_archive)
    assert "stopped after 6 of 21 versions" in caplog.text
    monkeypatch.setattr(SearchIndex, "_write", real_write)
    caplog.clear()
    with Archive.open(release_archive) as arch:  # resumes: 15 left, nothing twice
        assert _rows(arch) == 21
        assert "15 versions" in caplog.text and "search index rebuilt" in caplog.text
        assert _search(SearchIndex(arch.engine), "ท้องถิ่น")
    caplog.clear()
    Archive.open(release_archive).close()  # done: a later open does nothing
    assert "search index" not in caplog.text


def test_the_command_line_shows_the_rebuild_progress(
    release_archive: str, small_batches: None
) -> None:
    result = CliRunner().invoke(cli, ["articles", "--db", release_archive])
    assert result.exit_code == 0, result.output
    assert "opdcwatch: rebuilding the search index" in result.stderr
    assert "opdcwatch: search index: 3 of 21 versions (14%)" in result.stderr
    assert "opdcwatch: search index rebuilt: 21 versions" in result.stderr
    assert "opdcwatch:" not in result.stdout


def test_an_archive_from_before_the_migration_is_rebuilt_on_both_backends(
    archive_url: str, restore_registry: dict[str, mig.Migration]
) -> None:
    first = {k: v for k, v in mig.MIGRATIONS.items() if k < "0005"}  # the schema before it
    mig.MIGRATIONS.clear()
    mig.MIGRATIONS.update(first)
    with Archive.open(archive_url) as arch:
        with arch.writing() as conn:  # today's recorder logs its fetches; the old schema did not
            mig.run_ddl(conn, "0009_fetch_log")
        record(arch, "opdc_v1.html", 0)
        record(arch, "opdc_v2_sentence.html", 24)
        with arch.writing() as conn:
            conn.execute(text("DROP TABLE fetches"))
    mig.MIGRATIONS.clear()
    mig.MIGRATIONS.update(restore_registry)
    with Archive.open(archive_url) as arch:
        assert _rows(arch) == 2
        index = SearchIndex(arch.engine)
        assert index.pending() == 0
        assert _search(index, "อนุรักษ์") == [1]  # inside โครงการร้อยเอ็ดร่วมใจอนุรักษ์ป่า...


@pytest.fixture
def restore_registry():
    saved = dict(mig.MIGRATIONS)
    yield saved
    mig.MIGRATIONS.clear()
    mig.MIGRATIONS.update(saved)


def _version_row(article_id: int, capture_id: int, number: int, words: str) -> dict:
    return {
        "article_id": article_id,
        "number": number,
        "fetched_at": at(number),
        "title": f"ฉบับที่ {number}",
        "text": words,
        "content_hash": f"{number:064x}",
        "capture_id": capture_id,
    }


@pytest.mark.postgres
def test_postgres_mark_waits_for_a_version_committed_out_of_order(postgres_url: str) -> None:
    """Two crawlers: the one that took the lower version id commits last. The mark must not
    pass that id before the commit, or the version would never be indexed."""
    with Archive.open(postgres_url) as arch:
        record(arch, "opdc_v1.html", 0)
        index = SearchIndex(arch.engine)
        index.refresh()
        with arch.reading() as conn:
            article_id = conn.execute(select(articles.c.id)).scalar_one()
            capture_id = conn.execute(select(captures.c.id)).scalar_one()
        slow = arch.engine.connect()
        slow_txn = slow.begin()
        slow.execute(  # takes the lower id, stays uncommitted
            versions.insert().values(_version_row(article_id, capture_id, 50, "ไดโนเสาร์"))
        )
        with arch.engine.begin() as fast:  # takes a higher id, commits at once
            fast.execute(versions.insert().values(_version_row(article_id, capture_id, 51, "มังกร")))
        for _ in range(3):  # passes enough to move the mark if it were allowed to
            index.refresh()
        assert _search(index, "มังกร") == [article_id]
        with arch.reading() as conn:
            through = conn.execute(select(search_state.c.indexed_through)).scalar_one()
        assert through < max_id(arch)  # held below the uncommitted version's id
        slow_txn.commit()
        slow.close()
        index.refresh()
        assert _search(index, "ไดโนเสาร์") == [article_id]
        assert index.pending() == 0
        index.refresh()
        index.refresh()
        with arch.reading() as conn:
            assert conn.execute(select(search_state.c.indexed_through)).scalar_one() == max_id(arch)


def max_id(arch: Archive) -> int:
    with arch.reading() as conn:
        return int(conn.execute(text("SELECT max(id) FROM versions")).scalar())


def test_a_read_only_archive_opens_with_its_rebuild_unfinished(
    release_archive: str, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = SearchIndex._write

    def interrupted(self, docs):
        if self.indexed() >= 6:
            raise KeyboardInterrupt
        return real_write(self, docs)

    monkeypatch.setattr(SearchIndex, "_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Archive.open(release_archive)
    monkeypatch.setattr(SearchIndex, "_write", real_write)
    path = release_archive.removeprefix("sqlite:///")
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    with Archive.open(read_only, create=False) as arch:  # reads still work; search, partly
        assert _versions(arch) == 21
        assert SearchIndex(arch.engine).pending() == 15
