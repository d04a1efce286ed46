"""The five seed dumps: every body paragraph kept, every boilerplate line gone, title and dates.

Expected outputs are in tests/fixtures/seeds/*.expected.json, checked by hand against the
dumps in ../shared/seeds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import NotAPageError, normalize_line, parse_bytes, parse_text
from parsers.textclean import LineKind, classify_line, join_wrapped, strip_trailing_credit

SEED_EXPECTED = sorted((Path(__file__).resolve().parent / "fixtures" / "seeds").glob("*.json"))


def _load(expected_path: Path, shared_dir: Path) -> tuple[dict, str]:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    dump = (shared_dir / "seeds" / expected["source"]).read_text(encoding="utf-8")
    return expected, dump


@pytest.mark.parametrize("expected_path", SEED_EXPECTED, ids=lambda p: p.name[:3])
def test_seed_matches_hand_checked_output(expected_path: Path, shared_dir: Path) -> None:
    expected, dump = _load(expected_path, shared_dir)
    article = parse_text(dump)
    assert article.title == expected["title"]
    assert article.published == expected["published"]
    assert article.modified == expected["modified"]
    assert article.text.split("\n") == expected["paragraphs"]


@pytest.mark.parametrize("expected_path", SEED_EXPECTED, ids=lambda p: p.name[:3])
def test_seed_boilerplate_gone_and_sentences_kept(expected_path: Path, shared_dir: Path) -> None:
    expected, dump = _load(expected_path, shared_dir)
    article = parse_bytes(dump.encode("utf-8"), kind="text")
    for line in expected["gone"]:
        assert line not in article.text, line
    assert article.title not in article.text
    # Every long line of the dump that is not furniture survives, phrase by phrase (hard
    # wraps are joined, so compare the space-separated phrases, not whole lines).
    kept = article.text.replace("\n", " ")
    for raw in dump.splitlines():
        line = normalize_line(raw)
        if len(line) < 60 or line in article.title or any(g in line for g in expected["gone"]):
            continue
        for phrase in line.split(" "):
            assert phrase in kept, phrase


def test_seed_000_event_range_is_not_the_date(shared_dir: Path) -> None:
    article = parse_text((shared_dir / "seeds" / "000_ead1ab253e5448c1.txt").read_text())
    assert "10-11 กันยายน 2563" in article.text
    assert article.published == "2020-09-21"


def test_seed_002_hard_wraps_are_joined(shared_dir: Path) -> None:
    article = parse_text((shared_dir / "seeds" / "002_805748b4fbe59a1e.txt").read_text())
    assert "ยกระดับสู่ประเทศไทย 4.0” ภายในงาน" in article.text
    assert "ธันวาคม 2559 ณ ลานอเนกประสงค์" in article.text


def test_seed_003_keeps_about_section_drops_dateline(shared_dir: Path) -> None:
    article = parse_text((shared_dir / "seeds" / "003_5d58a339a5b62126.txt").read_text())
    assert "เกี่ยวกับ My Better Country" in article.text.split("\n")
    assert "--" not in article.text
    assert article.text.endswith("เพื่อประโยชน์สุขของ")


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("แชร์หน้านี้", LineKind.BOILERPLATE),
        ("ผู้ชม 126 ครั้ง", LineKind.BOILERPLATE),
        ("อ่าน 1,245 ครั้ง", LineKind.BOILERPLATE),
        ("Engine by shopup.com", LineKind.CUT),
        ("หมวดหมู่: OK MASS NEWS", LineKind.BOILERPLATE),
        ("Latest Press Release", LineKind.CUT),
        ("ข่าวล่าสุด", LineKind.CUT),
        ("Related Topics", LineKind.CUT),
        ("หน้าหลัก | ติดต่อ | ผังเว็บไซต์ | หน้าหลัก", LineKind.BOILERPLATE),
        ("ข่าวเด่น ก.พ.ร. / ปี 2551 / เมษายน / ก.พ.ร. เดินเครื่องต่อ", LineKind.BOILERPLATE),
        ("วสุนธรา & ภัทรพร ข.(สลธ.) / จัดทำ", LineKind.BOILERPLATE),
        ("สงวนลิขสิทธิ์โดยสำนักงานคณะกรรมการพัฒนาระบบราชการ", LineKind.BOILERPLATE),
        ("กรุงเทพฯ--6 ก.ย.--บียอนด์ โซลูชันส์", LineKind.BOILERPLATE),
        ("21 กันยายน 2563", LineKind.DATE),
        ("เกี่ยวกับ My Better Country", LineKind.TEXT),
        # subscription, member-only, newsletter and author boxes in four languages
        ("สมัครสมาชิกเพื่ออ่านข่าวนี้ต่อ", LineKind.BOILERPLATE),
        ("เนื้อหานี้สำหรับสมาชิกเท่านั้น", LineKind.BOILERPLATE),
        ("สมัครรับจดหมายข่าวจากสำนักงาน ก.พ.ร.", LineKind.BOILERPLATE),
        ("เกี่ยวกับผู้เขียน", LineKind.CUT),
        ("Subscribe now for unlimited access", LineKind.BOILERPLATE),
        ("Sign up for our daily newsletter", LineKind.BOILERPLATE),
        ("This article is only available to subscribers.", LineKind.BOILERPLATE),
        ("About the author", LineKind.CUT),
        ("立即订阅，获取会员专享内容", LineKind.BOILERPLATE),
        ("(责编：牛镛、岳弘彬)", LineKind.BOILERPLATE),
        ("相关新闻", LineKind.CUT),
        ("この記事は会員限定です。", LineKind.CUT),
        ("有料会員になると会員限定の有料記事もお読みいただけます。", LineKind.BOILERPLATE),
        ("ニュースレターの登録に失敗しました。", LineKind.BOILERPLATE),
        ("【関連記事】", LineKind.CUT),
        ("この記事を書いた人", LineKind.CUT),
        ("[PR]", LineKind.BOILERPLATE),
        ("$$ARTICLEAD$$", LineKind.BOILERPLATE),
        ("ทั้งนี้ สำนักงาน ก.พ.ร. ได้ส่งเสริมให้หน่วยงานของรัฐยกระดับ", LineKind.TEXT),
    ],
)
def test_classify_line(line: str, kind: LineKind) -> None:
    assert classify_line(line) is kind


def test_join_wrapped_closes_thai_and_spaces_other_scripts() -> None:
    assert join_wrapped(["พัฒนางานภาครัฐ ยก", "ระดับสู่ประเทศไทย"]) == "พัฒนางานภาครัฐ ยกระดับสู่ประเทศไทย"
    assert join_wrapped(["8 – 9 ธันวาคม 2559", "ณ ลาน"]) == "8 – 9 ธันวาคม 2559 ณ ลาน"


def test_trailing_credit_is_cut_at_the_unit_name() -> None:
    paragraph = "การร่วมกิจกรรมกับหน่วยงานต่างๆกลุ่มงานเลขานุการ ก.พ.ร. และการประชาสัมพันธ์ / จัดทำ"
    assert strip_trailing_credit(paragraph) == "การร่วมกิจกรรมกับหน่วยงานต่างๆ"
    assert strip_trailing_credit("ไม่มีเครดิต / ไม่ใช่") == "ไม่มีเครดิต / ไม่ใช่"


def test_dump_with_only_furniture_is_not_a_page() -> None:
    with pytest.raises(NotAPageError):
        parse_text("หน้าหลัก | ติดต่อ | ผังเว็บไซต์\nแชร์หน้านี้\nผู้ชม 5 ครั้ง\n")
