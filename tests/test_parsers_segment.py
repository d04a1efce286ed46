"""split_words segments phrase by phrase: it must give newmm's tokens for the whole text."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pythainlp.tokenize import word_tokenize

from parsers.segment import _spaced_words, split_phrases, split_words

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def whole(text: str) -> list[str]:
    """newmm on the whole text, as split_words called it before it went phrase by phrase."""
    return word_tokenize(text, engine="newmm", keep_whitespace=True)


def fixture_texts() -> list[str]:
    texts = [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "crawler" / "demo" / "data").glob("*.txt"))
    ]
    for path in sorted(FIXTURES.glob("*/*.expected.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        texts.append("\n".join(data.get("paragraphs", [])))
    texts += [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("thai-html/**/*.txt"))]
    return [t for t in texts if t.strip()]


def test_phrases_join_back_exactly() -> None:
    for text in fixture_texts():
        assert "".join(split_phrases(text)) == text


def test_same_tokens_as_newmm_on_the_whole_text_of_every_fixture() -> None:
    texts = fixture_texts()
    assert len(texts) >= 20
    for text in texts:
        assert split_words(text) == whole(text)
    # the demo's five articles as one paragraph: 17,000 characters, one newmm call before
    one = " ".join(" ".join(t.split("\n")) for t in texts[:5])
    assert split_words(one) == whole(one)


def test_a_dictionary_word_with_spaces_is_not_cut() -> None:
    text = "เขาเดินไป ๆ มา ๆ อยู่หน้าบ้าน ต่าง ๆ นานา เมื่อวอชิงตัน ดี.ซี. ประกาศ"
    assert "ไป ๆ มา ๆ" in "".join(p for p in split_phrases(text) if " " in p.strip())
    assert split_words(text) == whole(text)


# dictionary words with spaces inside, Thai words, numbers, Latin, spaces and tabs
_SPACED = sorted({word for entries in _spaced_words().values() for word, _ in entries})[::15]
_PIECES = st.sampled_from(
    [
        *_SPACED,
        "ไป",
        "มา",
        "ๆ",
        "ต่าง",
        "สำนักงาน",
        "ก.พ.ร.",
        "พัฒนาระบบราชการ",
        "ประชาชน",
        "1,234",
        "19:32",
        "Thai",
        "OPDC",
        " ",
        "  ",
        "\t",
        "\n",
        "“",
        "”",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_same_tokens_as_newmm_on_generated_text(text: str) -> None:
    assert split_words(text) == whole(text)
