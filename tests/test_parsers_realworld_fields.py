"""Quality floor for titles and publication dates, on real pages and on the agency templates.

Real pages (``tests/fixtures/realworld``, gold from their source projects): fundus news in
Japanese, Korean and Chinese for titles and dates, htmldate's Chinese, Japanese and Korean
pages for dates. Synthetic Thai agency pages (``tests/fixtures/agency``): every title and
every publication date exactly, Bangkok offset included, and null where the page prints
none. The floors are the levels reached (``bench/metadata.py`` prints them beside
trafilatura's); raise them when extraction improves, never lower them to make a change pass.
The fixtures are in the repository: nothing here skips.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers import ParseError, decode_html, parse_bytes
from parsers.quality_fields import GoldPage, gold_pages, same_date, same_title

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REALWORLD = FIXTURES / "realworld"
AGENCY = FIXTURES / "agency"

FUNDUS_TITLES_FLOOR = 14  # of 16; trafilatura 2.3.1: 5
FUNDUS_DATES_FLOOR = 15  # of 16; trafilatura: 16
HTMLDATE_DATES_FLOOR = 19  # of 22; trafilatura: 19


def _parsed(page: GoldPage) -> tuple[str | None, str | None]:
    try:
        article = parse_bytes(page.html.read_bytes(), url=page.url, content_type=page.content_type)
    except ParseError:
        return None, None
    return article.title, article.published


def _right(pages: list[GoldPage], field: str) -> list[str]:
    right = []
    for page in pages:
        title, published = _parsed(page)
        if field == "title" and same_title(title, page.gold["title"]):
            right.append(page.name)
        if field == "published" and same_date(published, page.gold["published"]):
            right.append(page.name)
    return right


@pytest.mark.parametrize(
    ("folder", "field", "total", "floor"),
    [
        ("fundus", "title", 16, FUNDUS_TITLES_FLOOR),
        ("fundus", "published", 16, FUNDUS_DATES_FLOOR),
        ("htmldate", "published", 22, HTMLDATE_DATES_FLOOR),
    ],
)
def test_real_pages_floor(folder: str, field: str, total: int, floor: int) -> None:
    pages = gold_pages(REALWORLD / folder, field)
    assert len(pages) == total
    right = _right(pages, field)
    assert len(right) >= floor, f"{len(right)}/{total}; right: {right}"


@pytest.mark.parametrize("page", gold_pages(AGENCY, "title"), ids=lambda p: p.name)
def test_agency_page_title_and_date_exact(page: GoldPage) -> None:
    title, published = _parsed(page)
    assert title == page.gold["title"]
    assert published == page.gold["published"]


def test_agency_set_covers_every_kind_of_miss() -> None:
    pages = gold_pages(AGENCY, "title")
    assert len(pages) >= 27
    undated = [p for p in pages if p.gold["published"] is None]
    timed = [p for p in pages if "T" in (p.gold["published"] or "")]
    assert len(undated) >= 3 and len(timed) >= 6
    assert all(t.endswith(("+07:00", "+00:00")) for t in (p.gold["published"] for p in timed))
    text = "".join(decode_html(p.html.read_bytes(), p.content_type) for p in pages)
    for marker in ("๒๕๖๓", "<title>::", "ศุกร์ที่", "ลงข่าวเมื่อ", "--25 ส.ค. 63--", "[14/12/59]"):
        assert marker in text


def test_same_date_rules() -> None:
    assert same_date("2025-01-13T21:37:00+09:00", "2025-01-13 21:37:00+09:00")
    assert same_date("2025-01-13T12:37:00+00:00", "2025-01-13 21:37:00+09:00")
    assert same_date("2024-04-24", "2024-04-24 00:00:00")
    assert not same_date("2024-04-23", "2024-04-24 00:00:00")
    assert same_date(None, None) and not same_date("2020-01-01", None)
    assert same_title("宮崎県で震度5弱\u3000気象庁", "宮崎県で震度5弱 気象庁")
    assert not same_title("宮崎県で震度5弱 気象庁：朝日新聞デジタル", "宮崎県で震度5弱 気象庁")
