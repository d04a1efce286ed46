"""Title and dates from markup: og/JSON-LD/h1/<title>, and visible date lines as a fallback."""

from __future__ import annotations

import pytest

from parsers import parse_bytes
from parsers.metadata import strip_site_name


def test_json_ld_graph_gives_headline_and_dates(fixtures_dir) -> None:
    raw = (fixtures_dir / "parsers" / "metadata_jsonld.html").read_bytes()
    article = parse_bytes(raw)
    assert article.title == "ก.พ.ร. เปิดรับสมัครรางวัลเลิศรัฐ ประจำปี 2566"
    assert article.published == "2023-01-16T09:30:00+07:00"
    assert article.modified == "2023-01-17T11:00:00+07:00"
    assert article.text.startswith("สำนักงานคณะกรรมการพัฒนาระบบราชการ")
    assert "สงวนลิขสิทธิ์" not in article.text and "กองบรรณาธิการ" not in article.text


def test_title_minus_site_name_and_visible_numeric_date(fixtures_dir) -> None:
    raw = (fixtures_dir / "parsers" / "metadata_title_only.html").read_bytes()
    article = parse_bytes(raw)
    assert article.title == "ก.พ.ร. ลงนามความร่วมมือพัฒนาระบบราชการดิจิทัลกับ 20 หน่วยงาน"
    assert article.published == "2021-03-12"
    assert "ผู้เข้าชม" not in article.text
    assert article.text.count("\n") == 1


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        (
            "ก.พ.ร. จัดมหกรรมบริการภาครัฐ ครั้งที่ 7 | สำนักงาน ก.พ.ร.",
            None,
            "ก.พ.ร. จัดมหกรรมบริการภาครัฐ ครั้งที่ 7",
        ),
        ("ข่าววันนี้ | สำนักงาน ก.พ.ร.", "สำนักงาน ก.พ.ร.", "ข่าววันนี้"),
        (
            "ThaiPR.NET – ก.พ.ร. ผสานเทคโนโลยีกับบริการภาครัฐ",
            "ThaiPR.NET",
            "ก.พ.ร. ผสานเทคโนโลยีกับบริการภาครัฐ",
        ),
        ("Hong Kong - China - Protests", None, "Hong Kong - China - Protests"),
        ("หัวข้อเดียว", None, "หัวข้อเดียว"),
    ],
)
def test_strip_site_name(title: str, site: str | None, expected: str) -> None:
    assert strip_site_name(title, site) == expected


def test_h1_holding_the_site_logo_is_not_the_title(fixtures_dir) -> None:
    raw = (fixtures_dir / "parsers" / "metadata_h1_logo.html").read_bytes()
    assert b"<h1>" in raw and b"ld+json" not in raw
    article = parse_bytes(raw)
    assert article.title == "ก.พ.ร. เปิดรับสมัครรางวัลเลิศรัฐ ประจำปี 2566"  # both site parts go
    assert article.published == "2023-01-15"  # from <time datetime>, with no JSON-LD
