"""Line-level boilerplate removal, for text dumps and for paragraphs the HTML extractor keeps.

A text dump (like the samples in ``../shared/seeds``) is what a browser's "save as text" or
a naive scraper leaves: the article plus the page's menus, breadcrumbs, share lines, view
counters, engine credits, related-news blocks and footer. Here each line is judged on its own
(:func:`classify_line`), then the survivors are regrouped into paragraphs.

Decisions, measured on the samples:
- A paragraph is a block of lines between blank lines; a single newline inside a block is a
  hard wrap (sample 002 wraps mid-word: "ยก / ระดับ"), so the lines are joined, with no space
  between two Thai characters (Thai has no spaces between words) and one space otherwise.
- A wire-service dateline ("กรุงเทพฯ--6 ก.ย.--บียอนด์ โซลูชันส์") is dropped: it is added by
  the distributor, not written by the author, and the same release on another site lacks it.
  The date it carries has no year; the category line gives the full date.
- A production credit ("<unit> / จัดทำ", "... / ภาพ & ข่าว") is dropped, on its own line or
  glued to the end of the last paragraph (sample 001): it names who typed the page, it is not
  the release.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from enum import Enum

from parsers.boilerplate import (
    ADDRESS_PARTS,
    BOILERPLATE_LINES,
    BREADCRUMB_MIN_SEPARATORS,
    BREADCRUMB_SEPARATORS,
    CREDIT_LINE,
    CUT_MARKERS,
    DATELINE,
    FOOTER_LINE,
    MENU_MIN_SEPARATORS,
    MENU_SEPARATORS,
    MODIFIED_LABEL,
    PUBLISHED_LABEL,
    SUBSCRIPTION_LINE,
    SUBSCRIPTION_LINE_MAX_CHARS,
    TRAILING_CREDIT,
)
from parsers.dates import date_line_iso, labelled_dates
from parsers.normalize import normalize_line

logger = logging.getLogger(__name__)

_FOOTER_MAX_CHARS = 200
_MENU_MAX_CELL = 30
_MENU_MARKS = "|•·»"  # the characters _is_menu splits cells at
_BREADCRUMB_MARKS = "/>»›"  # one of these is in every BREADCRUMB_SEPARATORS match
_BREADCRUMB_MAX_CELL = 40
_ADDRESS_MIN_PARTS = 3
_THAI_CHAR_RE = re.compile("[\u0e01-\u0e4f]")
_NEWLINES_RE = re.compile(r"\r\n?|[\u2028\u2029\x85]")


class LineKind(Enum):
    """What one line of a page is."""

    TEXT = "text"
    BOILERPLATE = "boilerplate"
    DATE = "date"
    CUT = "cut"


@dataclass
class CleanText:
    """What the text cleaner found: the headline, the body paragraphs, the dates."""

    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None


def _is_menu(line: str) -> bool:
    if not any(mark in line for mark in _MENU_MARKS):
        return False  # one cell: a quick answer for the long lines of every article
    cells = [c for c in re.split(r"[|•·»]", line) if c.strip()]
    separators = len(MENU_SEPARATORS.findall(line)) + line.count("|") // 2
    if separators < MENU_MIN_SEPARATORS or len(cells) < MENU_MIN_SEPARATORS:
        return False
    return sum(len(c.strip()) for c in cells) / len(cells) <= _MENU_MAX_CELL


def _is_breadcrumb(line: str) -> bool:
    if not any(mark in line for mark in _BREADCRUMB_MARKS):
        return False
    cells = BREADCRUMB_SEPARATORS.split(line)
    if len(cells) <= BREADCRUMB_MIN_SEPARATORS:
        return False
    return all(len(c.strip()) <= _BREADCRUMB_MAX_CELL for c in cells[:-1])


def _is_footer(line: str) -> bool:
    if len(line) > _FOOTER_MAX_CHARS:
        return False
    if FOOTER_LINE.search(line):
        return True
    return len(ADDRESS_PARTS.findall(line)) >= _ADDRESS_MIN_PARTS


def classify_line(line: str) -> LineKind:
    """Return what a normalised line is: body text, furniture, a date line or a cut marker.

    A cut marker ("Latest Press Release", "Related Topics", "ข่าวล่าสุด", "Engine by ...",
    "เผยแพร่ข้อมูลเมื่อ ...") means nothing after it is article text.
    """
    if CUT_MARKERS.match(line):
        return LineKind.CUT
    if date_line_iso(line):
        return LineKind.DATE
    if (
        BOILERPLATE_LINES.match(line)
        or CREDIT_LINE.match(line)
        or DATELINE.match(line)
        or _is_menu(line)
        or _is_breadcrumb(line)
        or _is_footer(line)
        or (len(line) <= SUBSCRIPTION_LINE_MAX_CHARS and SUBSCRIPTION_LINE.search(line))
    ):
        return LineKind.BOILERPLATE
    return LineKind.TEXT


def join_wrapped(lines: list[str]) -> str:
    """Join hard-wrapped lines of one paragraph: no space between two Thai characters."""
    if not lines:
        return ""
    joined = lines[0]
    for line in lines[1:]:
        thai_join = _THAI_CHAR_RE.match(joined[-1]) and _THAI_CHAR_RE.match(line[0])
        joined += line if thai_join else " " + line
    return joined


def strip_trailing_credit(paragraph: str) -> str:
    """Remove a "<unit> / จัดทำ" credit glued to the end of a paragraph."""
    match = TRAILING_CREDIT.match(paragraph)
    if match:
        logger.debug("dropped trailing credit %r", match.group("credit"))
        return match.group("body")
    return paragraph


def same_text(a: str, b: str) -> bool:
    """True when two strings differ only in whitespace (a re-wrapped headline)."""
    return "".join(a.split()) == "".join(b.split())  # str.split: the regex \s, 5x faster


def _take_dates(result: CleanText, line: str) -> None:
    if PUBLISHED_LABEL.search(line) or MODIFIED_LABEL.search(line):
        published, modified = labelled_dates(line)
    else:
        published, modified = date_line_iso(line), None
    result.published = result.published or published
    result.modified = result.modified or modified


def clean_text_dump(text: str) -> CleanText:
    """Return the title, body paragraphs and dates of a text dump, boilerplate removed.

    The title is the first line that is not furniture; a later paragraph that repeats it
    (re-wrapped) is dropped.
    """
    result = CleanText()
    block: list[str] = []
    blocks: list[str] = []

    def flush() -> None:
        if block:
            blocks.append(join_wrapped(block))
            block.clear()

    for raw in _NEWLINES_RE.sub("\n", text).split("\n"):
        line = normalize_line(raw)
        if not line:
            flush()
            continue
        kind = classify_line(line)
        if kind is LineKind.CUT:
            _take_dates(result, line)
            if result.title is not None and (blocks or block):
                break
            flush()
            continue
        if kind is LineKind.DATE:
            _take_dates(result, line)
            flush()
        elif kind is LineKind.BOILERPLATE:
            flush()
        elif result.title is None:
            result.title = line
        else:
            block.append(line)
    flush()
    result.paragraphs = finish_paragraphs(blocks, result.title)
    return result


def finish_paragraphs(paragraphs: list[str], title: str | None) -> list[str]:
    """Drop repeats of the title and empty paragraphs; strip a credit off the last one."""
    kept = [p for p in paragraphs if p and not (title and same_text(p, title))]
    if kept:
        last = strip_trailing_credit(kept[-1])
        kept[-1] = last
    return [p for p in kept if p]
