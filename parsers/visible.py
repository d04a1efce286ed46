"""What a reader sees at the top of an article: the headline, and the date printed with it.

Old Thai table layouts give every page one ``<title>`` (":: กลุ่มประชาสัมพันธ์ ::", the
unit's name): the headline is only in the body cell, in bold or a large font, often twice.
Their dates are printed in the page too: under the headline, as a wire dateline opening the
first paragraph ("สุโขทัย 25 ส.ค. 2563 – ..."), or in a publication line under the body; while
"latest news" lists beside and below it carry dates of other items, and a header bar shows
today's date. So the page is read as lines, as a browser shows them, each with how prominent
it is, whether it is furniture, a link or one item of a list; the headline is the prominent
line just above the body prose, and the date is the one printed with it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from parsers.dates import date_labels, date_line_iso, find_dates
from parsers.layout import Line, ancestors, weight
from parsers.normalize import normalize_line
from parsers.textclean import LineKind, classify_line

MIN_HEADLINE_CHARS = 12
MAX_HEADLINE_CHARS = 300
MIN_PROSE_CHARS = 80
MAX_DATE_LINE = 160  # a longer line is prose, even with a date in it
MIN_EMPHASIS = 2
PROSE_WINDOW = 12  # a headline is this many lines or fewer above the first body paragraph
BEFORE_ANCHOR = 2  # a date may sit this many lines above the headline ("kicker" dates)
BYLINE_LINES = 2  # the lines right under the headline are its byline, links and all
DATELINE_LINES = 4  # a wire dateline opens one of the first paragraphs under the headline
_LIST_DEPTH = 3  # dated lines sharing markup and an ancestor this close are list items
_DATELINE_PREFIX = re.compile(r"^[\s(\[]*[^\d\s(\[][^\d]{0,30}?[)\]\s,]*$")
_DATELINE_SUFFIX = re.compile(r"^\s*(?:--|-|–|—|/|:)")
_DATELINE_REACH = 40  # a wire dateline's date starts within this many characters
_TEASER_CHARS = 15  # a dated line with this much more linked text links to another item
HINT_SHARE = 0.4  # a line is the <title>'s headline if it is this much of it, not the site part
_BREADCRUMB_TAIL = re.compile(r"[>»›/|:]\s*$")
_TRAILING_DATE = re.compile(r"^(?P<head>.*[^\s(\[])\s*[(\[]\s*(?P<date>[^()\[\]]{4,40}?)\s*[)\]]$")


def _is_prose(line: Line) -> bool:
    return weight(line.text) >= MIN_PROSE_CHARS and line.link_share < 0.25 and not line.furniture


def _headline_candidates(lines: list[Line]) -> Iterator[tuple[float, Line]]:
    for position, line in enumerate(lines):
        if (
            line.emphasis < MIN_EMPHASIS
            or line.furniture
            or not MIN_HEADLINE_CHARS <= weight(line.text) <= MAX_HEADLINE_CHARS
            or classify_line(line.text) is not LineKind.TEXT
        ):
            continue
        following = lines[position + 1 : position + 1 + PROSE_WINDOW]
        prose = next((i for i, other in enumerate(following) if _is_prose(other)), None)
        if prose is None:
            continue
        score = min(line.emphasis, 8) - prose * 0.3
        if line.link_share > 0.5:
            score -= 4
        if line.listed:
            score -= 3
        yield score, line


def site_names(lines: list[Line]) -> set[str]:
    """Return the site's name as the page shows it (logo text, links home)."""
    return {line.text for line in lines if line.branding}


def line_of_title(lines: list[Line], title: str | None) -> Line | None:
    """Return the line that shows ``title`` (a declared title the page also prints), or None.

    The line may be the title without the site name the declaration adds ("…！-新华网").
    """
    if not title:
        return None
    for line in lines:
        if line.furniture or weight(line.text) < MIN_HEADLINE_CHARS or line.link_share > 0.5:
            continue
        if line.text == title:
            return line
        rest = title[len(line.text) :].lstrip() if title.startswith(line.text) else ""
        if rest and not rest[0].isalnum() and len(line.text) >= len(title) / 2:
            return line
    return None


def trailing_date(text: str) -> tuple[str, str | None]:
    """Split "headline (21/09/2563)" into the headline and the date's ISO form."""
    match = _TRAILING_DATE.match(text)
    if match:
        found = [m for m in find_dates(match.group("date")) if not m.is_range]
        if len(found) == 1 and found[0].start == 0:
            return match.group("head"), found[0].iso
    return text, None


def find_headline(lines: list[Line], hints: list[str]) -> Line | None:
    """Return the line that reads as the article's headline, or None.

    A headline is prominent (a heading, bold, a large font, a "title" class) and stands at
    most a few lines above a paragraph of body prose; a line that repeats elsewhere on the
    page (the breadcrumb's last item, a second copy in the body) or that the ``hints``
    (``<title>``, ``og:title``) contain scores higher.
    """
    texts = [normalize_line(h) for h in hints if h]
    shown = [line.text for line in lines if not line.furniture]
    best: tuple[float, Line] | None = None
    for score, line in _headline_candidates(lines):
        text = line.text
        if any(text in t and len(text) >= len(t) * HINT_SHARE for t in texts):
            score += 4
        if shown.count(text) > 1 or any(
            _BREADCRUMB_TAIL.search(o[: -len(text)])
            for o in shown
            if o.endswith(text) and o != text
        ):
            score += 2
        if best is None or score > best[0]:
            best = (score, line)
    return best[1] if best else None


@dataclass(frozen=True)
class Anchor:
    """Where the article starts (its headline, or the line above its first prose) and the
    element that holds both the start and the first prose: the article's box."""

    index: int
    box: etree._Element


def find_anchor(lines: list[Line], headline: Line | None) -> Anchor | None:
    """Return where the article starts: its headline, else the line above its first prose."""
    start = headline.index + 1 if headline is not None else 0
    body = (line for line in lines[start:] if _is_prose(line) and not line.listed)
    prose = next((line for line in body if not line.heading), None)
    if prose is None:
        if headline is None:
            return None
        parent = headline.owner.getparent()
        return Anchor(headline.index, parent if parent is not None else headline.owner)
    if headline is None:  # the body's container and what sits beside it (a date line)
        chain = ancestors(prose.owner)
        return Anchor(max(prose.index - 1, 0), chain[min(2, len(chain) - 1)])
    above = set(ancestors(headline.owner))
    box = next((el for el in ancestors(prose.owner) if el in above), headline.owner)
    return Anchor(headline.index, box)


@dataclass(frozen=True)
class _Candidate:
    line: Line
    published: str | None
    modified: str | None
    labelled: bool


def _dateline(text: str) -> str | None:
    """Return the date of a wire dateline opening a paragraph ("สุโขทัย 25 ส.ค. 2563 – ...")."""
    for match in find_dates(text[: _DATELINE_REACH + 40]):
        if match.start > _DATELINE_REACH or match.is_range:
            return None
        if _DATELINE_PREFIX.match(text[: match.start]) and _DATELINE_SUFFIX.match(
            text[match.end :]
        ):
            return match.iso
        return None
    return None


def _candidate(line: Line) -> _Candidate | None:
    text = line.text
    if len(text) > MAX_DATE_LINE:
        return None  # prose that mentions a date
    labels = date_labels(text)
    if not labels:
        return None  # no date at all: most lines
    if any(label for _, label in labels):
        published = next((m.iso for m, label in labels if label != "modified"), None)
        modified = next((m.iso for m, label in labels if label == "modified"), None)
        return _Candidate(line, published, modified, True)
    iso = date_line_iso(text)
    if iso:
        return _Candidate(line, iso, None, False)
    return None


def _signature(el: etree._Element) -> tuple[Any, ...]:
    chain = []
    for _ in range(3):
        if el is None:
            break
        chain.append((el.tag, el.get("class", "")))
        el = el.getparent()
    return tuple(chain)


def _list_members(candidates: list[_Candidate]) -> set[int]:
    """Return the line indexes of dated lines that are items of a list (siblings alike)."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for cand in candidates:
        chain = ancestors(cand.line.owner)
        near = chain[min(_LIST_DEPTH, len(chain) - 1)]
        groups[(_signature(cand.line.owner), near)].append(cand.line.index)
    return {index for members in groups.values() if len(members) > 1 for index in members}


def _is_teaser(line: Line, date_chars: int) -> bool:
    """True for "<a>other item</a> [14/12/59]": the line is mostly a link to something else.

    A linked date with a short linked category ("<a>2020年07月03日</a> | <a>徒歩</a>") is not.
    """
    return line.link_chars >= date_chars + _TEASER_CHARS and line.link_share >= 0.5


def _inside(el: etree._Element, box: etree._Element) -> bool:
    return any(a is box for a in ancestors(el))


def find_visible_dates(lines: list[Line], anchor: Anchor | None) -> tuple[str | None, str | None]:
    """Return ``(published, modified)`` printed with the article that starts at ``anchor``.

    Dates of list items (latest news, related news), of teaser links and of furniture are
    never the article's; nor is an unlabelled date outside the article's box (a "today" bar
    in the header, a lone dated item beside the article). When only those are printed, the
    answer is None, not a wrong date. Labelled dates ("เผยแพร่เมื่อ", "ส่งโดย ... เมื่อ") come
    first, then the nearest below the start.
    """
    if anchor is None:
        return None, None
    candidates = []
    for line in lines:
        if line.furniture or line.index < anchor.index - BEFORE_ANCHOR:
            continue
        if line.index < anchor.index and not _inside(line.owner, anchor.box):
            continue
        cand = _candidate(line)
        opening = anchor.index < line.index <= anchor.index + DATELINE_LINES
        if cand is None and opening and _is_prose(line):
            iso = _dateline(line.text)
            cand = _Candidate(line, iso, None, False) if iso else None
        if cand is None:
            continue
        # The lines right under the headline are its byline, links and list items included;
        # further down, a dated list item or teaser link is another item's date.
        byline = anchor.index <= line.index <= anchor.index + BYLINE_LINES
        if byline or not (line.listed or _is_teaser(line, len(cand.published or ""))):
            candidates.append(cand)
    _, start_date = trailing_date(lines[anchor.index].text) if lines else ("", None)
    if start_date:
        candidates.append(_Candidate(lines[anchor.index], start_date, None, False))
    listed = _list_members(candidates)
    # Outside the article's box only a labelled date may be the article's: a lone date
    # there belongs to a box of its own ("ข่าวเด่น" beside the article).
    kept = [
        c
        for c in candidates
        if c.line.index not in listed and (c.labelled or _inside(c.line.owner, anchor.box))
    ]
    kept.sort(
        key=lambda c: (
            not _inside(c.line.owner, anchor.box),
            not c.labelled,
            c.line.index < anchor.index,
            abs(c.line.index - anchor.index),
        )
    )
    published = next((c.published for c in kept if c.published), None)
    modified = next((c.modified for c in kept if c.modified), None)
    return published, modified
