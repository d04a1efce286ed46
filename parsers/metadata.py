"""Title, publication and modification dates from a page's markup.

Order of trust for the title: ``og:title``, JSON-LD ``headline``, ``<h1>``, ``<title>`` minus
the site name. For dates: ``article:published_time`` and its kin, JSON-LD, ``<time
datetime>``, ``itemprop`` values, then the visible date lines the extractor saw (see
:mod:`parsers.extract`), preferring the one nearest the start of the body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from parsers.boilerplate import TITLE_SEPARATORS
from parsers.dates import date_line_iso, labelled_dates, parse_date
from parsers.normalize import normalize_line
from parsers.render import element_text

logger = logging.getLogger(__name__)

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
)
MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "modified_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
)
_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "webpage"}
_MIN_TITLE_SHARE = 0.4  # other <title> segments shorter than this share are the site name
_MIN_H1_CHARS = 8


@dataclass(frozen=True)
class PageMeta:
    """What the markup says about the article, before looking at the text."""

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


def _walk_json(node: object) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk_json(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_json(item)


def _json_ld(root: etree._Element) -> list[dict]:
    found = []
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
                found.append(node)
    return found


def strip_site_name(title: str, site_name: str | None = None) -> str:
    """Return a ``<title>`` without the site name ("ข่าว... | สำนักงาน ก.พ.ร." -> "ข่าว...")."""
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


def find_title(root: etree._Element, meta: dict[str, str], ld: list[dict]) -> str | None:
    """Return the headline: og:title, JSON-LD headline, the <h1>, or <title> minus site name."""
    site_name = meta.get("og:site_name")
    for value in (meta.get("og:title"), meta.get("twitter:title")):
        if value and normalize_line(value):
            return strip_site_name(normalize_line(value), site_name)
    for node in ld:
        headline = node.get("headline") or node.get("name")
        if isinstance(headline, str) and normalize_line(headline):
            return normalize_line(headline)
    page_title = next((_text(el) for el in root.iter("title")), "")
    stripped = strip_site_name(page_title, site_name) if page_title else ""
    for h1 in root.iter("h1"):
        text = _text(h1)
        if len(text) < _MIN_H1_CHARS:
            continue
        # An <h1> holding the site's logo is in <title> too, but only as the short site part.
        if not stripped or (text in page_title and len(text) >= len(stripped) * _MIN_TITLE_SHARE):
            return text
    return stripped or None


def _first_date(values: list[str | None]) -> str | None:
    for value in values:
        if value:
            iso = parse_date(value)
            if iso:
                return iso
    return None


def read_meta(root: etree._Element) -> PageMeta:
    """Return title and dates as the markup declares them (visible text is not read here)."""
    meta = _meta_values(root)
    ld = _json_ld(root)
    published = _first_date(
        [meta.get(k) for k in PUBLISHED_META]
        + [str(n.get("datePublished") or "") for n in ld]
        + [n.get("datetime") for n in root.iter("time")]
    )
    modified = _first_date(
        [meta.get(k) for k in MODIFIED_META] + [str(n.get("dateModified") or "") for n in ld]
    )
    return PageMeta(find_title(root, meta, ld), published, modified, meta.get("og:site_name"))


def dates_from_lines(
    date_lines: list[tuple[int, str]], body_start: int
) -> tuple[str | None, str | None]:
    """Pick published/modified from visible date lines: labelled ones first, else the nearest.

    A date line nearest the start of the body is the article's; dates in a "latest news"
    sidebar are further away.
    """
    published = modified = None
    for _, line in date_lines:
        pub, mod = labelled_dates(line)
        if mod and not modified:
            modified = mod
        if pub and not published and mod:
            published = pub
    if published:
        return published, modified
    nearest = sorted(date_lines, key=lambda item: abs(item[0] - body_start))
    for _, line in nearest:
        iso = date_line_iso(line) or parse_date(line)
        if iso:
            return iso, modified
    return None, modified
