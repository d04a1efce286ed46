"""Word-level Thai diffs and their text / json / html renderings."""

from __future__ import annotations

import itertools
import json
import random
from difflib import SequenceMatcher

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pythainlp.tokenize import word_tokenize

from archive import Archive, UnknownFormatError, VersionNotFoundError
from archive.diff import DiffOp, diff_versions, merge_ops, word_diff
from archive.diff_render import render
from crawler.demo.site import SEED_FILES, load_seed
from parsers import parse_bytes
from tests.archive_helpers import ARTICLE_URL, page, record

SCRIPT_URL = "https://www.opdc.go.th/content/1300"

# pieces of real OPDC sentences, spaces and line breaks: what edited Thai news is made of
_PIECES = st.sampled_from(
    [
        "สำนักงาน",
        "ก.พ.ร.",
        "พัฒนา",
        "ระบบราชการ",
        "ประชาชน",
        "บริการ",
        "๒๕๖๓",
        "70",
        "Thai Reach",
        " ",
        "\n",
        "“",
        "”",
        "(",
        ")",
        "จังหวัดร้อยเอ็ด",
        "นวัตกรรม",
        "\u200b",
    ]
)
_TEXT = st.lists(_PIECES, max_size=30).map("".join)


@settings(max_examples=60, deadline=None)
@given(old=_TEXT, new=_TEXT)
def test_ops_rebuild_both_texts_exactly(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert "".join(op.old for op in ops) == old
    assert "".join(op.new for op in ops) == new
    for op in ops:
        assert op.op in ("equal", "insert", "delete", "replace")
        assert (op.old == op.new) == (op.op == "equal")


def test_thai_sentence_edit_is_marked_word_by_word(sqlite_arch: Archive) -> None:
    record(sqlite_arch, "opdc_v1.html", 0)
    record(sqlite_arch, "opdc_v2_sentence.html", 1)
    diff = diff_versions(sqlite_arch, ARTICLE_URL)
    assert (diff.from_version, diff.to_version) == (1, 2)
    changed = [op for op in diff.ops if op.op != "equal"]
    assert {op.old for op in changed} >= {"ถึง", "๗๐"}
    assert {op.new for op in changed} >= {"กว่า", "๕๐"}
    # untouched paragraphs stay whole equal runs
    assert any(op.op == "equal" and "ป่าดงทำเลดอนใหญ่" in op.old for op in diff.ops)
    out = render(diff, "text")
    assert "มีราคาถูกลง[-ถึง-]{+กว่า+} [-๗๐-]{+๕๐+} เท่า" in out
    assert out.rstrip().endswith("9 words added, 2 words removed")
    assert out.startswith(f"diff article {diff.article_id} {ARTICLE_URL}\n--- version 1 (")


def test_title_change_shows_in_the_diff(sqlite_arch: Archive) -> None:
    for hours, name in enumerate(["opdc_v1.html", "opdc_v2_sentence.html", "opdc_v3_title.html"]):
        record(sqlite_arch, name, hours)
    data = json.loads(render(diff_versions(sqlite_arch, ARTICLE_URL), "json"))
    assert (data["from"], data["to"]) == (2, 3)
    assert data["ops"][0]["op"] == "equal" and data["ops"][0]["old"] == "สำนักงาน ก.พ.ร. "
    assert any("พาสื่อมวลชน" in op["new"] for op in data["ops"] if op["op"] != "equal")
    assert set(data["ops"][0]) == {"op", "old", "new"}
    whole = json.loads(
        render(diff_versions(sqlite_arch, "1", from_version=1, to_version=3), "json")
    )
    assert (whole["from"], whole["to"]) == (1, 3)
    assert whole["words_added"] > data["words_added"]


def test_html_diff_escapes_markup_in_scraped_text(sqlite_arch: Archive) -> None:
    record(sqlite_arch, "script_v1.html", 0, url=SCRIPT_URL)
    record(sqlite_arch, "script_v2.html", 1, url=SCRIPT_URL)
    page = render(diff_versions(sqlite_arch, SCRIPT_URL), "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;" in page and "onerror=alert(2)&gt;</ins>" in page
    assert "<del>" in page and "<ins>" in page
    assert '<meta charset="utf-8">' in page


def test_default_needs_two_versions_and_ranges_are_checked(sqlite_arch: Archive) -> None:
    record(sqlite_arch, "opdc_v1.html", 0)
    with pytest.raises(VersionNotFoundError, match="no version before version 1"):
        diff_versions(sqlite_arch, ARTICLE_URL)
    record(sqlite_arch, "opdc_v2_sentence.html", 1)
    with pytest.raises(VersionNotFoundError, match="there is no version 7"):
        diff_versions(sqlite_arch, ARTICLE_URL, to_version=7)
    with pytest.raises(VersionNotFoundError, match="there is no version 0"):
        diff_versions(sqlite_arch, ARTICLE_URL, from_version=0)
    same = diff_versions(sqlite_arch, ARTICLE_URL, from_version=2, to_version=2)
    assert [op.op for op in same.ops] == ["equal"] and same.words_added == 0


def test_unknown_format_lists_the_known_ones(sqlite_arch: Archive) -> None:
    record(sqlite_arch, "opdc_v1.html", 0)
    record(sqlite_arch, "opdc_v2_sentence.html", 1)
    with pytest.raises(UnknownFormatError, match="use one of html, json, text"):
        render(diff_versions(sqlite_arch, ARTICLE_URL), "pdf")


# --- the same ops as the difflib diff before rapidfuzz -------------------------------------


def difflib_word_diff(old: str, new: str) -> list[DiffOp]:
    """word_diff as it was: difflib on the lines, then on newmm's tokens of whole paragraphs."""
    ops: list[DiffOp] = []
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag != "replace":
            ops.append(DiffOp(tag, old_part, new_part))
            continue
        words_a = word_tokenize(old_part, engine="newmm", keep_whitespace=True)
        words_b = word_tokenize(new_part, engine="newmm", keep_whitespace=True)
        matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
        ops += [
            DiffOp(t, "".join(words_a[k1:k2]), "".join(words_b[l1:l2]))
            for t, k1, k2, l1, l2 in matcher.get_opcodes()
        ]
    return merge_ops(ops)


def seed_paragraphs() -> list[str]:
    return [p for name in SEED_FILES for p in load_seed(name).paragraphs]


def edited(text: str, seed: int, edits: int, kinds: str) -> str:
    """An editor's changes at random words: text inside a word, a word replaced, a syllable cut,
    a phrase added after a word."""
    rnd = random.Random(seed)
    words = text.split(" ")
    for _ in range(edits):
        i = rnd.randrange(len(words))
        word, kind = words[i], rnd.choice(kinds)
        if kind == "inside":
            words[i] = word[: len(word) // 2] + "แก้ไขใหม่" + word[len(word) // 2 :]
        elif kind == "replaced":
            words[i] = "ข้อความใหม่"
        elif kind == "cut":
            words[i] = word.replace("การ", "", 1)
        else:
            words[i] = word + " เพิ่มวลี"
    return " ".join(words)


EDITS = ("inside", "replaced", "cut", "phrase")


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("joiner", [" ", "\n"], ids=["one paragraph", "paragraphs"])
def test_same_ops_as_difflib_on_edited_articles(seed: int, joiner: str) -> None:
    # the demo's five articles, 3,000 words, as one paragraph (the 1-second case)
    old = joiner.join(seed_paragraphs())
    new = edited(old, seed, edits=1 + seed, kinds=EDITS)
    assert word_diff(old, new) == difflib_word_diff(old, new)


def test_same_ops_as_difflib_on_the_fixture_versions() -> None:
    texts = [
        parse_bytes(page(name)).text
        for name in ("opdc_v1.html", "opdc_v2_sentence.html", "opdc_v3_title.html")
    ]
    for old, new in itertools.permutations(texts, 2):
        assert word_diff(old, new) == difflib_word_diff(old, new)
