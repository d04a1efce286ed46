"""Bytes to text on Thai pages: declared in the header, in meta, nowhere, or wrongly."""

from __future__ import annotations

import codecs

import pytest

from parsers import BinaryInputError, EmptyInputError, decode_bytes, decode_html
from parsers.encoding import normalize_charset

THAI = "สำนักงานคณะกรรมการพัฒนาระบบราชการ (สำนักงาน ก.พ.ร.)\u00a0ยกระดับมาตรฐาน"


@pytest.mark.parametrize(
    "label", ["tis-620", "TIS620", "iso-8859-11", "windows-874", "x-windows-874", "cp874"]
)
def test_every_thai_label_is_cp874(label: str) -> None:
    assert normalize_charset(label) == "cp874"


def test_unknown_label_is_none() -> None:
    assert normalize_charset("x-no-such-charset") is None


def test_old_opdc_page_declared_in_meta_with_nbsp_bytes(fixtures_dir) -> None:
    raw = (fixtures_dir / "pages" / "opdc_old_tis620_meta.html").read_bytes()
    assert b"\xa0" in raw and b"charset=windows-874" in raw
    text, codec = decode_bytes(raw)
    assert codec == "cp874"
    assert "\ufffd" not in text
    assert "ก.พ.ร. เดินเครื่องต่อ" in text


def test_undeclared_windows_874_is_detected(fixtures_dir) -> None:
    raw = (fixtures_dir / "pages" / "opdc_old_tis620_undeclared.html").read_bytes()
    assert b"charset" not in raw.lower()
    text, codec = decode_bytes(raw)
    assert codec == "cp874"
    assert "มหกรรมงานบริการภาครัฐ" in text


def test_header_charset_wins_when_meta_is_absent(fixtures_dir) -> None:
    raw = (fixtures_dir / "pages" / "ryt9_release_tis620_header.html").read_bytes()
    text, codec = decode_bytes(raw, "text/html; charset=TIS-620")
    assert codec == "cp874"
    assert "My Better Country" in text and "\ufffd" not in text


def test_page_mislabelled_latin1_is_read_as_thai() -> None:
    raw = f'<meta charset="iso-8859-1"><p>{THAI}</p>'.encode("cp874")
    assert THAI in decode_html(raw)


def test_page_mislabelled_utf8_is_read_as_thai() -> None:
    raw = f'<meta charset="utf-8"><p>{THAI}</p>'.encode("cp874")
    assert THAI in decode_html(raw, "text/html; charset=utf-8")


def test_utf8_page_mislabelled_tis620_stays_utf8() -> None:
    raw = f'<meta charset="tis-620"><p>{THAI}</p>'.encode()
    assert THAI in decode_html(raw)


def test_latin1_page_is_not_mistaken_for_thai() -> None:
    raw = "<p>Le café de la gare, déjà très animé à l'été</p>".encode("latin-1")
    assert "café" in decode_html(raw, "text/html; charset=iso-8859-1")


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_decides(bom: bytes, codec: str) -> None:
    text = decode_html(bom + f"<p>{THAI}</p>".encode(codec))
    assert text.startswith("<p>") and THAI in text


def test_empty_and_whitespace_are_empty_input() -> None:
    for raw in (b"", b"   \r\n\t "):
        with pytest.raises(EmptyInputError):
            decode_bytes(raw)


@pytest.mark.parametrize(
    "raw", [b"%PDF-1.7\n%\xe2\xe3", b"\x89PNG\r\n\x1a\n\x00\x00", b"\x00\x01\x02\x03" * 50]
)
def test_binary_is_refused(raw: bytes) -> None:
    with pytest.raises(BinaryInputError):
        decode_bytes(raw)


# Sentences of a real People's Daily article (tests/fixtures/realworld/fundus) whose GB2312
# bytes all fall in windows-874's range: strictly, they "decode" as Thai letters.
PEOPLE_DAILY = (
    "中国与拉美和加勒比国家已开展长期、全面、务实的合作。"
    "涵盖了空间基础设施、深空探测与空间科学、航天产业链、外空全球治理和人才培养等多个方面。"
    "为建设航天强国和高水平中拉航天合作伙伴关系贡献力量。"
)


def test_chinese_that_decodes_as_thai_letters_is_still_chinese() -> None:
    raw = f"<html><body><p>{PEOPLE_DAILY}</p></body></html>".encode("gb2312")
    thai_looking = raw.decode("cp874")  # no error: every byte is a Thai code point
    assert sum("\u0e01" <= ch <= "\u0e5b" for ch in thai_looking) > 100
    text, codec = decode_bytes(raw)
    assert codec != "cp874"
    assert PEOPLE_DAILY in text


def test_label_read_as_browsers_read_it() -> None:
    assert normalize_charset("gb2312") == "gb18030"  # GBK pages are labelled gb2312
    assert normalize_charset("x-sjis") == "cp932"
    assert normalize_charset("ISO-8859-1") == "cp1252"
    raw = f"<meta charset='gb2312'><p>{PEOPLE_DAILY}镕</p>".encode("gbk")  # 镕: GBK, not GB2312
    assert PEOPLE_DAILY + "镕" in decode_html(raw)


def test_utf8_page_with_one_broken_sequence_stays_utf8() -> None:
    raw = f"<p>{THAI * 3}</p>".encode() + b"\xe0\xb8" + f"<p>{THAI}</p>".encode()
    text, codec = decode_bytes(raw)
    assert codec == "utf-8"
    assert text.count(THAI) == 4
