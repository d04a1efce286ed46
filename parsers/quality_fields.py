"""Scoring titles and publication dates against gold, for the benchmark and the floor test.

Gold comes in two shapes: real pages with a ``<name>.gold.json`` beside them (fields named by
``gold_fields``, as in ``tests/fixtures/realworld``), and the synthetic agency pages with a
``<name>.expected.json`` (title, published). A title is right when it is the gold after NFKC
and whitespace folding (full-width spaces, ``&nbsp;``). A date is right when it is the same
day as written, or the same instant when both carry a time and a zone.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

FIELDS = ("title", "published")


@dataclass(frozen=True)
class GoldPage:
    """One page and what is known to be right about it (None: the page has none)."""

    name: str
    html: Path
    url: str | None
    content_type: str | None
    gold: dict[str, str | None]


def _fold(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def same_title(found: str | None, gold: str | None) -> bool:
    """True when ``found`` is the gold title, spaces and character widths aside."""
    return _fold(found) == _fold(gold)


def _moment(value: str) -> dt.datetime | dt.date | None:
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None and len(value.strip()) <= len("2020-01-01"):
        return moment.date()
    return moment


def same_date(found: str | None, gold: str | None) -> bool:
    """True when both are missing, or name the same day (the same instant if both can)."""
    if not found or not gold:
        return not found and not gold
    ours, theirs = _moment(found), _moment(gold)
    if ours is None or theirs is None:
        return False
    if (
        isinstance(ours, dt.datetime)
        and isinstance(theirs, dt.datetime)
        and ours.tzinfo is not None
        and theirs.tzinfo is not None
    ):
        return abs(ours - theirs) < dt.timedelta(minutes=1)
    day = ours.date() if isinstance(ours, dt.datetime) else ours
    gold_day = theirs.date() if isinstance(theirs, dt.datetime) else theirs
    return day == gold_day


def gold_pages(folder: Path, field: str) -> list[GoldPage]:
    """Return the pages of ``folder`` whose gold names ``field`` ("title" or "published")."""
    pages = []
    for path in sorted(folder.glob("*.gold.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if field in data.get("gold_fields", []):
            html = path.with_name(path.name.removesuffix(".gold.json") + ".html")
            gold = {name: data.get(name) for name in FIELDS}
            pages.append(GoldPage(html.stem, html, data.get("url"), None, gold))
    for path in sorted(folder.glob("*.expected.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if field in data:
            html = path.with_name(path.name.removesuffix(".expected.json") + ".html")
            gold = {name: data.get(name) for name in FIELDS}
            pages.append(GoldPage(html.stem, html, None, data.get("content_type"), gold))
    return pages
