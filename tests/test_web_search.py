"""Thai full-text search: segmented terms in SQLite FTS5 and in a PostgreSQL tsvector."""

from __future__ import annotations

from datetime import datetime

import pytest

from archive import Archive
from archive.search import SearchIndex, document_terms, excerpt, index_terms, query_phrases
from parsers.normalize import normalize_text
from tests.web_helpers import WEB_FIXTURES, build_web_archive

OPDC_URL = "https://www.opdc.go.th/content/Nzk4Mw"


def test_index_terms_segment_thai_and_drop_spaces_and_punctuation():
    assert index_terms("โครงการร้อยเอ็ดร่วมใจอนุรักษ์ป่าดงทำเลดอนใหญ่") == [
        "โครงการ",
        "ร้อยเอ็ด",
        "ร่วมใจ",
        "อนุรักษ์",
        "ป่าดง",
        "ทำเล",
        "ดอน",
        "ใหญ่",
    ]
    assert "," not in index_terms("IT, Thai Reach")
    assert index_terms("Thai REACH") == ["thai", "reach"]


def test_query_phrases_ignore_zero_width_spaces_and_split_on_spaces():
    assert query_phrases("อนุ\u200bรักษ์") == [["อนุรักษ์"]]
    assert query_phrases("  ขาเทียม   ไทยแลนด์ ") == [["ขา", "เทียม"], ["ไทยแลนด์"]]
    assert query_phrases(" ,, ") == []


def test_excerpt_marks_the_first_term_found():
    text = "ก" * 200 + "ศูนย์เรียนรู้ป่าดงทำเลดอนใหญ่" + "ข" * 200
    before, match, after = excerpt(text, "ป่าดง")
    assert match == "ป่าดง"
    assert before.startswith("…") and after.endswith("…")
    assert excerpt("Thai Reach", "REACH") == ("Thai ", "Reach", "")
    assert excerpt("ข้อความ", "ไม่มี") is None


def _article_id(arch: Archive, url: str) -> int:
    from archive import queries

    return queries.get_article(arch, url)["id"]


def test_search_on_both_backends(archive_url):
    build_web_archive(archive_url)
    with Archive.open(archive_url) as arch:
        index = SearchIndex(arch.engine)
        assert index.pending() == 6
        opdc = _article_id(arch, OPDC_URL)
        hits = index.search("อนุรักษ์").article_ids
        assert opdc in hits and len(hits) == 2  # the original and its repost
        assert index.pending() == 0
        assert index.search("อนุรักษ์", site="opdc").article_ids == [opdc]
        assert index.search("อนุรักษ์ ขาเทียม", min_versions=2).article_ids == [opdc]
        assert index.search("อนุรักษ์ ฟุตบอล").article_ids == []
        assert index.search('"อนุรักษ์" OR ไม่มี').article_ids == []  # no query syntax leaks
        later = datetime.fromisoformat("2026-11-22T00:00:00+00:00")
        assert index.search("อนุรักษ์", since=later).article_ids == [opdc]
        first = index.search("ก.พ.ร.", limit=1)
        second = index.search("ก.พ.ร.", limit=1, offset=1)
        assert first.has_more and first.article_ids != second.article_ids


def test_new_versions_are_indexed_at_query_time(sqlite_url):
    body = (WEB_FIXTURES / "opdc_service_v1.html").read_bytes()
    with Archive.open(sqlite_url) as arch:
        index = SearchIndex(arch.engine)
        arch.record_page(url=OPDC_URL, status=200, headers={}, body=body, site="opdc")
        assert index.search("ศูนย์บริการประชาชน").article_ids == []
        arch.record_page(
            url=OPDC_URL,
            status=200,
            headers={},
            body=(WEB_FIXTURES / "opdc_service_v2.html").read_bytes(),
            site="opdc",
        )
        found = index.search("ศูนย์บริการประชาชน")
        assert found.article_ids == [1] and found.pending == 0
        assert index.refresh() == 0  # nothing twice


def test_search_index_is_made_by_the_archive_migrations(sqlite_url):
    with Archive.open(sqlite_url) as arch:
        assert SearchIndex(arch.engine).pending() == 0
    with Archive.open(sqlite_url) as arch:  # reopening changes nothing
        assert SearchIndex(arch.engine).pending() == 0


@pytest.mark.postgres
def test_postgres_index_fills_gaps_left_by_out_of_order_commits(postgres_url):
    build_web_archive(postgres_url)
    with Archive.open(postgres_url) as arch:
        index = SearchIndex(arch.engine)
        assert index.refresh() == 6
        with arch.engine.begin() as conn:  # as if version 2 committed after version 3
            from sqlalchemy import text

            conn.execute(text("DELETE FROM search_index WHERE version_id = 2"))
        assert index.pending() == 1
        assert index.refresh() == 1
        assert index.search("ขาเทียม").article_ids


def test_every_word_of_an_indexed_text_is_found_as_a_query(shared_dir):
    """The index segments between spaces, as a query term is: no word of the text is lost
    to a dictionary entry that spans a space (pythainlp has "ง่าย ๆ", "ลับๆ ล่อๆ", ...)."""
    seed = sorted((shared_dir / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    text = f"{seed}\nทำได้ง่าย ๆ ลับๆ ล่อๆ ใฝ่ร้อนจะนอนเย็น ใฝ่เย็นจะดิ้นตาย"
    terms = document_terms("ข่าว ก.พ.ร.", text).split()
    assert terms == index_terms(f"ข่าว ก.พ.ร.\n{text}")
    padded = f" {' '.join(terms)} "
    words = [w for w in normalize_text(text).split() if query_phrases(w)]
    assert len(words) > 100
    for word in words:
        (phrase,) = query_phrases(word)
        assert f" {' '.join(phrase)} " in padded, word
    assert "ใฝ่เย็นจะดิ้นตาย" not in terms  # the proverb is in words, as its halves are queried
