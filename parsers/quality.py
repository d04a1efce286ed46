"""Extraction quality as the article-extraction-benchmark scores it: 4-token shingle F1.

Tokens are ``\\w+`` runs for the public (mostly English) set; for Thai, where ``\\w+`` would
swallow a whole clause, pythainlp's words; for the real-world pages in scripts without spaces
(``tests/fixtures/realworld``), character bigrams. Precision and recall are averaged over pages and
F1 is taken from the two averages, as the benchmark does, so the bench and the quality floor
test report numbers comparable with published ones.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from parsers.segment import is_word, split_words

SHINGLE_SIZE = 4
UNSPACED_SHARE = 0.3  # text with more of its letters in Thai/CJK scripts is scored by bigrams
_WORD_RE = re.compile(r"\w+")
# Thai, kana, CJK ideographs, Hangul: scripts whose text \w+ would not cut into words
_UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_UNSPACED_RE = re.compile(f"[{_UNSPACED}]")
# Korean puts spaces between words; Thai, Chinese and Japanese do not
_NO_SPACE_LETTER = "\u0e01-\u0e4e\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_RE = re.compile(f"(?<=[{_NO_SPACE_LETTER}])[ \u3000]+(?=[{_NO_SPACE_LETTER}])")

Tokenizer = Callable[[str], list[str]]


def word_tokens(text: str) -> list[str]:
    """Return the benchmark's tokens: runs of word characters."""
    return _WORD_RE.findall(text or "")


def bigram_tokens(text: str) -> list[str]:
    """Return the character bigrams of text's word characters (spaces and punctuation dropped).

    For Chinese, Japanese, Korean and Thai, as ``../shared/realworld/SOURCES.md`` scores them:
    no dictionary needed, and a word split by a stray space still matches.
    """
    letters = "".join(_WORD_RE.findall(text or ""))
    return [letters[i : i + 2] for i in range(len(letters) - 1)]


def tokenizer_for(text: str) -> Tokenizer:
    """Return bigram_tokens for text mostly in a script written without spaces, else words."""
    letters = _WORD_RE.findall(text or "")
    total = sum(map(len, letters))
    unspaced = sum(len(_UNSPACED_RE.findall(run)) for run in letters)
    return bigram_tokens if total and unspaced / total > UNSPACED_SHARE else word_tokens


def spaces_between_letters(text: str) -> int:
    """Count spaces between two Thai, Chinese or Japanese letters (scripts without spaces)."""
    return len(_SPACE_BETWEEN_RE.findall(text or ""))


def thai_tokens(text: str) -> list[str]:
    """Return pythainlp words (punctuation and spaces dropped) for Thai text."""
    return [t for t in split_words(text or "") if is_word(t)]


def _shingles(text: str, tokenize: Tokenizer) -> Counter[tuple[str, ...]]:
    tokens = tokenize(text)
    count = max(1, len(tokens) - SHINGLE_SIZE + 1)
    return Counter(tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(count) if tokens[i:])


def shingle_match(
    expected: str, predicted: str, tokenize: Tokenizer = word_tokens
) -> tuple[float, float, float]:
    """Return (tp, fp, fn) over shingles, normalised to sum to 1 so every page weighs the same."""
    true, pred = _shingles(expected, tokenize), _shingles(predicted, tokenize)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    if total:
        return tp / total, fp / total, fn / total
    return 0.0, 0.0, 0.0


def body_match(
    expected: str, predicted: str, *, prefix: bool = False
) -> tuple[float, float, float]:
    """Return shingle_match with the tokens fit for ``expected``'s script.

    ``prefix`` says the gold is only the start of the body (goose3's): then nothing predicted
    beyond it can be judged, and only recall counts.
    """
    tp, fp, fn = shingle_match(expected, predicted, tokenizer_for(expected))
    if not prefix:
        return tp, fp, fn
    total = tp + fn
    return (tp / total, 0.0, fn / total) if total else (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Score:
    """Precision and recall averaged over pages, and F1 of the two averages."""

    precision: float
    recall: float
    f1: float
    pages: int


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def score_pages(matches: Iterable[tuple[float, float, float]]) -> Score:
    """Return the benchmark's averaged precision, recall and F1 for per-page matches."""
    matches = list(matches)
    precisions = [_precision(*m) for m in matches if m[0] + m[1] > 0]
    recalls = [_recall(*m) for m in matches if m[0] + m[2] > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, len(matches))
