"""Thai-aware text normalisation, the ground truth for hashing and diffing.

Two renderings of one article (other boilerplate, other whitespace, ``&nbsp;`` or zero-width
spaces sprinkled in by an editor) must normalise to the same string, or the archive would
record versions that no reader could see.
"""

from __future__ import annotations

import re
import unicodedata

from pythainlp.util import normalize as _thai_normalize

# Invisible characters editors and CMSs leave in Thai text: zero-width space / non-joiner /
# joiner, word joiner, BOM, soft hyphen. Removed outright (they never carry meaning here).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
# Every horizontal space, including no-break and the typographic ones, folds to one space.
_HSPACE_RE = re.compile(r"[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_NEWLINES_RE = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def _pythainlp_trigger() -> re.Pattern[str]:
    """Return a pattern that matches wherever pythainlp's ``normalize`` could change a line.

    Built from pythainlp's own character classes, one alternative per rule of its normaliser
    (see ``pythainlp.util.normalize``), for a line that is already NFC, without invisibles,
    with single spaces and stripped: double Sara E; a tone mark or thanthakhat before an
    above/below vowel; nikhahit; a follow vowel before a tone mark; lakkhangyao; a repeated
    vowel or sign (spaces allowed between); two tone marks; a mark that dangles at the start or
    after a space. A line with none of these comes back from pythainlp unchanged.
    """
    from pythainlp import (
        thai_above_vowels,
        thai_below_vowels,
        thai_follow_vowels,
        thai_lead_vowels,
        thai_tonemarks,
    )

    marks = f"{thai_above_vowels}{thai_below_vowels}"
    no_repeat = f"{thai_follow_vowels}{thai_lead_vowels}{marks}\u0e3a\u0e4c\u0e4d\u0e4e"
    dangling = f"{marks}{thai_tonemarks}\u0e3a\u0e4c\u0e4d\u0e4e"
    rules = [
        "\u0e40\u0e40",
        f"[{thai_tonemarks}\u0e4c][{marks}]",
        "\u0e4d",
        f"[{thai_follow_vowels}][{thai_tonemarks}]",
        "\u0e45",
        *(f"{re.escape(ch)} *{re.escape(ch)}" for ch in no_repeat),
        f"[{thai_tonemarks}]{{2}}",
        f"^[{dangling}]",
        f" [{dangling}]",
    ]
    return re.compile("|".join(rules))


_PYTHAINLP_TRIGGER = _pythainlp_trigger()


def normalize_line(line: str) -> str:
    """Return one line in canonical form: NFC, no invisibles, single spaces, Thai marks fixed."""
    line = unicodedata.normalize("NFC", line)
    line = _INVISIBLE_RE.sub("", line)
    line = _HSPACE_RE.sub(" ", line).strip()
    if line and _PYTHAINLP_TRIGGER.search(line):
        line = _HSPACE_RE.sub(" ", _thai_normalize(line)).strip()
    return line


def normalize_text(text: str) -> str:
    """Return text as normalised paragraphs, one per line, with blank lines dropped.

    Paragraph breaks are kept (they matter to readers and to diffs); how they were written
    (``<br><br>``, ``<p>``, blank lines, CRLF) is not.
    """
    lines = (normalize_line(line) for line in _NEWLINES_RE.sub("\n", text).split("\n"))
    return "\n".join(line for line in lines if line)


THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def arabic_digits(text: str) -> str:
    """Return text with Thai digits (๐–๙) replaced by ASCII digits, for parsing numbers."""
    return text.translate(THAI_DIGITS)
