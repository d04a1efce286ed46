"""Title, publication and modification dates from a page's markup and what it shows.

Order of trust for the title: ``og:title`` (or JSON-LD ``headline``) minus the site name,
unless it is only the site's name, and replaced by the visible ``<h1>`` when that is the same
headline as the reader sees it; then an ``<h1>`` that ``<title>`` holds with a site part after
it; then the visible headline (:mod:`parsers.visible`: the prominent line above the body,
which old table layouts alone carry); then ``<h1>`` or ``<title>`` minus the site name. For
dates: ``article:published_time`` and its kin, JSON-LD of any typed node, ``<time
datetime>``, ``itemprop`` values, then the date printed with the article, then (from the
extractor) date lines at the start of the body. On a Thai page a time without a zone is
Bangkok time.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import islice, pairwise
from typing import Any

from lxml import etree

from parsers.boilerplate import TITLE_SEPARATORS
from parsers.dates import (
    BANGKOK,
    date_from_url,
    date_line_iso,
    is_labelled,
    is_thai,
    labelled_dates,
    parse_date,
    with_zone,
)
from parsers.layout import Line, page_lines
from parsers.normalize import normalize_line
from parsers.render import element_text
from parsers.visible import (
    find_anchor,
    find_headline,
    find_visible_dates,
    line_of_title,
    site_names,
    trailing_date,
)

logger = logging.getLogger(__name__)
JsonObject = dict[str, Any]  # one object of a page's JSON-LD

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "datecreated",
    "dc.date.created",
    "publication_date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "modified_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
    "dateupdate",
)
_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "webpage"}
_MIN_TITLE_SHARE = 0.4  # other <title> segments shorter than this share are the site name
_MIN_H1_CHARS = 8
_SAME_HEADLINE = 0.7  # an <h1> this similar to og:title is the same headline, as shown
_MAX_SECTION_CHARS = 8  # "…-정치ㅣ한국일보": a section name glued before the site name
# Separators a site name is glued on with, spaced or not: "：", "｜", "ㅣ", "|", "-", "::".
_SUFFIX_SEPARATORS = "|｜ㅣ:：-–—»·•/"
_DECORATION_RE = re.compile(r"^\W*::|::\W*$")
_THAI_LANG_RE = re.compile(r"^th\b", re.IGNORECASE)
_LANG_SAMPLE_CHARS = 2000
_DIGITS_RE = re.compile(r"[0-9\u0e50-\u0e59]+")
_LIST_GAP = 4  # date lines of one shape this close (in blocks) are items of one list
_ABOVE_BODY = 4  # a labelled date line further above the body is furniture
_START_LINES = 2  # a plain date line this close to the start of the body is the article's


@dataclass(frozen=True)
class PageMeta:
    """What the markup says about the article, and the date printed with its headline."""

    title: str | None
    published: str | None
    modified: str | None
    site_name: str | None


def _meta_values(root: etree._Element) -> dict[str, str]:
    values: dict[str, str] = {}
    for el in root.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or ""
        content = el.get("content")
        if key and content and key.lower() not in values:
            values[key.lower()] = content.strip()
    for el in root.xpath("//*[@itemprop][not(self::meta)]"):
        key = el.get("itemprop", "").lower()
        value = el.get("datetime") or el.get("content")
        if key and value and key not in values:
            values[key] = value.strip()
    return values


def _walk_json(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk_json(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_json(item)


def _json_ld(root: etree._Element) -> tuple[list[JsonObject], list[JsonObject]]:
    """Return the JSON-LD nodes of article types, and the other typed nodes."""
    articles: list[JsonObject] = []
    others: list[JsonObject] = []
    for el in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(el.text or "")
        except (ValueError, RecursionError):
            logger.debug("unreadable JSON-LD block skipped")
            continue
        for node in _walk_json(data):
            kind = node.get("@type", "")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(str(k).lower() in _ARTICLE_TYPES for k in kinds):
                articles.append(node)
            elif kind:
                others.append(node)
    return articles, others


def _cut_site_name(title: str, site_name: str) -> str:
    """Return ``title`` without ``site_name`` at either end, on whatever separator joins it."""
    site = normalize_line(site_name).casefold()
    folded = title.casefold()
    if not site or folded == site:
        return title
    if folded.endswith(site):
        head = title[: -len(site)].rstrip()
        if head and head[-1] in _SUFFIX_SEPARATORS:
            head = head.rstrip(_SUFFIX_SEPARATORS + " ")
            return _cut_section(head) if head else title
    if folded.startswith(site):
        tail = title[len(site) :].lstrip()
        if tail and tail[0] in _SUFFIX_SEPARATORS:
            return tail.lstrip(_SUFFIX_SEPARATORS + " ") or title
    return title


def _cut_section(head: str) -> str:
    """Return ``head`` without a section name glued on before the site's ("…다-정치")."""
    position = max(head.rfind(sep) for sep in _SUFFIX_SEPARATORS)
    section = head[position + 1 :]
    if (
        position > 0
        and 0 < len(section) <= _MAX_SECTION_CHARS
        and not any(ch.isspace() or ch.isdigit() for ch in section)
        and not head[position - 1].isspace()
    ):
        return head[:position].rstrip(_SUFFIX_SEPARATORS + " ")
    return head


def strip_site_name(title: str, site_name: str | None = None) -> str:
    """Return a ``<title>`` without the site name ("ข่าว... | สำนักงาน ก.พ.ร." -> "ข่าว...").

    A known site name (``og:site_name``) goes on any separator, spaced or not, with a
    section name glued before it ("…気象庁：朝日新聞デジタル", "…커졌다-정치ㅣ한국일보");
    otherwise a spaced separator splits the title and the longest part is kept when the
    others are short.
    """
    title = title.strip()
    if site_name:
        cut = _cut_site_name(title, site_name)
        if cut != title:
            return cut
    parts = [p for p in TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    if site_name:
        kept = [p for p in parts if normalize_line(p) != normalize_line(site_name)]
        if kept and len(kept) < len(parts):
            parts = kept
            if len(parts) == 1:
                return parts[0].strip()
    longest = max(parts, key=len)
    if all(len(p) < len(longest) * _MIN_TITLE_SHARE for p in parts if p is not longest):
        return longest.strip()
    return title


def _text(el: etree._Element) -> str:
    return normalize_line(element_text(el))


@dataclass
class _Page:
    """A parsed page and its visible lines, read once and only if needed (it costs a walk)."""

    root: etree._Element
    _lines: list[Line] | None = None

    @property
    def lines(self) -> list[Line]:
        if self._lines is None:
            self._lines = page_lines(self.root)
        return self._lines


def _page_title(root: etree._Element) -> str:
    return next((_text(el) for el in root.iter("title")), "")


def _is_generic(title: str, names: Collection[str]) -> bool:
    """True for a title that names the site, not the article (":: กลุ่ม... ::", the logo)."""
    if _DECORATION_RE.search(title):
        return True
    folded = normalize_line(title).casefold()
    return any(folded == normalize_line(name).casefold() for name in names if name)


def _title_site_parts(page_title: str) -> list[str]:
    """Return the parts of ``<title>`` that are not its longest: the site's name, usually."""
    parts = [p.strip() for p in TITLE_SEPARATORS.split(page_title) if p.strip()]
    longest = max(parts, key=len, default="")
    return [p for p in parts if p != longest]


def declared_title(
    meta: dict[str, str], ld: list[JsonObject], page_title: str
) -> str | None:
    """Return og:title (or JSON-LD headline) minus the site name, unless it is only the site.

    og:title names the site on some CMSs: it is then og:site_name, or the site part of
    ``<title>`` ("ข่าว... | ศาลจังหวัดอุดรธานี" with og:title "ศาลจังหวัดอุดรธานี").
    """
    site_name = meta.get("og:site_name")
    names = [site_name or "", *_title_site_parts(page_title)]
    for value in (meta.get("og:title"), meta.get("twitter:title")):
        if value and normalize_line(value):
            title = strip_site_name(normalize_line(value), site_name)
            if not _is_generic(title, names):
                return title
    for node in ld:
        headline = node.get("headline") or node.get("name")
        if isinstance(headline, str) and normalize_line(headline):
            title = normalize_line(headline)
            if not _is_generic(title, names):
                return title
    return None


def _h1_or_title(root: etree._Element, meta: dict[str, str]) -> str | None:
    page_title = _page_title(root)
    site_name = meta.get("og:site_name")
    stripped = strip_site_name(page_title, site_name) if page_title else ""
    if stripped and _is_generic(stripped, [site_name or ""]):
        stripped = ""
    for h1 in root.iter("h1"):
        text = _text(h1)
        if len(text) < _MIN_H1_CHARS:
            continue
        # An <h1> holding the site's logo is in <title> too, but only as the short site part.
        if not stripped or (text in page_title and len(text) >= len(stripped) * _MIN_TITLE_SHARE):
            return text
    return stripped or None


def _as_shown(root: etree._Element, declared: str) -> str:
    """Return the visible <h1> when it is ``declared`` as the page shows it, else ``declared``.

    og:title often carries what the reader does not see: a site or section suffix the
    separators did not catch, or a longer wording for search engines.
    """
    for h1 in root.iter("h1"):
        text = _text(h1)
        if len(text) < _MIN_H1_CHARS or text == declared:
            continue
        rest = declared[len(text) :].lstrip() if declared.startswith(text) else ""
        if rest and rest[0] in _SUFFIX_SEPARATORS:
            return text
        if SequenceMatcher(None, text, declared).ratio() >= _SAME_HEADLINE:
            return text
    return declared


def _choose_title(
    page: _Page, meta: dict[str, str], ld: list[JsonObject]
) -> tuple[str | None, Line | None]:
    """Return the title and, when it was read from the page, the headline line."""
    page_title = _page_title(page.root)
    declared = declared_title(meta, ld, page_title)
    if declared:
        return _as_shown(page.root, declared), None
    shown = _h1_in_title(page.root, page_title)
    if shown:
        return shown, None
    names = [meta.get("og:site_name") or "", *site_names(page.lines)]
    hints = [page_title, meta.get("og:title") or "", meta.get("twitter:title") or ""]
    headline = find_headline(page.lines, [h for h in hints if not _is_generic(h, names)])
    if headline is not None:
        return normalize_line(trailing_date(headline.text)[0]), headline
    return _h1_or_title(page.root, meta), None


def _h1_in_title(root: etree._Element, page_title: str) -> str | None:
    """Return an <h1> that ``<title>`` holds with more after it ("蔡健雅" in "蔡健雅_百度百科").

    An <h1> equal to the whole ``<title>`` proves nothing: on old sites both are the name of
    the site.
    """
    for h1 in root.iter("h1"):
        text = _text(h1)
        if not text or text == page_title:
            continue
        rest = page_title[len(text) :].lstrip() if page_title.startswith(text) else ""
        if rest and not rest[0].isalnum():
            return text
    return None


def _is_thai_page(root: etree._Element, meta: dict[str, str], title: str | None) -> bool:
    """True when the page is in Thai: its ``lang``, ``og:locale``, else Thai script in it."""
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = lang or root.get("xml:lang") or meta.get("og:locale") or meta.get("content-language")
    if lang:
        return bool(_THAI_LANG_RE.match(lang.strip()))
    if title and is_thai(title):
        return True
    body = next(root.iter("body"), root)
    return is_thai("".join(islice(body.itertext(), 200))[:_LANG_SAMPLE_CHARS])


def _first_date(values: list[str | None], zone: str | None) -> str | None:
    for value in values:
        if value:
            iso = parse_date(value)
            if iso:
                return with_zone(iso, zone) if zone else iso
    return None


def read_meta(root: etree._Element) -> PageMeta:
    """Return the title and dates the markup declares, else the ones printed with the article.

    The page's lines are read only when the markup gives no trustworthy title or no
    publication date.
    """
    meta = _meta_values(root)
    articles, others = _json_ld(root)
    page = _Page(root)
    title, headline = _choose_title(page, meta, articles)
    zone = BANGKOK if _is_thai_page(root, meta, title) else None
    published = _first_date(
        [meta.get(k) for k in PUBLISHED_META]
        + [str(n.get("datePublished") or "") for n in articles + others]
        + [n.get("datetime") for n in root.iter("time")],
        zone,
    )
    modified = _first_date(
        [meta.get(k) for k in MODIFIED_META]
        + [str(n.get("dateModified") or "") for n in articles + others],
        zone,
    )
    if published is None:
        lines = page.lines
        if headline is None:
            headline = line_of_title(lines, title) or find_headline(lines, [title or ""])
        seen_published, seen_modified = find_visible_dates(lines, find_anchor(lines, headline))
        published = with_zone(seen_published, zone) if zone else seen_published
        modified = modified or (with_zone(seen_modified, zone) if zone else seen_modified)
    if published is None:  # last resort: the date a CMS wrote into the page's own URL
        published = date_from_url(_own_url(root, meta))
    return PageMeta(title, published, modified, meta.get("og:site_name"))


def _own_url(root: etree._Element, meta: dict[str, str]) -> str | None:
    """Return the URL the page declares for itself (``<link rel=canonical>``, og:url)."""
    for link in root.iter("link"):
        href: str | None = link.get("href")
        if (link.get("rel") or "").lower() == "canonical" and href:
            return href
    return meta.get("og:url")


def _shape(line: str) -> str:
    """Return a line with its digits blanked: the dated items of a list share one shape."""
    return _DIGITS_RE.sub("9", line)


def dates_from_lines(
    date_lines: list[tuple[int, str]], body_start: int
) -> tuple[str | None, str | None]:
    """Pick published/modified from the extractor's date lines, when the page gave no other.

    :func:`read_meta` has already looked for the date printed with the article, with its
    surroundings; this fallback serves pages it could not place (a notice too short to read
    as prose). It takes a labelled line ("เผยแพร่เมื่อ ...") near or below the start of the
    body, else a plain date line right at the start of the body; never a line above it (a
    "today" bar in the header), nor one of several alike close together (a dated list).
    """
    listed: set[int] = set()
    for (i, a), (j, b) in pairwise(date_lines):
        if j - i <= _LIST_GAP and _shape(a) == _shape(b):
            listed.update((i, j))
    lines = [(i, line) for i, line in date_lines if i not in listed]
    published = modified = None
    for i, line in lines:
        if i < body_start - _ABOVE_BODY:
            continue
        pub, mod = labelled_dates(line)
        modified = modified or mod
        if pub and not published and is_labelled(line):
            published = pub
    if published:
        return published, modified
    for i, line in lines:
        if body_start <= i <= body_start + _START_LINES:
            iso = date_line_iso(line)
            if iso:
                return iso, modified
    return None, modified
