"""Word segmentation for diffs and search: Thai by pythainlp, other scripts on whitespace."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")  # never let pythainlp reach for the network

_OTHER_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")
_SPACE_RUN_RE = re.compile(r"[ \t]+")  # newmm's own class of spaces: one token per run


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[..., list[str]]:  # imported lazily: the dictionary load costs ~0.5 s
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


@lru_cache(maxsize=1)
def _spaced_words() -> dict[tuple[str, str], list[tuple[str, int]]]:
    """Dictionary words with spaces inside ("ไป ๆ มา ๆ", "วอชิงตัน ดี.ซี.") by the characters
    either side of each space run ("" past an end): (word, where the run starts in it)."""
    from pythainlp.corpus import thai_words

    index: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for word in thai_words():
        for match in _SPACE_RUN_RE.finditer(word):
            start, end = match.span()
            key = (word[start - 1 : start], word[end : end + 1])
            index.setdefault(key, []).append((word, start))
    return index


def split_phrases(text: str) -> list[str]:
    """Cut ``text`` into phrases and the space runs between them, joined back exactly.

    newmm reads a text left to right and settles on one path at every space no dictionary
    word spans, so it segments each phrase alone exactly as it does inside the whole text
    (tests/test_parsers_segment.py checks this on every fixture). Runs inside a dictionary
    word with spaces ("ต่าง ๆ" is not one; "ไป ๆ มา ๆ" is) stay inside their phrase.
    """
    index = _spaced_words()
    pieces: list[str] = []
    start = 0
    for match in _SPACE_RUN_RE.finditer(text):
        begin, end = match.span()
        before, after = text[begin - 1 : begin], text[end : end + 1]
        candidates = [
            entry
            for key in ((before, after), (before, ""), ("", after), ("", ""))
            for entry in index.get(key, ())
        ]
        if any(begin >= at and text.startswith(word, begin - at) for word, at in candidates):
            continue
        if begin > start:
            pieces.append(text[start:begin])
        pieces.append(text[begin:end])
        start = end
    if start < len(text):
        pieces.append(text[start:])
    return pieces


@lru_cache(maxsize=16384)  # a diff's two sides and a re-index share most of their phrases
def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """Return the newmm words and spaces of one phrase, cached: phrases repeat across versions."""
    return tuple(_tokenizer()(phrase, engine="newmm", keep_whitespace=True))


def split_words(text: str) -> list[str]:
    """Return tokens whose concatenation is exactly ``text``: words, spaces and punctuation.

    pythainlp's newmm segments Thai (which has no spaces between words) and keeps
    abbreviations such as "ก.พ.ร." whole; other scripts come out as whitespace runs, word runs
    and punctuation, so a diff can keep the layout. Segmented phrase by phrase (see
    :func:`split_phrases`): the same tokens as newmm on the whole text, in time linear in its
    length (newmm on one 17,000-character paragraph took 150 ms), and a phrase met again is
    not segmented again.
    """
    if not text:
        return []
    tokens = [token for phrase in split_phrases(text) for token in phrase_tokens(phrase)]
    if "".join(tokens) != text:  # never lose a character, whatever the tokenizer did
        return _OTHER_TOKEN_RE.findall(text)
    return tokens


def is_word(token: str) -> bool:
    """Return True for tokens a reader counts as words (not whitespace or lone punctuation)."""
    return bool(token.strip()) and any(ch.isalnum() for ch in token)


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


def thai_word_share(text: str) -> float:
    """Return the share of the Thai letters in ``text`` that fall in dictionary words.

    Real Thai segments almost wholly into words of the dictionary (0.98 on the project's
    pages and the real TIS-620 feeds); Chinese or Japanese bytes read as windows-874 give
    runs of Thai letters that look like Thai but segment into almost nothing (below 0.2).
    """
    tokens = _tokenizer()(text, engine="newmm", keep_whitespace=False)
    letters = in_words = 0
    words = _dictionary()
    for token in tokens:
        thai = sum(1 for ch in token if "\u0e01" <= ch <= "\u0e4e")
        letters += thai
        if thai and len(token) > 1 and token in words:
            in_words += thai
    return in_words / letters if letters else 0.0
