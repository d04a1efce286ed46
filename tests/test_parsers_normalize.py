"""normalize_text calls pythainlp only where a rule can apply: it must equal calling it always."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.normalize import (
    _HSPACE_RE,
    _INVISIBLE_RE,
    _NEWLINES_RE,
    _thai_normalize,
    normalize_text,
    normalize_text_settled,
)


def reference(text: str) -> str:
    """normalize_text as it would be with pythainlp's normaliser run on every line."""
    out = []
    for line in _NEWLINES_RE.sub("\n", text).split("\n"):
        line = unicodedata.normalize("NFC", line)
        line = _HSPACE_RE.sub(" ", _INVISIBLE_RE.sub("", line)).strip()
        if line:
            line = _HSPACE_RE.sub(" ", _thai_normalize(line)).strip()
        if line:
            out.append(line)
    return "\n".join(out)


FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Thai with the marks pythainlp repairs (doubled vowels, sara am as nikhahit + aa, tone order),
# invisibles, no-break spaces, CRLF, and Latin text.
PIECES = [
    "ก",
    "เเ",
    "ํา",
    "่",
    "้",
    "ะะ",
    "ำ",
    " ",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "\r\n",
    "\n",
    "\t",
    "e\u0301",
    "ABC",
    "ข่าว",
    "๒๕๖๓",
    "  ",
    "\u00ad",
    "ๅ",
    "ฤๅ",
    "ิ",
    "ุ",
    "์",
    "๊๋",
]
# Every Thai code point on its own too: the quick path must know every rule pythainlp has.
THAI_CHARS = st.sampled_from([chr(c) for c in range(0x0E01, 0x0E5C)])
TEXTS = st.lists(
    st.one_of(st.sampled_from(PIECES), THAI_CHARS, THAI_CHARS, st.text(max_size=8)), max_size=40
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(TEXTS)
def test_quick_equals_reference(text: str) -> None:
    assert normalize_text(text) == reference(text)


def test_quick_equals_reference_on_every_fixture() -> None:
    for path in sorted(FIXTURES.glob("*/*.expected.json")):
        text = "\n".join(json.loads(path.read_text(encoding="utf-8"))["paragraphs"])
        assert normalize_text(text) == reference(text), path.name


@settings(max_examples=1000, deadline=None)
@given(TEXTS)
def test_settled_text_normalises_to_itself(text: str) -> None:
    """The parsers hash a settled body without normalising it again: it must be a fixed point."""
    once, settled = normalize_text_settled(text)
    assert once == normalize_text(text)
    if settled:
        assert normalize_text(once) == once


def test_settled_is_false_where_a_second_pass_changes_the_text() -> None:
    # pythainlp's normaliser is not idempotent; an invisible between a letter and its accent
    for text in ("กๅๅ", "e\u200b\u0301"):
        once, settled = normalize_text_settled(text)
        assert normalize_text(once) != once
        assert not settled


def test_settled_on_every_fixture() -> None:
    for path in sorted(FIXTURES.glob("*/*.expected.json")):
        text = "\n".join(json.loads(path.read_text(encoding="utf-8"))["paragraphs"])
        once, settled = normalize_text_settled(text)
        assert settled, path.name  # real article text needs one pass
        assert normalize_text(once) == once
