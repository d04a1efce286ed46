"""Text joins as a browser renders: markup alone never changes an article's text or hash.

The property test edits the real prachatai page (tests/fixtures/thai-html, see the README
there) the way a CMS or an editor re-saving a page does: a run of the body wrapped in an
inline element, an inline element removed, attributes changed. None of it may change the
extracted text or the content hash, and no space may appear between two Thai letters.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from parsers import parse_bytes, parse_html
from parsers.render import element_lines, element_text

THAI_HTML = Path(__file__).resolve().parent / "fixtures" / "thai-html"
PRACHATAI = THAI_HTML / "newspaper4k" / "prachatai_thai_article.html"
INLINE_TAGS = (
    "a",
    "b",
    "strong",
    "span",
    "em",
    "i",
    "u",
    "font",
    "small",
    "sub",
    "sup",
    "abbr",
    "mark",
    "code",
    "q",
    "cite",
    "s",
    "strike",
    "del",
    "ins",
    "time",
    "label",
    "big",
    "kbd",
    "var",
    "dfn",
    "bdi",
)
# Attributes an editor changes without meaning anything: styling, data, language, ids of the
# "c-1234" kind a CMS generates (a class named "share" or "sidebar" is a real change).
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["class", "id", "style", "title", "lang", "data-x", "dir"]),
    st.one_of(
        st.from_regex(r"c-[0-9]{1,6}", fullmatch=True),
        st.sampled_from(["color: #c00", "font-weight: bold", "th", "ltr", "ภาพ"]),
    ),
    max_size=3,
)
THAI_GAP_RE = re.compile("[\u0e01-\u0e4e] +[\u0e01-\u0e4e]")


def _fragment(html: str) -> etree._Element:
    return etree.fromstring(f"<html><body>{html}</body></html>", etree.HTMLParser())[0]


@pytest.mark.parametrize(
    ("html", "lines"),
    [
        ("<p><b>คณะกรรมการ</b>พัฒนาระบบราชการ</p>", ["คณะกรรมการพัฒนาระบบราชการ"]),
        (
            "<p>สำนักงาน<a href='/x'>ก.พ.ร.</a><span>จัด</span><font>งาน</font></p>",
            ["สำนักงานก.พ.ร.จัดงาน"],
        ),
        ("<p><b>a</b>\n<i>b</i>\t<u>c</u></p>", ["a b c"]),  # a newline in the source is a space
        (
            "<p>  บรรทัด<br>ใหม่  </p><div>อีก<p>ย่อหน้า</p>หนึ่ง</div>",
            ["บรรทัด", "ใหม่", "อีก", "ย่อหน้า", "หนึ่ง"],
        ),
        ("<p>ก่อน<!-- comment -->หลัง</p>", ["ก่อนหลัง"]),
        ("<p>\u200bศูนย์&nbsp;\u00a0ราชการ</p>", ["ศูนย์ ราชการ"]),  # as normalisation folds them
    ],
)
def test_lines_as_a_browser_shows_them(html: str, lines: list[str]) -> None:
    assert element_lines(_fragment(html)) == lines


def test_a_headline_reads_as_one_line() -> None:
    assert element_text(_fragment("<h1>ข่าว<b>ก.พ.ร.</b><br>ฉบับที่ 1</h1>")) == "ข่าวก.พ.ร. ฉบับที่ 1"
    page = "<html><body><h1>สำนักงาน<em>ก.พ.ร.</em>แถลง</h1>"
    page += "<p>" + "เนื้อหาข่าวที่ยาวพอจะเป็นย่อหน้าหนึ่งของบทความ " * 3 + "</p></body></html>"
    assert parse_html(page).title == "สำนักงานก.พ.ร.แถลง"


def test_the_beautifulsoup_fallback_joins_the_same_way(fixtures_dir: Path) -> None:
    page = (fixtures_dir / "parsers" / "deeply_nested.html").read_text(encoding="utf-8")
    wrapped = page.replace("สำนักงาน ก.พ.ร.", "<b>สำนักงาน</b>\n<span>ก.พ.ร.</span>", 1)
    assert parse_html(wrapped).content_hash == parse_html(page).content_hash


# --- the property, on the real page -----------------------------------------------------------


def _body_paragraphs(root: etree._Element) -> list[etree._Element]:
    return root.xpath('//div[contains(@class, "field-name-body")]//p')


def _text_slots(root: etree._Element) -> list[tuple[etree._Element, str]]:
    """(element, "text" or "tail") for every non-empty text node inside the body paragraphs."""
    slots = []
    for paragraph in _body_paragraphs(root):
        for el in paragraph.iter():
            if el is not paragraph and (el.tail or "").strip():
                slots.append((el, "tail"))
            if (el.text or "").strip():
                slots.append((el, "text"))
    return slots


def _wrap(root: etree._Element, draw_index: int, start: float, length: float, tag: str, attrs):
    slots = _text_slots(root)
    el, where = slots[draw_index % len(slots)]
    text = getattr(el, where)
    begin = int(start * len(text))
    # a link around a whole paragraph makes it navigation; an editor links a word or two
    span = max(1, int(length * len(text) * (0.1 if tag == "a" else 1.0)))
    end = min(len(text), begin + span)
    new = etree.Element(tag, {k: v for k, v in attrs.items()})
    new.text, new.tail = text[begin:end], text[end:]
    setattr(el, where, text[:begin])
    if where == "text":
        el.insert(0, new)
    else:
        el.addnext(new)


def _inline_elements(root: etree._Element) -> list[etree._Element]:
    return [
        el
        for paragraph in _body_paragraphs(root)
        for el in paragraph.iter(*INLINE_TAGS)
        if el.tag != "a"  # unlinking a related-news link turns navigation into text
    ]


def _unwrap(root: etree._Element, draw_index: int) -> None:
    """Remove one inline element, keeping its text and children where they were."""
    found = _inline_elements(root)
    if not found:
        return
    el = found[draw_index % len(found)]
    parent, previous, children = el.getparent(), el.getprevious(), list(el)
    if previous is not None:
        previous.tail = (previous.tail or "") + (el.text or "")
    else:
        parent.text = (parent.text or "") + (el.text or "")
    for offset, child in enumerate(children):
        parent.insert(parent.index(el) + offset, child)
    last = children[-1] if children else previous
    if last is not None:
        last.tail = (last.tail or "") + (el.tail or "")
    else:
        parent.text = (parent.text or "") + (el.tail or "")
    parent.remove(el)


def _reattribute(root: etree._Element, draw_index: int, attrs) -> None:
    found = _inline_elements(root)
    if found:
        el = found[draw_index % len(found)]
        el.attrib.clear()
        el.attrib.update(attrs)


operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("wrap"),
            st.integers(0, 10_000),
            st.floats(0, 1),
            st.floats(0, 1),
            st.sampled_from(INLINE_TAGS),
            ATTRIBUTES,
        ),
        st.tuples(st.just("unwrap"), st.integers(0, 10_000)),
        st.tuples(st.just("reattribute"), st.integers(0, 10_000), ATTRIBUTES),
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def prachatai() -> tuple[bytes, object]:
    raw = PRACHATAI.read_bytes()
    return raw, parse_bytes(raw)


def _reserialised(raw: bytes, ops) -> bytes:
    root = etree.fromstring(raw, etree.HTMLParser())
    for op in ops:
        if op[0] == "wrap":
            _wrap(root, *op[1:])
        elif op[0] == "unwrap":
            _unwrap(root, op[1])
        else:
            _reattribute(root, *op[1:])
    return etree.tostring(root, method="html", encoding="utf-8")


def test_the_page_reserialised_unchanged_keeps_its_hash(prachatai) -> None:
    raw, original = prachatai
    assert parse_bytes(_reserialised(raw, [])).content_hash == original.content_hash
    assert _text_slots(etree.fromstring(raw, etree.HTMLParser()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_inline_markup_never_changes_text_or_hash(prachatai, ops) -> None:
    raw, original = prachatai
    edited = parse_bytes(_reserialised(raw, ops))
    assert edited.text == original.text
    assert edited.title == original.title
    assert edited.content_hash == original.content_hash
    assert THAI_GAP_RE.findall(edited.text) == THAI_GAP_RE.findall(original.text)


def test_wrapping_a_word_in_a_link_adds_no_space(prachatai) -> None:
    """The measured case: "ทางการเมือง" linked, once made a version whose diff was two spaces."""
    raw, original = prachatai
    linked = raw.replace(
        "ทางการเมือง".encode(), '<a href="/tags/politics">ทางการเมือง</a>'.encode(), 1
    )
    assert linked != raw
    edited = parse_bytes(linked)
    assert edited.content_hash == original.content_hash
    assert "นักเคลื่อนไหวทางการเมืองที่ลี้ภัย" in edited.text
    assert THAI_GAP_RE.findall(edited.text) == THAI_GAP_RE.findall(original.text)
