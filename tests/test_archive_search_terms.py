"""The terms the search index stores for Thai text, and what a user's query turns into."""

from __future__ import annotations

import pytest

from archive.search_terms import (
    MAX_QUERY_CHARS,
    MAX_QUERY_STRINGS,
    document_terms,
    parse_query,
    piece_terms,
    required_terms,
    split_query,
)


def test_compounds_are_indexed_whole_and_by_their_parts():
    terms = piece_terms("องค์กรปกครองส่วนท้องถิ่น")
    assert terms[0] == "องค์กรปกครองส่วนท้องถิ่น"  # newmm keeps it whole
    for part in ("องค์กร", "ปกครอง", "ส่วน", "ท้องถิ่น", "ถิ่น"):
        assert part in terms
    _, body = document_terms(None, "ยกระดับคุณภาพบริการสาธารณะโดยการมีส่วนร่วมของประชาชน")
    assert {"บริการสาธารณะ", "สาธารณะ", "บริการ", "ประชาชน", "มีส่วนร่วม"} <= set(body.split())


def test_vowel_and_tone_marks_never_cut_a_word():
    """unicode61 took Thai marks for separators: "ท้องถิ่น" became "ท", "องถ", "น"."""
    _, body = document_terms(None, "ท้องถิ่น กรุงเทพ สำนักงาน ดี ปี กี่")
    terms = body.split()
    assert {"ท้องถิ่น", "กรุงเทพ", "สำนักงาน", "ดี", "ปี", "กี่"} <= set(terms)
    assert not {"ท", "องถ", "กงาน", "สำน", "ด", "ป"} & set(terms)


def test_a_word_is_only_found_where_a_thai_word_can_begin():
    """ "กิน" (eat) is spelled inside "เกินไป" (too much), across the cluster "เกิ"."""
    _, body = document_terms(None, "ราคาเกินไป")
    assert "กิน" not in body.split()
    _, body = document_terms(None, "กินข้าว")
    assert "กิน" in body.split()


def test_title_and_body_are_separate_and_every_term_is_one_token():
    title, body = document_terms("ข่าว ก.พ.ร.", "COVID-19 ระบาด\u200bหนัก; e-Service 4.0")
    assert title.split()[0] == "ข่าว" and title.split()[-3:] == ["ก", "พ", "ร"]
    assert {"covid", "19", "ระบาด", "หนัก", "service", "4", "0"} <= set(body.split())
    assert all(term.isalnum() or "\u0e00" <= term[0] <= "\u0e7f" for term in body.split())


def test_a_query_is_words_and_quoted_phrases():
    assert split_query('  "บริการ  สาธารณะ" ท้องถิ่น  ') == ["บริการ สาธารณะ", "ท้องถิ่น"]
    assert split_query('"ไม่ปิด ท้าย') == ["ไม่ปิด ท้าย"]  # an unbalanced quote runs to the end
    assert split_query("อนุ\u200bรักษ์ , ;") == ["อนุรักษ์"]  # normalised; punctuation alone dropped
    assert split_query("ท้องถิ่น ท้องถิ่น") == ["ท้องถิ่น"]
    query = parse_query('"บริการสาธารณะ" ท้องถิ่น')
    assert query.strings == ("บริการสาธารณะ", "ท้องถิ่น")
    assert set(query.terms) == {"บริการสาธารณะ", "ท้องถิ่น"}
    assert query.holds("การให้บริการสาธารณะขององค์กรปกครองส่วนท้องถิ่น")
    assert not query.holds("บริการ สาธารณะ ท้องถิ่น")  # the phrase, as written


def test_a_part_of_a_word_in_the_query_needs_only_the_dictionary_words_inside_it():
    """At the edge of a query string the text's run of letters may go on ("ประชาชนชาวไทย"),
    so only dictionary words inside it are certain to be in the text's terms."""
    assert required_terms("ประชาชน") == ["ประชาชน"]
    assert required_terms("ก.พ.ร.") == ["ก", "พ", "ร"]
    assert required_terms("covid-19") == ["covid", "19"]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "ท้องถิ่น*",
        "NEAR(ท้องถิ่น สาธารณะ)",
        "ท้องถิ่น OR สาธารณะ",
        "ท้องถิ่น AND NOT",
        '"ท้องถิ่น',
        "col:ท้องถิ่น",
        "{title}: x",
        "^ท้องถิ่น",
        "'; DROP TABLE versions; --",
        "a\x00b",
        "ท้องถิ่น\x00",
        "\\",
        "'ท้อง'ถิ่น'",
    ],
)
def test_query_syntax_becomes_plain_terms(query):
    parsed = parse_query(query)
    for term in parsed.terms:  # what reaches the database: letters, digits and marks only
        assert term and all(ch.isalnum() or "\u0e00" <= ch <= "\u0e7f" for ch in term), term
    assert all("\x00" not in s for s in parsed.strings)


def test_huge_queries_are_cut():
    parsed = parse_query("ท้องถิ่น " * 20_000)  # 100 KB of one word
    assert parsed.strings == ("ท้องถิ่น",)
    many = parse_query(" ".join(f"คำ{i}" for i in range(1000)))
    assert len(many.strings) == MAX_QUERY_STRINGS
    assert sum(len(s) for s in parse_query("ก" * 100_000).strings) <= MAX_QUERY_CHARS
