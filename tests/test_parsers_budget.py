"""Issue 14, item 1: parsing is bounded. Markup nested far deeper than libxml2 reads is read
in one linear pass, and a page past the budget (time, elements) is an error, not a hang."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import parsers.api
from parsers import PageTooComplexError, parse_bytes, parse_page
from parsers.flat_text import flat_text

EXPECTED_LINES = [
    "สำนักงานคณะกรรมการพัฒนาระบบราชการ (สำนักงาน ก.พ.ร.) จัดประชุมหารือแนวทางพัฒนางานบริการ "
    "ตอบสนองความต้องการของประชาชน",
    "นางอารีพันธ์ เจริญสุข รองเลขาธิการ ก.พ.ร. เดินหน้าระดมความคิดเห็น รับทราบความต้องการของประชาชน",
]


def deeper(page: str, depth: int) -> str:
    """The saved page with its first div nested ``depth`` deep instead."""
    start = page.index("<div>")
    end = page.rindex("</div>") + len("</div>")
    inner = page[start:end].replace("<div>", "").replace("</div>", "")
    return page[:start] + "<div>" * depth + inner + "</div>" * depth + page[end:]


@pytest.fixture(scope="module")
def nested_page(fixtures_dir: Path) -> str:
    return (fixtures_dir / "parsers" / "deeply_nested.html").read_text(encoding="utf-8")


def test_a_hundred_thousand_nested_divs_are_read_in_seconds(nested_page: str) -> None:
    page = deeper(nested_page, 100_000).encode()
    started = time.monotonic()
    article = parse_page(page, url="https://www.opdc.go.th/x", content_type="text/html").article
    assert time.monotonic() - started < 10  # 1.4 s on the project machine; BeautifulSoup: ~30 min
    assert article.text.split("\n") == EXPECTED_LINES
    assert "not text" not in article.text


def test_depth_does_not_change_what_is_read(nested_page: str) -> None:
    hashes = {parse_bytes(deeper(nested_page, n).encode()).content_hash for n in (300, 5_000)}
    assert hashes == {parse_bytes(nested_page.encode()).content_hash}


def test_a_page_past_its_time_limit_is_too_complex(nested_page: str) -> None:
    with pytest.raises(PageTooComplexError, match="too complex"):
        parse_page(deeper(nested_page, 20_000).encode(), time_limit=0.0)


def test_a_page_with_more_elements_than_any_news_page_is_too_complex(
    nested_page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsers.api, "MAX_ELEMENTS", 50)
    with pytest.raises(PageTooComplexError, match="elements"):
        parse_page(nested_page.replace("<p>", "<p>" + "<b></b>" * 60, 1).encode())


def test_flat_text_joins_as_the_tree_did() -> None:
    text = flat_text(
        "<div>ข่าว<b>ก.พ.ร.</b>\n  แถลง<br>บรรทัดสอง<script>x()</script>"
        "<ruby>漢<rt>かん</rt></ruby><span><p>ย่อหน้า</div>ท้าย</span>"
    )
    assert [line for line in text.split("\n") if line] == [
        "ข่าวก.พ.ร. แถลง",
        "บรรทัดสอง漢",
        "ย่อหน้า",
        "ท้าย",
    ]
