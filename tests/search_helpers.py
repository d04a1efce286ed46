"""A Thai archive for the search tests, recorded the real way, and what a search must return.

``build_thai_archive`` records, through ``Archive.record_page`` and the parsers: the replica
site's pages in both phases (seed articles, windows-874 ones, an edited and a retitled one),
the saved real pages of tests/fixtures/pages and tests/fixtures/web, and three versions of
one OPDC page. The answer a search must give, computed from the archived
texts alone (``Oracle``): every article with a version that holds every string of the query.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pythainlp.tokenize.tcc_p import tcc_pos
from sqlalchemy import select

from archive import Archive
from archive.schema import articles, versions
from archive.search_terms import Query, searchable_text
from crawler.demo.pages import render_article
from crawler.demo.site import ReplicaSite
from parsers.normalize import normalize_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
REPLICA = "http://127.0.0.1:8000"
THAI = re.compile("[\u0e00-\u0e7f]")


def build_thai_archive(db_url: str) -> None:
    """Record the corpus into a fresh archive at ``db_url``."""
    site = ReplicaSite(12, slow_seconds=0)
    moment = T0
    with Archive.open(db_url) as arch:
        for phase in (1, 2):
            site.set_phase(phase)
            for art in site.articles():
                body, content_type = render_article(site, art, REPLICA)
                moment += timedelta(minutes=7)
                arch.record_page(
                    url=REPLICA + art.path,
                    status=200,
                    headers={"Content-Type": content_type},
                    body=body,
                    site="replica",
                    fetched_at=moment,
                )
        for folder in ("pages", "web"):
            for path in sorted((FIXTURES / folder).glob("*.html")):
                moment += timedelta(minutes=7)
                arch.record_page(
                    url=f"https://{folder}.example/{path.stem}",
                    status=200,
                    headers={},
                    body=path.read_bytes(),
                    site=folder,
                    fetched_at=moment,
                )
        for name in ("opdc_v1.html", "opdc_v2_sentence.html", "opdc_v3_title.html"):
            moment += timedelta(hours=5)
            arch.record_page(
                url="https://www.opdc.go.th/content/1200",
                status=200,
                headers={},
                body=(FIXTURES / "archive" / name).read_bytes(),
                site="opdc",
                fetched_at=moment,
            )


def archived_texts(arch: Archive) -> list[tuple[int, str, str]]:
    """Return (article id, title, text) of every version."""
    with arch.reading() as conn:
        rows = conn.execute(select(versions.c.article_id, versions.c.title, versions.c.text))
        return [(r.article_id, r.title or "", r.text) for r in rows]


def holds(text: str, string: str) -> bool:
    """True if ``string`` occurs in ``text`` as Thai words can: where it starts or ends with
    a Thai letter, on a boundary of pythainlp's character clusters of the text around it."""
    at = text.find(string)
    while at >= 0:
        first = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
        stop = min((i for i in (text.find(" ", at), text.find("\n", at)) if i >= 0), default=-1)
        chunk = text[first:] if stop < at + len(string) else text[first:stop]
        bounds = {0} | tcc_pos(chunk)
        starts_ok = not THAI.match(string) or at - first in bounds
        ends_ok = not THAI.match(string[-1]) or at - first + len(string) in bounds
        if starts_ok and ends_ok:
            return True
        at = text.find(string, at + 1)
    return False


class Oracle:
    """The answer a search must give, computed from the archived texts alone."""

    def __init__(self, arch: Archive) -> None:
        self.texts = [
            (article_id, normalize_text(title).lower(), searchable_text(title, text))
            for article_id, title, text in archived_texts(arch)
        ]
        with arch.reading() as conn:
            rows = conn.execute(select(articles.c.id, articles.c.last_changed))
            self.changed = dict(rows.all())

    def answer(self, query: Query) -> list[int]:
        """Return the article ids a search for ``query`` must give, in order: title hits
        first, then the rest, each most recently changed first."""
        in_title = {a for a, t, _ in self.texts if all(holds(t, s) for s in query.strings)}
        anywhere = {a for a, _, t in self.texts if all(holds(t, s) for s in query.strings)}

        def ordered(ids: set[int]) -> list[int]:
            return sorted(ids, key=lambda i: (self.changed[i], i), reverse=True)

        return ordered(in_title) + ordered(anywhere - in_title)
