"""Date strings to ISO 8601: Thai, English and East Asian forms, Buddhist era to Common era.

pythainlp's ``thai_strptime`` is not used: it returns the last day of a range, reads numeric
months 10 and 12 as January and fails on Thai digits and double spaces. These patterns cover
what Thai news sites print: "21 กันยายน 2563", "6 ก.ย. 62", "๓ กันยายน ๒๕๕๒ 14:56:24",
"ศุกร์ที่ 6 กันยายน 2562 14:09:26 น.", "Friday September 6, 2019 14:09", "21/09/2563",
"[14/12/59]", "2019-09-06T14:09:00+07:00"; and what news sites in scripts without spaces
print: "2020/07/13 01:10", "2023.11.02. 오후 8:06", "2005年03月31日", "2023년 11월 2일".

A time written in Thai text without a zone is Bangkok time (``+07:00``): that is what a Thai
page means by "14:09 น.". A time in other text without a zone stays zone-less.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from parsers.boilerplate import (
    CJK_MODIFIED_LABEL,
    CJK_PUBLISHED_LABEL,
    ENGLISH_MONTHS,
    EVENT_WORDS,
    MODIFIED_LABEL,
    PUBLISHED_LABEL,
    THAI_MONTHS,
)
from parsers.constants import BE_OFFSET, BE_YEAR_THRESHOLD
from parsers.normalize import arabic_digits

logger = logging.getLogger(__name__)

BANGKOK = "+07:00"  # Thailand has one zone and no daylight saving
# "14/12/59" on a Thai site is BE 2559; a two-digit year below this is a CE year (20yy).
_TWO_DIGIT_BE_FROM = 40
_THAI_MONTH_INDEX = {name: index for names, index in THAI_MONTHS for name in names}
_ENGLISH_MONTH_INDEX = {name.lower(): index for names, index in ENGLISH_MONTHS for name in names}
_THAI_SCRIPT_RE = re.compile("[\u0e01-\u0e5b]")
_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_NAMED_ZONES = {"GMT": "+00:00", "UTC": "+00:00", "ICT": BANGKOK, "JST": "+09:00", "KST": "+09:00"}
_PM = {"오후", "午後", "下午", "pm", "p.m."}
_AM = {"오전", "午前", "上午", "am", "a.m."}


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


_THAI_MONTH = _alternation(list(_THAI_MONTH_INDEX))
_EN_MONTH = _alternation(list(_ENGLISH_MONTH_INDEX))
_ZONE = (
    r"(?:\s*(?P<tzname>GMT|UTC|ICT|JST|KST)(?P<tzoff>[+-]\d{1,2}(?::?\d{2})?)?(?![A-Za-z])"
    r"|\s?(?P<tz>Z|[+-]\d{2}:?\d{2})(?!\d))?"
)
# An optional time after a date: "14:09", "14.09 น.", "เวลา 14:09:26 น.", "오후 8:06",
# "11時30分", "2:30 PM", with an optional zone ("GMT+7", "+0700").
_TIME = (
    r"(?:\s*(?:,|เวลา\s*:?|at|-|–|\||@)?\s*(?:(?P<ampm1>오전|오후|午前|午後|上午|下午)\s*)?"
    r"(?P<hh>[01]?\d|2[0-3])\s?[:.時时시]\s?(?P<mi>[0-5]\d)(?!\d)"
    r"(?:\s?[:.分분]\s?(?P<ss>[0-5]\d)(?!\d))?(?:\s?[分분秒초])?"
    r"(?:\s*(?P<ampm2>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?(?:\s*(?:น\.|นาฬิกา))?" + _ZONE + r")?"
)
_ISO_TZ = r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"

# Day (possibly the end of a range), Thai month, optional era label, year.
_THAI_DATE_RE = re.compile(
    r"(?P<range>\d{1,2}\s*[-–—]\s*)?(?<!\d)(?P<d>\d{1,2})\s*(?:เดือน\s*)?(?P<m>"
    + _THAI_MONTH
    + r")(?![ก-๙])"
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
    r"(?:[T ](?P<hh>\d{2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?" + _ISO_TZ + r")?(?!\d)"
)
# A range that follows a year-first date: "2020/7/11-12", "2020年7月11日(土)～12日(日)".
_RANGE_AFTER = r"(?P<after>(?:\s*\([^)\d]{1,3}\))?\s*[-–—～~〜]\s*\d{1,2}(?![\d/.]|:\d))?"
# Year first, as East Asian sites write it: "2020/07/13", "2023.11.02.", "2023. 11. 2.".
_YMD_RE = re.compile(
    r"(?<![\d/.])(?P<y>\d{4})(?P<sep>\s?[/.]\s?)(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/])\.?"
    + _RANGE_AFTER
    + _TIME
)
# "2005年03月31日", "2023년 11월 2일".
_CJK_YMD_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]"
    + _RANGE_AFTER
    + r"(?:\s*[(（][^)）]{1,3}[)）])?"
    + _TIME
)
# Thai sites write day/month/year, often in the Buddhist era; "14/12/59" is BE 2559.
_DMY_NUMERIC_RE = re.compile(
    r"(?<![\d/.-])(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?![\d/.-])"
    + _TIME
    + r"|(?<![\d/.-])(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{2})(?![\d/.-])"
)
_ANY_DIGIT_RE = re.compile("[0-9\u0e50-\u0e59]")
# In a URL's path: "/2020/09/21/", "/2020-09-21", "/20200921/", "20250121-QBJP...", "/2024/0424/".
_URL_DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<sep>[/-]?)(?P<m>0[1-9]|1[0-2])(?P=sep)"
    r"(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"
    r"|/(?P<y2>(?:19|20)\d{2})/(?P<m2>0[1-9]|1[0-2])(?P<d2>0[1-9]|[12]\d|3[01])/"
)
_URL_HOST_RE = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*", re.IGNORECASE)
LABEL_REACH = 30  # a label ("เผยแพร่เมื่อ", "投稿日") counts this close before its date
# Order matters where two could match the same text: the first one to claim it wins. Each
# pattern runs only on text that has what it needs (a cheap test; most lines have no date).
_ASCII_LETTER_RE = re.compile("[A-Za-z]")
_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[str], object]], ...] = (
    (_ISO_RE, lambda t: "-" in t),
    (_THAI_DATE_RE, _THAI_SCRIPT_RE.search),
    (_EN_MDY_RE, _ASCII_LETTER_RE.search),
    (_EN_DMY_RE, _ASCII_LETTER_RE.search),
    (_YMD_RE, lambda t: "/" in t or "." in t),
    (_CJK_YMD_RE, lambda t: "年" in t or "년" in t),
    (_DMY_NUMERIC_RE, lambda t: "/" in t or "." in t or "-" in t),
)
_BE_PATTERNS = (_THAI_DATE_RE, _DMY_NUMERIC_RE)  # two-digit years there are Buddhist era


@dataclass(frozen=True)
class DateMatch:
    """One date found in a string: where it is, its ISO form, and whether it is a range end."""

    start: int
    end: int
    iso: str
    is_range: bool = False


def _year(raw: str, thai_month: bool) -> int:
    year = int(raw)
    if len(raw) == 2:
        if thai_month or year >= _TWO_DIGIT_BE_FROM:
            year += 2500  # "6 ก.ย. 62", "14/12/59": Buddhist era
        else:
            year += 2000
    if year > BE_YEAR_THRESHOLD:
        year -= BE_OFFSET
    return year


def _month(raw: str) -> int:
    if raw.isdigit():
        return int(raw)
    return _THAI_MONTH_INDEX.get(raw) or _ENGLISH_MONTH_INDEX[raw.lower().rstrip(".")]


def _format_zone(groups: dict[str, str | None]) -> str:
    if tzname := groups.get("tzname"):
        base = _NAMED_ZONES[tzname.upper()]
        offset = groups.get("tzoff")
        if not offset:
            return base
        sign, digits = offset[0], offset[1:].replace(":", "")
        hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
        return f"{sign}{int(hours):02d}:{minutes}"
    tz = groups.get("tz")
    if not tz:
        return ""
    if tz == "Z":
        return "+00:00"
    tz = tz.replace(":", "")
    return f"{tz[:3]}:{tz[3:]}"


def _hour(groups: dict[str, str | None]) -> int:
    hour = int(groups["hh"] or 0)
    marker = (groups.get("ampm1") or groups.get("ampm2") or "").lower()
    if marker in _PM and hour < 12:
        hour += 12
    elif marker in _AM and hour == 12:
        hour = 0
    return hour


def _iso_from_match(match: re.Match[str], thai_month: bool, zone: str | None) -> str | None:
    groups = match.groupdict()
    if groups.get("d2"):  # the two-digit-year alternative of the numeric pattern
        groups = groups | {"d": groups["d2"], "m": groups["m2"], "y": groups["y2"]}
    try:
        year = _year(groups["y"], thai_month)
        date = dt.date(year, _month(groups["m"]), int(groups["d"]))
    except (ValueError, KeyError, TypeError):
        return None
    if not 1900 <= date.year <= 2200:
        return None
    if groups.get("hh") is None:
        return date.isoformat()
    try:
        moment = dt.datetime.combine(
            date, dt.time(_hour(groups), int(groups["mi"]), int(groups["ss"] or 0))
        )
    except ValueError:
        return date.isoformat()
    return moment.isoformat() + (_format_zone(groups) or zone or "")


def find_dates(text: str, zone: str | None = None) -> list[DateMatch]:
    """Return every date in ``text`` (Thai digits allowed), in order, without overlaps.

    A date that closes a range ("10-11 กันยายน 2563") or opens one ("2020/7/11-12") is
    flagged ``is_range``: it is an event, never a publication date. A time without a zone
    gets ``zone``; by default Bangkok's when the text is Thai, none otherwise.
    """
    if not _ANY_DIGIT_RE.search(text):
        return []
    if zone is None and _THAI_SCRIPT_RE.search(text):
        zone = BANGKOK
    text = arabic_digits(text)
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern, applies in _PATTERNS:
        if not applies(text):
            continue
        thai_month = pattern is _THAI_DATE_RE
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            iso = _iso_from_match(match, thai_month, zone)
            if iso is None:
                continue
            groups = match.groupdict()
            is_range = bool(groups.get("range") or groups.get("after"))
            taken.append((start, end))
            found.append(DateMatch(start, end, iso, is_range))
    found.sort(key=lambda m: m.start)
    return found


def parse_date(text: str | None, zone: str | None = None) -> str | None:
    """Return the ISO form of the first (non-range) date in ``text``, or None."""
    if not text:
        return None
    for match in find_dates(text, zone):
        if not match.is_range:
            return match.iso
    logger.debug("no date in %r", text[:80])
    return None


def date_from_url(url: str | None) -> str | None:
    """Return the date a CMS wrote into a URL's path ("/2020/09/21/", "/20200921-..."), or None.

    A last resort: the day the article was filed, which is its publication day on every real
    page here that has one (14 of 38 gold URLs, all 14 right).
    """
    if not url:
        return None
    path = _URL_HOST_RE.sub("", url).split("?", 1)[0].split("#", 1)[0]
    for match in _URL_DATE_RE.finditer(path):
        groups = match.groupdict()
        year, month, day = (
            (groups["y"], groups["m"], groups["d"])
            if groups["y"]
            else (groups["y2"], groups["m2"], groups["d2"])
        )
        try:
            return dt.date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            continue
    return None


def with_zone(iso: str | None, zone: str) -> str | None:
    """Return ``iso`` with ``zone`` added if it is a date and time without one."""
    if not iso or "T" not in iso or iso.endswith("Z") or re.search(r"[+-]\d{2}:\d{2}$", iso):
        return iso
    return iso + zone


def is_thai(text: str) -> bool:
    """True when ``text`` holds Thai script: its times are Bangkok time."""
    return bool(_THAI_SCRIPT_RE.search(text))


def _rest_weight(rest: str) -> int:
    """Characters of a line besides its dates; a Chinese or Korean character counts twice."""
    return len(rest) + len(_CJK_RE.findall(rest))


def date_line_iso(line: str, max_rest: int = 40) -> str | None:
    """Return the date if ``line`` is a date line (a date plus a few words), else None.

    "21 กันยายน 2563" and "ข่าวประชาสัมพันธ์ทั่วไป Friday September 6, 2019 14:09" are date
    lines; a body sentence that mentions a date is not, so event dates are never taken.
    """
    line = line.strip()
    if len(line) > max_rest + 40 or not _ANY_DIGIT_RE.search(line):
        return None  # most lines: no digit, no date (a cheap test before the patterns)
    matches = [m for m in find_dates(line) if not m.is_range]
    if not matches:
        return None
    rest = arabic_digits(line)
    for match in reversed(matches):
        rest = rest[: match.start] + " " + rest[match.end :]
    if _rest_weight(rest.strip()) > max_rest:
        return None
    labelled = PUBLISHED_LABEL.search(rest) or MODIFIED_LABEL.search(rest)
    if EVENT_WORDS.search(rest) and not labelled:
        return None
    return matches[0].iso


def date_labels(line: str) -> list[tuple[DateMatch, str | None]]:
    """Return each non-range date of ``line`` with its label: "published", "modified" or None.

    A label counts when it stands just before the date ("เผยแพร่เมื่อ 21 ก.ย. 2563",
    "最終更新：2020/07/13"), not anywhere in the line ("公開調教 ... (2019/5/17撮影)").
    """
    matches = find_dates(line)
    if not matches:
        return []
    found: list[tuple[DateMatch, str | None]] = []
    plain = arabic_digits(line)
    previous_end = 0
    for match in matches:
        if match.is_range:
            continue
        before = plain[max(previous_end, match.start - LABEL_REACH) : match.start]
        if MODIFIED_LABEL.search(before) or CJK_MODIFIED_LABEL.search(before):
            found.append((match, "modified"))
        elif PUBLISHED_LABEL.search(before) or CJK_PUBLISHED_LABEL.search(before):
            found.append((match, "published"))
        else:
            found.append((match, None))
        previous_end = match.end
    return found


def labelled_dates(line: str) -> tuple[str | None, str | None]:
    """Return ``(published, modified)`` from a line that labels its dates.

    "เผยแพร่ข้อมูลเมื่อ 3 กันยายน 2552 14:56:24 ปรับปรุงข้อมูลล่าสุดเมื่อ ..." gives both; a
    date preceded by an "updated" label is the modified date, any other the published one.
    """
    published = modified = None
    for match, label in date_labels(line):
        if label == "modified":
            modified = modified or match.iso
        else:
            published = published or match.iso
    return published, modified


def is_labelled(line: str) -> bool:
    """True when a date of ``line`` has a published or modified label just before it."""
    return any(label for _, label in date_labels(line))


def is_date_line(line: str) -> bool:
    """True for a date line or a labelled one ("เผยแพร่ข้อมูลเมื่อ ... ปรับปรุง... เมื่อ ...")."""
    if date_line_iso(line):
        return True
    return is_labelled(line)
