"""The terms of Thai (and other) text for the search index, and what a query requires.

Thai is written without spaces and pythainlp keeps compounds whole ("บริการสาธารณะ",
"องค์กรปกครองส่วนท้องถิ่น"), so indexing its words alone misses a search for "สาธารณะ". A text's
terms are therefore, for every run of letters, digits and marks (a *piece*):

- the words pythainlp's newmm segments it into, and
- every dictionary word that starts and ends on a Thai character-cluster boundary of the piece,
  the boundaries newmm itself cuts at: the parts of compounds, and words that run across two
  segmented words ("ได้รับ" in "ได้|รับรอง").

A cluster boundary is where a Thai word can begin or end at all: "กิน" is not inside "เกินไป",
whose first cluster is "เกิ". Everything is lower-cased; the terms contain only letters, digits
and marks, so both databases store exactly these strings (SQLite's FTS5 splits them only at
the spaces between them, PostgreSQL gets them as a tsvector without re-parsing).

A query is words and quoted phrases; each must occur in the text as written (after the same
normalisation). :func:`parse_query` returns those strings, checked literally against every
candidate, and the terms the index can use to find candidates: only terms that any text
holding the string is certain to have, so no match is ever lost to a different segmentation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from parsers.normalize import normalize_line, normalize_text

logger = logging.getLogger(__name__)

# Runs of letters, digits and marks (Thai vowels and tone marks are Unicode marks) and private
# use; anything else separates pieces.
_PIECE_RE = regex.compile(r"[\p{L}\p{N}\p{M}\p{Co}]+")
_THAI_RE = re.compile("[\u0e00-\u0e7f]")
_QUOTED_RE = re.compile(r'"([^"]*)"?')
PIECE_CACHE = 131072  # pieces kept with their terms: articles share names and phrases
MAX_TERM_CHARS = 100  # longer runs (a URL's worth of letters) are not indexed, only checked
MAX_TERMS_BYTES = 500_000  # per title or body: PostgreSQL refuses a tsvector over 1 MB

# Bounds on what one query may ask: a 100 KB paste is cut here, not sent to the database.
MAX_QUERY_CHARS = 200
MAX_QUERY_STRINGS = 8
MAX_REQUIRED_TERMS = 12


@lru_cache(maxsize=1)
def _dictionary() -> tuple[Any, Callable[..., Any], Callable[..., Any]]:
    """Return pythainlp's word trie and newmm, loaded on first use (~0.5 s)."""
    from pythainlp.tokenize import word_dict_trie
    from pythainlp.tokenize.newmm import segment
    from pythainlp.tokenize.tcc_p import tcc_pos_array

    return word_dict_trie(), segment, tcc_pos_array


def dictionary_words(piece: str) -> list[str]:
    """Return the dictionary words of a lower-cased Thai piece that sit on cluster boundaries."""
    return [piece[start:end] for start, end in _dictionary_spans(piece)]


def _dictionary_spans(piece: str) -> list[tuple[int, int]]:
    """Return (start, end) of every dictionary word in a Thai piece, on cluster boundaries."""
    trie, _, tcc_pos_array = _dictionary()
    bounds = tcc_pos_array(piece)
    bounds[0] = 1
    spans = []
    for start in range(len(piece)):
        if not bounds[start]:
            continue
        for word in trie.prefixes(piece, start):
            end = start + len(word)
            if bounds[end]:
                spans.append((start, end))
    return spans


@lru_cache(maxsize=PIECE_CACHE)
def piece_terms(piece: str) -> tuple[str, ...]:
    """Return the terms of one lower-cased piece: its newmm words, then its dictionary words."""
    _, segment, _ = _dictionary()
    terms = dict.fromkeys(segment(piece))
    if _THAI_RE.search(piece):
        terms.update(dict.fromkeys(dictionary_words(piece)))
    return tuple(term for term in terms if 0 < len(term) <= MAX_TERM_CHARS)


def pieces(normal: str) -> list[str]:
    """Return the runs of letters, digits and marks of ``normal``, lower-cased."""
    pieces: list[str] = _PIECE_RE.findall(normal.lower())
    return pieces


def normal_terms(normal: str) -> list[str]:
    """Return the distinct terms of already normalised text, in order of first occurrence.

    A text whose terms pass MAX_TERMS_BYTES (a book pasted as one article) keeps the first
    ones; the rest of it is not found by the index, and a warning says so.
    """
    terms: dict[str, None] = {}
    size = 0
    for piece in pieces(normal):
        for term in piece_terms(piece):
            if term not in terms:
                size += len(term.encode()) + 1
                if size > MAX_TERMS_BYTES:
                    logger.warning("search index: a text has too many words; the rest is skipped")
                    return list(terms)
                terms[term] = None
    return list(terms)


def document_terms(title: str | None, text: str) -> tuple[str, str]:
    """Return the space-separated terms of a version's title and of its body."""
    return (
        " ".join(normal_terms(normalize_text(title or ""))),
        " ".join(normal_terms(normalize_text(text))),
    )


def searchable_text(title: str | None, text: str) -> str:
    """Return what a query string is checked against: title and body, normalised, lower-cased."""
    return normalize_text(f"{title or ''}\n{text}").lower()


def _required_of_piece(piece: str, whole: bool) -> list[str]:
    """Return terms every text holding ``piece`` has.

    ``whole``: the piece is bounded by separators inside the query string, so a text holding
    the string has exactly this piece, and newmm cuts it the same way. Otherwise the text's
    piece may be longer, and only the dictionary words inside are certain; latin words and
    numbers are taken whole either way (a search for "covid" is not one for "cov").
    """
    _, segment, _ = _dictionary()
    if whole:
        return list(dict.fromkeys(segment(piece)))
    words = [w for w in segment(piece) if not _THAI_RE.search(w)]
    if not _THAI_RE.search(piece):
        return words
    spans = _dictionary_spans(piece)
    longest = [
        (s, e)
        for s, e in spans
        if not any(s2 <= s and e <= e2 and (s2, e2) != (s, e) for s2, e2 in spans)
    ]
    if not longest:  # no dictionary word at all (a rare name): newmm's cut, as a best guess
        return list(dict.fromkeys(segment(piece)))
    return list(dict.fromkeys([*words, *(piece[s:e] for s, e in longest)]))


def required_terms(string: str) -> list[str]:
    """Return the index terms any text holding the lower-cased, normalised ``string`` has."""
    found: dict[str, None] = {}
    for match in _PIECE_RE.finditer(string):
        whole = match.start() > 0 and match.end() < len(string)
        found.update(dict.fromkeys(_required_of_piece(match.group(), whole)))
    return [term for term in found if 0 < len(term) <= MAX_TERM_CHARS]


@dataclass(frozen=True)
class Query:
    """A parsed search: the strings a result must hold, and the index terms that find them."""

    strings: tuple[str, ...]
    terms: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    def holds(self, haystack: str) -> bool:
        """True if ``haystack`` (see :func:`searchable_text`) holds every string."""
        return all(occurs(haystack, string) for string in self.strings)


def occurs(haystack: str, string: str) -> bool:
    """True if ``string`` is in ``haystack`` where a Thai word can begin and end."""
    return find(haystack, string) >= 0


def find(haystack: str, string: str) -> int:
    """Return where ``string`` first occurs in ``haystack`` as words can, or -1.

    A string that starts (ends) with a Thai letter must start (end) on a character-cluster
    boundary: "กี่" is spelled inside "เกี่ยว" but is not there, nor "ดี" inside "เดี๋ยว".
    """
    at = haystack.find(string)
    check_start, check_end = bool(_THAI_RE.match(string)), bool(_THAI_RE.match(string[-1:]))
    if not (check_start or check_end):
        return at
    while at >= 0:
        if _on_boundaries(haystack, at, at + len(string), check_start, check_end):
            return at
        at = haystack.find(string, at + 1)
    return -1


def _on_boundaries(text: str, start: int, end: int, check_start: bool, check_end: bool) -> bool:
    """True if ``text[start:end]`` starts and ends on cluster boundaries of its piece."""
    first = start
    while first > 0 and _PIECE_RE.match(text, first - 1):
        first -= 1
    found = _PIECE_RE.match(text, end) if end < len(text) else None
    last = found.end() if found else end
    _, _, tcc_pos_array = _dictionary()
    bounds = tcc_pos_array(text[first:last])
    bounds[0] = 1
    return (not check_start or bool(bounds[start - first])) and (
        not check_end or bool(bounds[end - first])
    )


def split_query(query: str) -> list[str]:
    """Return the query's strings: each quoted phrase, and each word outside quotes.

    An unbalanced quote runs to the end; quotes never reach the database. Everything is
    normalised as the archive's text is, and cut to MAX_QUERY_CHARS and MAX_QUERY_STRINGS.
    """
    line = normalize_line(query.replace("\x00", " ")[: MAX_QUERY_CHARS * 4])
    if len(line) > MAX_QUERY_CHARS:  # cut at the last space before the limit, not in a word
        cut = line[: MAX_QUERY_CHARS + 1].rsplit(" ", 1)[0]
        line = cut if len(cut) <= MAX_QUERY_CHARS else line[:MAX_QUERY_CHARS]
    strings: list[str] = []
    position = 0
    for match in _QUOTED_RE.finditer(line):
        strings += line[position : match.start()].split()
        strings.append(match.group(1).strip())
        position = match.end()
    strings += line[position:].split()
    kept = dict.fromkeys(s.lower() for s in strings if _PIECE_RE.search(s))
    return list(kept)[:MAX_QUERY_STRINGS]


def parse_query(query: str) -> Query:
    """Return the :class:`Query` of a user's search text; empty if it holds no word."""
    strings = split_query(query)
    terms: dict[str, None] = {}
    for string in strings:
        terms.update(dict.fromkeys(required_terms(string)))
    ranked = sorted(terms, key=len, reverse=True)[:MAX_REQUIRED_TERMS]  # longest: rarest
    return Query(tuple(strings), tuple(t for t in terms if t in ranked))
