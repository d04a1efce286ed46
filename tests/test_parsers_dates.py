"""Date strings to ISO: the table in tests/fixtures/dates.tsv, and date lines vs event dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.dates import date_from_url, date_line_iso, find_dates, labelled_dates, parse_date

TABLE = Path(__file__).resolve().parent / "fixtures" / "dates.tsv"


def _rows() -> list[tuple[str, str | None, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, expected, note = line.split("\t")
        rows.append((text, expected or None, note))
    return rows


@pytest.mark.parametrize(("text", "expected", "note"), _rows(), ids=lambda v: str(v)[:30])
def test_date_table(text: str, expected: str | None, note: str) -> None:
    assert parse_date(text) == expected, note


def test_table_covers_thai_english_and_ranges() -> None:
    notes = " ".join(note for _, _, note in _rows())
    assert len(_rows()) >= 25
    for topic in ("Buddhist era", "Thai digits", "English", "event range", "ISO"):
        assert topic in notes


def test_range_end_is_flagged_not_dropped() -> None:
    [match] = find_dates("ลงพื้นที่ระหว่างวันที่ 10-11 กันยายน 2563 เพื่อศึกษาดูงาน")
    assert match.is_range
    assert match.iso == "2020-09-11"


def test_date_line_rejects_body_sentences_with_dates() -> None:
    assert date_line_iso("21 กันยายน 2563") == "2020-09-21"
    assert date_line_iso("โพสต์เมื่อ 21 ก.ย. 2563 10:30 น.") == "2020-09-21T10:30:00+07:00"
    assert date_line_iso("เมื่อวันที่ 22 เมษายน 2551 สำนักงาน ก.พ.ร. จัดสัมมนา") is None
    long_sentence = "สำนักงาน ก.พ.ร. ได้รับมอบหมายจากคณะรัฐมนตรี เมื่อวันที่ 4 ธันวาคม 2561 " * 2
    assert date_line_iso(long_sentence) is None


def test_labelled_dates_split_published_and_modified() -> None:
    line = "เผยแพร่ข้อมูลเมื่อ 3 กันยายน 2552 14:56:24 ปรับปรุงข้อมูลล่าสุดเมื่อ ๕ กันยายน ๒๕๕๒ 09:00:00"
    assert labelled_dates(line) == ("2009-09-03T14:56:24+07:00", "2009-09-05T09:00:00+07:00")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://politics.people.com.cn/n1/2024/0424/c1001-40223222.html", "2024-04-24"),
        ("https://www.sankei.com/article/20250121-QBJP5I25BBIG5IZ76XZNDHDB5Q/", "2025-01-21"),
        ("https://www.taipeitimes.com/News/front/archives/2024/10/16/2003825372", "2024-10-16"),
        ("https://www.example.go.th/news/2020-09-21/ข่าว", "2020-09-21"),
        ("https://www.hankookilbo.com/news/article/A2026012914320005196", None),  # an id
        ("https://www.opdc.go.th/content.php?content_id=20200921", None),  # a query
        ("https://www.example.com/2020/13/45/x", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: str | None) -> None:
    assert date_from_url(url) == expected
