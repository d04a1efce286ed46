"""The Atom feed of new, changed, removed and restored articles, shared by ``opdcwatch feed``
and the web page.

:func:`recent_changes` reads the versions; :func:`render_atom` is a pure function over those
plain records, so that the command line and ``/feed.atom`` cannot drift apart. ElementTree
does the escaping; characters that XML 1.0 forbids (control characters scraped pages do
contain) are dropped first, since one of them would make the whole feed unreadable.
"""

from __future__ import annotations

import contextlib
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from sqlalchemy import and_, select

from archive import queries
from archive.events import recent_events
from archive.schema import articles, sites, versions

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_TITLE = "opdcwatch: ข่าวใหม่ ข่าวที่แก้ไข และข่าวที่ถูกลบ (new, changed and removed OPDC news)"
LABEL_REMOVED = "ถูกลบ (removed)"
LABEL_RESTORED = "กลับมา (restored)"
FEED_ID = "tag:opdcwatch,2026:feed"
FEED_AUTHOR = "opdcwatch"
SUMMARY_CHARS = 400
CHANGED_CHARS = 200  # of the removed and of the added words in a change's summary
LABEL_ADDED = "เพิ่ม (added)"
LABEL_DELETED = "ลบ (removed)"
CHANGED_WORDS_KEPT = 2000  # changes whose words are remembered (a few feeds' worth)
_CHANGED_WORDS: OrderedDict[tuple[Any, Any], tuple[str, str]] = OrderedDict()  # by hashes
FEED_ENTRIES = 50
# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

ET.register_namespace("", ATOM_NS)


def xml_safe(text: str | None) -> str:
    """Return ``text`` without the characters XML 1.0 cannot carry."""
    return _XML_INVALID_RE.sub("", text or "")


def _iso(value: datetime | str | None) -> str:
    """Return an RFC 3339 timestamp (Atom's date format); naive datetimes are taken as UTC."""
    if value is None:
        value = datetime.now(UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def entry_id(article_id: int, version: int) -> str:
    """Return the stable Atom id of one version: readers use it to know what they have seen."""
    return f"tag:opdcwatch,2026:article/{article_id}/version/{version}"


def event_entry_id(article_id: int, kind: str, event_id: int) -> str:
    """Return the stable Atom id of one removal or restoration of an article."""
    return f"tag:opdcwatch,2026:article/{article_id}/{kind}/{event_id}"


def web_link(base_url: str) -> Callable[[Mapping[str, Any]], str]:
    """Return ``change -> URL`` on the web page served at ``base_url`` (``opdcwatch serve``):
    a change's word diff with the version before, a new article's version, a removal's article.

    The paths are the web page's routes (``archive/web/views.py``); the web page itself builds
    the same links with ``url_for``.
    """
    base = base_url.rstrip("/")

    def link(change: Mapping[str, Any]) -> str:
        article = f"{base}/articles/{int(change['article_id'])}"
        if change.get("event"):
            return article
        version = int(change["version"])
        if version == 1:
            return f"{article}/versions/1"
        return f"{article}/diff?" + urlencode({"from": version - 1, "to": version})

    return link


def changed_words_of(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, str]:
    """Return the removed and the added words between two versions (title and text), short.

    Remembered by the two versions' content hashes, which fix their texts: a feed polled
    every few minutes diffs each change once, not 50 diffs a request.
    """
    key = (old.get("content_hash"), new.get("content_hash"))
    if None not in key and key in _CHANGED_WORDS:
        _CHANGED_WORDS.move_to_end(key)
        return _CHANGED_WORDS[key]
    from archive.diff import Diff, document, word_diff  # pythainlp: only when there are changes
    from archive.diff_render import changed_words

    ops = word_diff(document(dict(old)), document(dict(new)))
    words = changed_words(Diff(0, "", 0, 0, None, None, ops), CHANGED_CHARS)
    if None not in key:
        _CHANGED_WORDS[key] = words
        while len(_CHANGED_WORDS) > CHANGED_WORDS_KEPT:
            _CHANGED_WORDS.popitem(last=False)
    return words


def _summary(change: Mapping[str, Any]) -> str:
    if change.get("event"):
        when = _iso(change["fetched_at"])[:10]
        return f"{change['event']} on {when}: {change.get('how') or ''}".strip().rstrip(":")
    if change.get("summary"):
        return str(change["summary"])
    if change.get("added") or change.get("removed"):
        lines = []
        if change.get("removed"):
            lines.append(f"{LABEL_DELETED}: {change['removed']}")
        if change.get("added"):
            lines.append(f"{LABEL_ADDED}: {change['added']}")
        return "\n".join(lines)
    text = " ".join((change.get("text") or "").split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rstrip() + "…"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = xml_safe(text)
    return element


def recent_changes(source: queries.Source, *, limit: int = FEED_ENTRIES) -> list[dict[str, Any]]:
    """Return the ``limit`` latest changes, newest first: versions, removals, restorations.

    Every version is a change by construction (the archive adds one only when the content
    changed), so versions are read alone, joined to their article for URL and site; removals
    and restorations come from ``archive.events`` and carry ``event`` ("removed"/"restored").
    A changed version carries the words its diff with the version before removed and added
    (``removed``, ``added``).
    """
    prev = versions.alias("prev")
    query = (
        select(
            versions.c.article_id,
            versions.c.number.label("version"),
            versions.c.fetched_at,
            versions.c.title,
            versions.c.published,
            versions.c.text,
            versions.c.revert_of,
            articles.c.url,
            sites.c.name.label("site"),
            versions.c.content_hash,
            prev.c.title.label("prev_title"),
            prev.c.text.label("prev_text"),
            prev.c.content_hash.label("prev_hash"),
        )
        .join(articles, articles.c.id == versions.c.article_id)
        .join(sites, sites.c.id == articles.c.site_id)
        .outerjoin(
            prev,
            and_(
                prev.c.article_id == versions.c.article_id,
                prev.c.number == versions.c.number - 1,
            ),
        )
        .order_by(versions.c.fetched_at.desc(), versions.c.id.desc())
        .limit(limit)
    )
    with queries.connection(source) as conn:
        rows = conn.execute(query).all()
        happened = recent_events(conn, limit=limit)
    found = []
    for row in rows:
        change = dict(row._mapping) | {"fetched_at": queries.iso(row.fetched_at)}
        new = {
            "title": change["title"],
            "text": change["text"],
            "content_hash": change.pop("content_hash"),
        }
        old = {
            "title": change.pop("prev_title"),
            "text": change.pop("prev_text"),
            "content_hash": change.pop("prev_hash"),
        }
        if change["version"] > 1 and old["text"] is not None:
            change["removed"], change["added"] = changed_words_of(old, new)
        found.append(change)
    found += [
        {
            **event,
            "event": event["kind"],
            "event_id": event["id"],
            "fetched_at": event["happened_at"],
        }
        for event in happened
    ]
    found.sort(key=lambda change: _iso(change["fetched_at"]), reverse=True)
    return found[:limit]


def render_atom(
    changes: Iterable[Mapping[str, Any]],
    *,
    title: str = FEED_TITLE,
    feed_id: str = FEED_ID,
    self_url: str | None = None,
    page_url: Callable[[Mapping[str, Any]], str | None] | None = None,
    updated: datetime | None = None,
) -> str:
    """Return an Atom 1.0 document, one entry per new or changed version.

    Each change is a mapping like those of :func:`recent_changes`: ``article_id``,
    ``version``, ``url``, ``title``, ``fetched_at`` and optionally ``site``, ``published``,
    ``revert_of``, ``text`` or ``summary``; version 1 is reported as new, later ones as
    changed (or reverted), and a change with ``event`` as the article's removal or return
    (with ``event_id`` and ``how``); ``removed`` and ``added`` (the changed words) make a
    change's summary. ``page_url`` gives the web page of a change (:func:`web_link`: its
    word diff); when there is one it is the entry's link, and the original page its ``via``
    link, else the original page is the link. ``updated`` defaults to the newest entry, so
    that an unchanged archive yields a byte-identical feed.
    """
    changes = list(changes)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "title", title)
    _sub(feed, "id", feed_id)
    stamps = [_iso(change["fetched_at"]) for change in changes]
    _sub(feed, "updated", _iso(updated) if updated else max(stamps, default=_iso(None)))
    author = _sub(feed, "author")
    _sub(author, "name", FEED_AUTHOR)
    _sub(feed, "generator", "opdcwatch")
    if self_url:
        _sub(feed, "link", rel="self", type="application/atom+xml", href=xml_safe(self_url))
    for change, stamp in zip(changes, stamps, strict=True):
        version = int(change["version"])
        if change.get("event"):
            label = LABEL_REMOVED if change["event"] == "removed" else LABEL_RESTORED
        elif version == 1:
            label = "ใหม่ (new)"
        elif change.get("revert_of"):
            label = f"ย้อนกลับ (reverted to v{change['revert_of']}, v{version})"
        else:
            label = f"แก้ไข (changed, v{version})"
        entry = _sub(feed, "entry")
        _sub(entry, "title", f"[{label}] {change.get('title') or change.get('url') or ''}")
        article_id = int(change["article_id"])
        if change.get("event"):
            _sub(entry, "id", event_entry_id(article_id, change["event"], int(change["event_id"])))
        else:
            _sub(entry, "id", entry_id(article_id, version))
        _sub(entry, "updated", stamp)
        if change.get("published"):
            # a date the parser could not pin down is not worth an invalid feed
            with contextlib.suppress(ValueError):
                _sub(entry, "published", _iso(change["published"]))
        web = page_url(change) if page_url else None
        if web:
            _sub(entry, "link", rel="alternate", type="text/html", href=xml_safe(web))
        if change.get("url"):
            rel = "via" if web else "alternate"
            _sub(entry, "link", rel=rel, href=xml_safe(str(change["url"])))
        if change.get("site"):
            _sub(entry, "category", term=xml_safe(str(change["site"])))
        _sub(entry, "summary", _summary(change), type="text")
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
