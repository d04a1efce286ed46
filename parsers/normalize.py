"""Thai-aware text normalisation, the ground truth for hashing and diffing.

Two renderings of one article (other boilerplate, other whitespace, ``&nbsp;`` or zero-width
spaces sprinkled in by an editor) must normalise to the same string, or the archive would
record versions that no reader could see.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from pythainlp.util import normalize as _thai_normalize

# Invisible characters editors and CMSs leave in Thai text: zero-width space / non-joiner /
# joiner, word joiner, BOM, soft hyphen. Removed outright (they never carry meaning here).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
# Every horizontal space, including no-break and the typographic ones, folds to one space.
_HSPACE_RE = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_NEWLINES_RE = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# Quick tests that the two above have nothing to change: one character class each, which the
# regex engine scans in its fast loop (an alternation is tried position by position).
_OTHER_HSPACE_RE = re.compile(r"[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_OTHER_NEWLINE_RE = re.compile(r"[\r\u2028\u2029\x85]")


def _pythainlp_trigger() -> Callable[[str], bool]:
    """Return a test that is True wherever pythainlp's ``normalize`` could change a line.

    Built from pythainlp's own character classes, for the rules of its normaliser (see
    ``pythainlp.util.normalize``), for a line that is already NFC, without invisibles, with
    single spaces and stripped: double Sara E; a tone mark or thanthakhat before an
    above/below vowel; nikhahit; a follow vowel before a tone mark; lakkhangyao; a repeated
    vowel or sign (spaces allowed between); two tone marks; a mark that dangles at the start or
    after a space. A line with none of these comes back from pythainlp unchanged.

    It runs on every line of every page, so each search starts with one character class,
    which the regex engine skips through in its own fast loop (an alternation is tried
    position by position: one alternative per rule was 5 times slower).
    """
    from pythainlp import (
        thai_above_vowels,
        thai_below_vowels,
        thai_follow_vowels,
        thai_lead_vowels,
        thai_tonemarks,
    )

    marks = f"{thai_above_vowels}{thai_below_vowels}"
    tones = thai_tonemarks
    no_repeat = f"{thai_follow_vowels}{thai_lead_vowels}{marks}\u0e3a\u0e4c\u0e4d\u0e4e"
    dangling = frozenset(f"{marks}{tones}\u0e3a\u0e4c\u0e4d\u0e4e")
    rare = re.compile("[\u0e4d\u0e45]")  # nikhahit, lakkhangyao: wherever they are
    repeated = re.compile(f"([{no_repeat}]) *\\1")  # a repeated vowel or sign (Sara E too)
    after_space = re.compile(f" [{''.join(sorted(dangling))}]")
    # either pair rule: (tone or thanthakhat, vowel mark), (follow vowel or tone, tone)
    pair = re.compile(f"[{tones}\u0e4c{thai_follow_vowels}](?=[{marks}{tones}])")
    before_mark, mark = frozenset(f"{tones}\u0e4c"), frozenset(marks)
    before_tone, tone = frozenset(f"{thai_follow_vowels}{tones}"), frozenset(tones)

    def fires(line: str) -> bool:
        if line[0] in dangling or rare.search(line) or repeated.search(line):
            return True
        if after_space.search(line):
            return True
        for match in pair.finditer(line):
            first, second = match.group(), line[match.end()]
            if (first in before_mark and second in mark) or (
                first in before_tone and second in tone
            ):
                return True
        return False

    return fires


_pythainlp_would_change = _pythainlp_trigger()


def _normalize_line(line: str) -> tuple[str, bool]:
    """Return the line normalised, and whether normalising that again leaves it unchanged."""
    line = unicodedata.normalize("NFC", line)
    if _INVISIBLE_RE.search(line):
        line = _INVISIBLE_RE.sub("", line)
    if "  " in line or _OTHER_HSPACE_RE.search(line):
        line = _HSPACE_RE.sub(" ", line)
    line = line.strip()
    if line and _pythainlp_would_change(line):
        return _HSPACE_RE.sub(" ", _thai_normalize(line)).strip(), False
    # an invisible removed between a letter and its accent leaves them to compose next time
    return line, unicodedata.is_normalized("NFC", line)


def normalize_line(line: str) -> str:
    """Return one line in canonical form: NFC, no invisibles, single spaces, Thai marks fixed."""
    return _normalize_line(line)[0]


def normalize_text_settled(text: str) -> tuple[str, bool]:
    """Return ``normalize_text(text)`` and True when normalising it again would not change it.

    Normalising is not idempotent in rare cases (pythainlp turns "กๅๅ" into "กาๅ", and that
    into "กา"), and an article's content hash is taken of its text normalised again. Where
    this says the text is settled, the second pass can be skipped: the parsers hash the body
    they just normalised without normalising its 5,000 characters once more.
    """
    out = []
    settled = True
    if _OTHER_NEWLINE_RE.search(text):
        text = _NEWLINES_RE.sub("\n", text)
    for raw in text.split("\n"):
        line, fixed = _normalize_line(raw)
        if line:
            out.append(line)
            settled = settled and fixed
    return "\n".join(out), settled


def normalize_text(text: str) -> str:
    """Return text as normalised paragraphs, one per line, with blank lines dropped.

    Paragraph breaks are kept (they matter to readers and to diffs); how they were written
    (``<br><br>``, ``<p>``, blank lines, CRLF) is not.
    """
    return normalize_text_settled(text)[0]


THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def arabic_digits(text: str) -> str:
    """Return text with Thai digits (๐–๙) replaced by ASCII digits, for parsing numbers."""
    return text.translate(THAI_DIGITS)
