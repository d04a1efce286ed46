"""The replica's content: which articles exist in which phase, and what each one looks like.

Articles are built from the seed texts in ``data/`` (cleaned from ``shared/seeds``); a larger
site (the benchmark's 2,000 articles) reuses them with numbered titles and rotated paragraphs,
so every article has its own content hash.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources

from crawler.demo.styles import UrlStyle
from parsers.constants import BE_OFFSET

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
FIRST_ID = 1001
ADDED_ID = 1500
OFFTOPIC_FIRST_ID = 2001
BINARY_ID = 9001
PRIVATE_ID = 7001
LAYOUTS = ("classic", "portal")
SEED_FILES = ("seed-000.txt", "seed-001.txt", "seed-002.txt", "seed-003.txt", "seed-004.txt")
OFFTOPIC_FILES = ("offtopic-001.txt", "offtopic-002.txt")

# Roles of the first articles of a site built with specials (index -> role).
ROLE_EDITED = "edited"
ROLE_RETITLED = "retitled"
ROLE_REMOVED = "removed"
ROLE_FLAKY = "flaky"
ROLE_SLOW = "slow"
ROLE_ARCHIVED_EDIT = "archived-edit"  # phase 2: off every listing, then corrected
ROLE_REDIRECTED = "redirected"  # phase 2: redirects to the home page (taken down)
SPECIAL_ROLES = {
    0: ROLE_EDITED,
    1: "cp874-header",
    2: "cp874-meta",
    3: "cp874-none",
    4: ROLE_FLAKY,
    5: ROLE_SLOW,
    6: ROLE_RETITLED,
    7: ROLE_REMOVED,
    8: ROLE_ARCHIVED_EDIT,
    9: ROLE_REDIRECTED,
}
# Phase 2 edits: the sentence that changes and the new title.
EDIT_OLD = "ผลิตโดยการใช้เครื่องพิมพ์ 3 มิติแห่งแรกในประเทศไทย"
EDIT_NEW = "ผลิตโดยการใช้เครื่องพิมพ์ 3 มิติรุ่นใหม่ล่าสุดแห่งแรกในประเทศไทย"
NEW_TITLE_PREFIX = "(แก้ไข) "
# Phase 2's quiet correction of an article no listing links any more: a typo fixed.
ARCHIVED_EDIT_OLD = "ได้รับมอบมหมายจากคณะรัฐมนตรี"
ARCHIVED_EDIT_NEW = "ได้รับมอบหมายจากคณะรัฐมนตรี"
# Roles whose article no listing, feed or sitemap links in phase 2.
UNLISTED_IN_PHASE2 = frozenset({ROLE_REMOVED, ROLE_ARCHIVED_EDIT, ROLE_REDIRECTED})
PHASE2_MODIFIED = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)


def thai_date(day: date) -> str:
    """Return ``21 กันยายน 2563``: day, Thai month name, Buddhist-era year."""
    return f"{day.day} {THAI_MONTHS[day.month - 1]} {day.year + BE_OFFSET}"


@dataclass(frozen=True)
class Seed:
    """One cleaned sample article from ``data/``."""

    title: str
    published: date
    category: str
    paragraphs: tuple[str, ...]


@cache
def load_seed(name: str) -> Seed:
    """Read a data file: ``key: value`` header lines, a blank line, paragraphs."""
    text = resources.files("crawler.demo").joinpath("data", name).read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    paragraphs = tuple(p.strip() for p in body.split("\n\n") if p.strip())
    return Seed(fields["title"], date.fromisoformat(fields["date"]), fields["category"], paragraphs)


@cache
def data_text(name: str) -> str:
    """Return a data file (a template or a list) as text."""
    return resources.files("crawler.demo").joinpath("data", name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class ReplicaArticle:
    """An article as served in one phase."""

    id: int
    title: str
    paragraphs: tuple[str, ...]
    published: date
    category: str
    role: str = "plain"
    modified: datetime | None = None
    url_path: str = ""  # where a site built with a URL style serves it

    @property
    def path(self) -> str:
        return self.url_path or f"/content.php?content_id={self.id}"

    @property
    def encoding(self) -> str:
        return "cp874" if self.role.startswith("cp874") else "utf-8"  # Python's windows-874

    @property
    def last_modified(self) -> datetime:
        if self.modified is not None:
            return self.modified
        return datetime(
            self.published.year, self.published.month, self.published.day, 2, tzinfo=UTC
        )

    @property
    def etag(self) -> str:
        digest = hashlib.sha1(
            "\n".join((self.title, *self.paragraphs)).encode("utf-8")
        ).hexdigest()[:20]
        return f'"{digest}"'


def _variant(seed: Seed, index: int, serial: int) -> tuple[str, tuple[str, ...]]:
    """Return a distinct title and body for the ``serial``-th reuse of a seed."""
    if serial == 0:
        return seed.title, seed.paragraphs
    shift = serial % len(seed.paragraphs)
    paragraphs = seed.paragraphs[shift:] + seed.paragraphs[:shift]
    note = f"ข่าวประชาสัมพันธ์ฉบับที่ {index + 1} ของสำนักงาน ก.พ.ร."
    return f"{seed.title} (ตอนที่ {serial + 1})", (*paragraphs, note)


class ReplicaSite:
    """The site's articles and mutable state (phase, per-path request counts).

    ``n_articles`` OPDC articles, two press releases not about OPDC (the keyword filter must
    drop them) and, with ``specials``, the hard cases (see SPECIAL_ROLES). ``layout`` is
    "classic" (a 2010-era page of 10-15 KB) or "portal" (36-52 KB: a mega-menu, a sidebar,
    inline CSS and scripts; see :mod:`crawler.demo.portal`).
    """

    def __init__(
        self,
        n_articles: int = 10,
        *,
        per_page: int = 5,
        specials: bool = True,
        slow_seconds: float = 1.0,
        latency: float = 0.0,
        layout: str = "classic",
        feed_items: int = 5,
        style: UrlStyle | None = None,
        related_links: int = 2,
    ) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
        if specials and n_articles < len(SPECIAL_ROLES):
            raise ValueError(
                f"a replica with specials needs at least {len(SPECIAL_ROLES)} articles"
            )
        self.layout = layout
        self.per_page = per_page
        self.feed_items = feed_items  # the newest articles the RSS feed carries
        self.style = style  # None: the classic content.php scheme (crawler.demo.styles)
        self.related_links = related_links  # older articles a styled article page links
        self.specials = specials
        self.slow_seconds = slow_seconds
        self.latency = latency  # seconds every answer waits: a distant, I/O-bound site
        self.phase = 1
        self.lock = threading.Lock()
        self.hits: dict[str, int] = {}
        self.conditional_hits: dict[str, int] = {}
        self.not_modified: dict[str, int] = {}
        self.statuses: dict[str, list[int]] = {}
        self.user_agents: set[str] = set()
        self.flaky_failed = False
        self.views = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._base = [self._styled(a) for a in self._build(n_articles)]
        # phase -> (articles newest first, articles by id), built once: the benchmark's server
        # must not be slower than the crawler it measures
        self._cache: dict[int, tuple[list[ReplicaArticle], dict[int, ReplicaArticle]]] = {}

    def _build(self, n: int) -> list[ReplicaArticle]:
        seeds = [load_seed(name) for name in SEED_FILES]
        built = []
        for i in range(n):
            seed = seeds[i % len(seeds)]
            title, paragraphs = _variant(seed, i, i // len(seeds))
            role = SPECIAL_ROLES.get(i, "plain") if self.specials else "plain"
            published = seed.published + timedelta(days=7 * (i // len(seeds)))
            built.append(
                ReplicaArticle(FIRST_ID + i, title, paragraphs, published, seed.category, role)
            )
        for j, name in enumerate(OFFTOPIC_FILES):
            seed = load_seed(name)
            built.append(
                ReplicaArticle(
                    OFFTOPIC_FIRST_ID + j,
                    seed.title,
                    seed.paragraphs,
                    seed.published,
                    seed.category,
                    "offtopic",
                )
            )
        return built

    def _styled(self, article: ReplicaArticle) -> ReplicaArticle:
        if self.style is None:
            return article
        return replace(article, url_path=self.style.article_path(article.id, article.published))

    # --- phases ------------------------------------------------------------------------------

    def set_phase(self, phase: int) -> None:
        """Switch the site to ``phase`` (1: as built; 2: what a newsroom does between two
        crawls: one sentence edited, one title changed, one new article, and among the older
        articles that drop off the listings, one corrected, one deleted (404) and one
        redirected to the home page)."""
        if phase not in (1, 2):
            raise ValueError("the replica has phases 1 and 2")
        with self.lock:
            self.phase = phase

    def added_article(self) -> ReplicaArticle:
        seed = load_seed(SEED_FILES[2])
        paragraphs = (
            "สำนักงาน ก.พ.ร. เปิดรับสมัครหน่วยงานภาครัฐเข้าร่วมประกวดรางวัลเลิศรัฐ ประจำปี 2569",
            *seed.paragraphs[1:4],
        )
        return self._styled(
            ReplicaArticle(
                ADDED_ID,
                "ก.พ.ร. เปิดรับสมัครรางวัลเลิศรัฐ ประจำปี 2569",
                paragraphs,
                date(2026, 1, 14),
                seed.category,
                "added",
                PHASE2_MODIFIED,
            )
        )

    def articles(self) -> list[ReplicaArticle]:
        """Return the listed articles of the current phase, newest first (the listing's order)."""
        return self._current()[0]

    def _current(self) -> tuple[list[ReplicaArticle], dict[int, ReplicaArticle]]:
        with self.lock:
            phase = self.phase
        cached = self._cache.get(phase)
        if cached is None:
            served = self._articles_of(phase)
            listed = [a for a in served if phase == 1 or a.role not in UNLISTED_IN_PHASE2]
            cached = self._cache[phase] = (listed, {a.id: a for a in served})
        return cached

    def _articles_of(self, phase: int) -> list[ReplicaArticle]:
        """Every article the site serves in ``phase`` (a redirected one included)."""
        current = []
        for article in self._base:
            if phase == 2:
                if article.role == ROLE_REMOVED:
                    continue
                if article.role in (ROLE_EDITED, ROLE_ARCHIVED_EDIT):
                    old, new = (
                        (EDIT_OLD, EDIT_NEW)
                        if article.role == ROLE_EDITED
                        else (ARCHIVED_EDIT_OLD, ARCHIVED_EDIT_NEW)
                    )
                    paragraphs = tuple(p.replace(old, new) for p in article.paragraphs)
                    article = replace(article, paragraphs=paragraphs, modified=PHASE2_MODIFIED)
                elif article.role == ROLE_RETITLED:
                    article = replace(
                        article, title=NEW_TITLE_PREFIX + article.title, modified=PHASE2_MODIFIED
                    )
            current.append(article)
        if phase == 2:
            current.append(self.added_article())
        return sorted(current, key=lambda a: (a.published, a.id), reverse=True)

    def article(self, article_id: int) -> ReplicaArticle | None:
        """Return the article served at ``article_id`` in this phase, listed or not."""
        return self._current()[1].get(article_id)

    def redirects_home(self, article: ReplicaArticle) -> bool:
        """True when the article answers with a redirect to the home page (taken down)."""
        with self.lock:
            phase = self.phase
        return phase == 2 and article.role == ROLE_REDIRECTED

    def opdc_articles(self) -> list[ReplicaArticle]:
        """The listed articles the OPDC keyword filter keeps (all but the off-topic ones)."""
        return [a for a in self.articles() if a.role != "offtopic"]

    def by_role(self, role: str) -> ReplicaArticle:
        """Return the (phase-independent id of the) article with a special role."""
        for article in self._base:
            if article.role == role:
                return article
        raise KeyError(role)

    # --- request accounting ------------------------------------------------------------------

    def record(self, path: str, status: int, *, conditional: bool, user_agent: str) -> None:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            self.statuses.setdefault(path, []).append(status)
            if conditional:
                self.conditional_hits[path] = self.conditional_hits.get(path, 0) + 1
            if status == 304:
                self.not_modified[path] = self.not_modified.get(path, 0) + 1
            self.user_agents.add(user_agent)

    def enter(self) -> None:
        """Count a request being served: ``max_in_flight`` is the politeness a crawl kept."""
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def next_view(self) -> int:
        with self.lock:
            self.views += 1
            return self.views

    def take_flaky_failure(self) -> bool:
        """Return True the first time only: the flaky article answers 503 once."""
        with self.lock:
            if self.flaky_failed:
                return False
            self.flaky_failed = True
            return True

    def reset_stats(self) -> None:
        with self.lock:
            self.hits.clear()
            self.conditional_hits.clear()
            self.not_modified.clear()
            self.statuses.clear()
            self.user_agents.clear()
            self.max_in_flight = self.in_flight

    def stats(self) -> dict:
        """Return the request accounting as JSON-ready data (for tests and the benchmark)."""
        with self.lock:
            return {
                "phase": self.phase,
                "hits": dict(self.hits),
                "conditional": dict(self.conditional_hits),
                "not_modified": dict(self.not_modified),
                "statuses": {k: list(v) for k, v in self.statuses.items()},
                "user_agents": sorted(self.user_agents),
                "max_in_flight": self.max_in_flight,
            }
