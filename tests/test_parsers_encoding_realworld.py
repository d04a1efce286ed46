"""Decoding real pages in legacy encodings without a declaration: never taken for Thai.

Windows-874 assigns a Thai letter to most bytes above 0x80, so Chinese, Japanese and Korean
bytes decode "cleanly" as Thai-looking garbage; the decoder must read them as what they are,
while every undeclared Thai page still decodes as windows-874. Real material only: the
Common Crawl and ClueWeb WARC records as served (GB2312, GBK, EUC-JP, windows-1251, Latin-1),
with their declarations removed; and the real Chinese, Japanese and Korean news pages of
``tests/fixtures/realworld`` in the legacy codec a site in their language would use.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from parsers import decode_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REALWORLD = FIXTURES / "realworld"
_DECLARATION_RE = re.compile(rb"(?i)(charset\s*=\s*[\"']?|encoding\s*=\s*[\"'])[A-Za-z0-9_.:-]+")
# The legacy codec browsers use for each language's old pages (WHATWG names in brackets).
LEGACY = {"ja": "cp932", "ko": "cp949", "zh-cn": "gb18030", "zh-tw": "big5hkscs"}
_LANG_BY_HOST = (
    (re.compile(r"\.(?:jp)/|japannews|nhk"), "ja"),
    (re.compile(r"\.(?:kr)/|hankookilbo|naver|chosun|daejonilbo"), "ko"),
    (re.compile(r"\.tw/|taipeitimes|udn\.com|upmedia"), "zh-tw"),
    (re.compile(r"\.cn/|baidu|sohu|xinhuanet|banyuetan"), "zh-cn"),
)


def _undeclared(body: bytes) -> bytes:
    return _DECLARATION_RE.sub(lambda m: m.group(1) + b"x-none", body)


def _warc_pages() -> list[tuple[str, bytes, str]]:
    pages = []
    for path in sorted((REALWORLD / "warc").glob("chatnoir-*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response":
                    continue
                body = record.content_stream().read()
                content_type = record.http_headers.get_header("Content-Type") or ""
                text, codec = decode_bytes(body, content_type)
                if not body.isascii() and not codec.startswith("utf"):
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    pages.append((url, body, text))
    return pages


def _language(url: str) -> str | None:
    return next((lang for pattern, lang in _LANG_BY_HOST if pattern.search(url)), None)


def _cjk_pages() -> list[tuple[str, str, str]]:
    pages = []
    for gold in sorted(REALWORLD.rglob("*.gold.json")):
        lang = _language(json.loads(gold.read_text(encoding="utf-8"))["url"])
        if lang:
            html = gold.with_name(gold.name.removesuffix(".gold.json") + ".html")
            pages.append((html.name, decode_bytes(html.read_bytes())[0], LEGACY[lang]))
    return pages


WARC_PAGES = _warc_pages()
CJK_PAGES = _cjk_pages()


def test_the_real_material_is_there() -> None:
    assert len(WARC_PAGES) >= 35  # 29 EUC-JP, 6 GB2312/GBK, windows-1251, Latin-1
    assert len(CJK_PAGES) >= 30
    assert {codec for _, _, codec in CJK_PAGES} == set(LEGACY.values())


@pytest.mark.parametrize(("url", "body", "declared"), WARC_PAGES, ids=lambda v: str(v)[:40])
def test_undeclared_legacy_page_is_read_as_declared(url: str, body: bytes, declared: str) -> None:
    text, codec = decode_bytes(_undeclared(body))
    assert codec != "cp874"
    if re.search(rb"[\x80-\xff]{2}", body[: body.find(b"</title>")]):
        title = re.search(r"<title>(.*?)</title>", declared, re.S | re.I)
        assert title and title.group(1) in text  # the same words, not just the same script


@pytest.mark.parametrize(("name", "original", "codec"), CJK_PAGES, ids=lambda v: str(v)[:30])
def test_real_cjk_page_in_its_legacy_codec_is_not_thai(
    name: str, original: str, codec: str
) -> None:
    body = _undeclared(original.encode(codec, errors="xmlcharrefreplace"))
    text, found = decode_bytes(body)
    assert found != "cp874"
    assert text == body.decode(codec)


def test_undeclared_thai_feeds_and_pages_stay_windows_874() -> None:
    bodies = [p.read_bytes() for p in (REALWORLD / "feeds" / "chardet" / "TIS-620").glob("*.xml")]
    bodies += [p.read_bytes() for p in (FIXTURES / "agency").glob("*.html")]
    bodies += [p.read_bytes() for p in (FIXTURES / "pages").glob("*.html")]
    thai = [b for b in bodies if not b.isascii() and _is_cp874(b)]
    assert len(thai) >= 15
    for body in thai:
        assert decode_bytes(_undeclared(body))[1] == "cp874"


def _is_cp874(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
