"""Thai and English date strings to ISO 8601, Buddhist era to Common era.

pythainlp's ``thai_strptime`` is not used: it returns the last day of a range, reads numeric
months 10 and 12 as January and fails on Thai digits and double spaces. These patterns cover
what Thai news sites print: "21 กันยายน 2563", "6 ก.ย. 62", "๓ กันยายน ๒๕๕๒ 14:56:24",
"Friday September 6, 2019 14:09", "21/09/2563", "2019-09-06T14:09:00+07:00".
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from parsers.boilerplate import (
    ENGLISH_MONTHS,
    EVENT_WORDS,
    MODIFIED_LABEL,
    PUBLISHED_LABEL,
    THAI_MONTHS,
)
from parsers.normalize import arabic_digits

logger = logging.getLogger(__name__)

BE_OFFSET = 543  # Buddhist era year = Common era year + 543
_BE_THRESHOLD = 2400  # a four-digit year above this is Buddhist era

_THAI_MONTH_INDEX = {name: index for names, index in THAI_MONTHS for name in names}
_ENGLISH_MONTH_INDEX = {name.lower(): index for names, index in ENGLISH_MONTHS for name in names}


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


_THAI_MONTH = _alternation(list(_THAI_MONTH_INDEX))
_EN_MONTH = _alternation(list(_ENGLISH_MONTH_INDEX))
_TIME = (
    r"(?:\s*(?:,|เวลา|at|-)?\s*(?P<hh>[01]?\d|2[0-3])[:.](?P<mi>[0-5]\d)"
    r"(?:[:.](?P<ss>[0-5]\d))?(?:\s*(?:น\.|นาฬิกา))?)?"
)
_TZ = r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"

# Day (possibly the end of a range), Thai month, optional era label, year.
_THAI_DATE_RE = re.compile(
    r"(?P<range>\d{1,2}\s*[-–—]\s*)?(?<!\d)(?P<d>\d{1,2})\s*(?P<m>" + _THAI_MONTH + r")(?![ก-๙])"
    r"\s*(?:พ\.\s?ศ\.|ค\.\s?ศ\.|พศ\.?)?\s*(?P<y>\d{4}|\d{2})(?!\d)" + _TIME
)
# "September 6, 2019", "Sep 6 2019", optionally after a weekday.
_EN_MDY_RE = re.compile(
    r"(?<![A-Za-z])(?P<m>" + _EN_MONTH + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<y>\d{4})(?!\d)" + _TIME,
    re.IGNORECASE,
)
# "6 September 2019", "6 Sep. 2019".
_EN_DMY_RE = re.compile(
    r"(?P<range>\d{1,2}\s*[-–—]\s*)?(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m>"
    + _EN_MONTH
    + r")\.?,?\s+(?P<y>\d{4})(?!\d)"
    + _TIME,
    re.IGNORECASE,
)
_ISO_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<hh>\d{2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?" + _TZ + r")?(?!\d)"
)
# Thai sites write day/month/year, often in the Buddhist era.
_DMY_NUMERIC_RE = re.compile(
    r"(?<![\d/])(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?![\d/])" + _TIME
)
_ANY_DIGIT_RE = re.compile("[0-9\u0e50-\u0e59]")
_PATTERNS = (_ISO_RE, _THAI_DATE_RE, _EN_MDY_RE, _EN_DMY_RE, _DMY_NUMERIC_RE)


@dataclass(frozen=True)
class DateMatch:
    """One date found in a string: where it is, its ISO form, and whether it ends a range."""

    start: int
    end: int
    iso: str
    is_range: bool = False


def _year(raw: str, thai: bool) -> int:
    year = int(raw)
    if len(raw) == 2:  # "6 ก.ย. 62" is BE 2562; "Sep 6, 19" would be 2019
        year += 2500 if thai else 2000
    if year > _BE_THRESHOLD:
        year -= BE_OFFSET
    return year


def _month(raw: str) -> int:
    if raw.isdigit():
        return int(raw)
    return _THAI_MONTH_INDEX.get(raw) or _ENGLISH_MONTH_INDEX[raw.lower().rstrip(".")]


def _format_tz(tz: str | None) -> str:
    if not tz:
        return ""
    if tz == "Z":
        return "+00:00"
    tz = tz.replace(":", "")
    return f"{tz[:3]}:{tz[3:]}"


def _iso_from_match(match: re.Match[str], thai: bool) -> str | None:
    groups = match.groupdict()
    try:
        year = _year(groups["y"], thai)
        date = dt.date(year, _month(groups["m"]), int(groups["d"]))
    except (ValueError, KeyError):
        return None
    if not 1900 <= date.year <= 2200:
        return None
    if groups.get("hh") is None:
        return date.isoformat()
    moment = dt.datetime.combine(
        date, dt.time(int(groups["hh"]), int(groups["mi"]), int(groups["ss"] or 0))
    )
    return moment.isoformat() + _format_tz(groups.get("tz"))


def find_dates(text: str) -> list[DateMatch]:
    """Return every date in ``text`` (Thai digits allowed), in order, without overlaps.

    A date that closes a range ("10-11 กันยายน 2563") is flagged ``is_range``: it is an
    event, never a publication date.
    """
    text = arabic_digits(text)
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        thai = pattern is _THAI_DATE_RE or pattern is _DMY_NUMERIC_RE
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            iso = _iso_from_match(match, thai)
            if iso is None:
                continue
            is_range = bool(match.groupdict().get("range"))
            taken.append((start, end))
            found.append(DateMatch(start, end, iso, is_range))
    found.sort(key=lambda m: m.start)
    return found


def parse_date(text: str | None) -> str | None:
    """Return the ISO form of the first (non-range) date in ``text``, or None."""
    if not text:
        return None
    for match in find_dates(text):
        if not match.is_range:
            return match.iso
    logger.debug("no date in %r", text[:80])
    return None


def date_line_iso(line: str, max_rest: int = 40) -> str | None:
    """Return the date if ``line`` is a date line (a date plus a few words), else None.

    "21 กันยายน 2563" and "ข่าวประชาสัมพันธ์ทั่วไป Friday September 6, 2019 14:09" are date
    lines; a body sentence that mentions a date is not, so event dates are never taken.
    """
    line = line.strip()
    if len(line) > max_rest + 40 or not _ANY_DIGIT_RE.search(line):
        return None  # most lines: no digit, no date (a cheap test before five patterns)
    plain = arabic_digits(line)
    matches = [m for m in find_dates(plain) if not m.is_range]
    if not matches:
        return None
    rest = plain
    for match in reversed(matches):
        rest = rest[: match.start] + " " + rest[match.end :]
    if len(rest.strip()) > max_rest:
        return None
    labelled = PUBLISHED_LABEL.search(rest) or MODIFIED_LABEL.search(rest)
    if EVENT_WORDS.search(rest) and not labelled:
        return None
    return matches[0].iso


def labelled_dates(line: str) -> tuple[str | None, str | None]:
    """Return ``(published, modified)`` from a line that labels its dates.

    "เผยแพร่ข้อมูลเมื่อ 3 กันยายน 2552 14:56:24 ปรับปรุงข้อมูลล่าสุดเมื่อ ..." gives both; a
    date preceded by an "updated" label is the modified date, any other the published one.
    """
    published = modified = None
    plain = arabic_digits(line)
    previous_end = 0
    for match in find_dates(plain):
        if match.is_range:
            continue
        label = plain[previous_end : match.start]
        if MODIFIED_LABEL.search(label):
            modified = modified or match.iso
        else:
            published = published or match.iso
        previous_end = match.end
    return published, modified


def is_date_line(line: str) -> bool:
    """True for a date line or a labelled one ("เผยแพร่ข้อมูลเมื่อ ... ปรับปรุง... เมื่อ ...")."""
    if date_line_iso(line):
        return True
    if PUBLISHED_LABEL.search(line) or MODIFIED_LABEL.search(line):
        return any(labelled_dates(line))
    return False
