"""The revisit policy: which known articles a crawl fetches again, and how many at most.

A change monitor must notice an edit or a removal wherever the article is linked from, so
every crawl also requests the archived articles that are *due*, not only those a listing still
links to. The rule (stated for users in docs/crawler.md):

- An article first seen, changed or removed in the last ``recent_days`` is due at every
  crawl: that is when newsrooms correct and take down releases.
- An older article has been quiet for ``q`` days. It is due again ``quiet_share * q / v`` days
  after its last check, ``v`` being its number of versions (an article seen to change before is
  looked at more often), and never later than ``max_days`` after it.
- A crawl revisits at most ``crawl_share`` of its ``max_pages`` (no cap without ``max_pages``),
  the least recently checked first, so a site of 10,000 known articles is spread over several
  crawls and each article gets its turn. Conditional requests make each revisit of an
  unchanged article a bodiless 304.

Pure functions over :class:`archive.known.KnownArticle`-like records: the spider asks the
archive once per crawl and decides here, the benchmark simulates months of crawls with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

DAY = timedelta(days=1)


class Known(Protocol):
    """What the policy reads of an archived article (``archive.known.KnownArticle``)."""

    @property
    def url(self) -> str: ...
    @property
    def first_seen(self) -> datetime: ...
    @property
    def last_changed(self) -> datetime: ...
    @property
    def last_checked(self) -> datetime: ...
    @property
    def version_count(self) -> int: ...
    @property
    def gone_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class RevisitPolicy:
    """A site's revisit policy: the profile's ``[revisit]`` table over these defaults."""

    recent_days: float = 30.0
    max_days: float = 30.0
    quiet_share: float = 0.25
    crawl_share: float = 0.5

    def interval(self, article: Known, now: datetime) -> timedelta:
        """Return how long after its last check the article is due again (0: every crawl)."""
        last_event = article.last_changed  # the first sighting, the last edit
        if article.gone_at is not None:
            last_event = max(last_event, article.gone_at)
        quiet = now - last_event
        if quiet < self.recent_days * DAY:
            return timedelta(0)
        wait = quiet * self.quiet_share / max(article.version_count, 1)
        return min(wait, self.max_days * DAY)

    def is_due(self, article: Known, now: datetime) -> bool:
        """True when the article should be fetched again in a crawl starting ``now``."""
        return now - article.last_checked >= self.interval(article, now)

    def cap(self, max_pages: int | None) -> int | None:
        """Return the most revisits one crawl may make (None: no cap)."""
        if max_pages is None:
            return None
        return int(max_pages * self.crawl_share)


DEFAULT_POLICY = RevisitPolicy()


@dataclass(frozen=True)
class RevisitPlan:
    """What a crawl revisits: ``urls`` in order, out of ``due`` due articles of ``known``."""

    urls: Sequence[str]
    due: int
    known: int


def plan_revisits(
    articles: Iterable[Known], policy: RevisitPolicy, now: datetime, max_pages: int | None
) -> RevisitPlan:
    """Return the due articles, least recently checked first, cut to the policy's cap."""
    everything = list(articles)
    due = sorted(
        (a for a in everything if policy.is_due(a, now)), key=lambda a: (a.last_checked, a.url)
    )
    cap = policy.cap(max_pages)
    chosen = due if cap is None else due[:cap]
    return RevisitPlan([a.url for a in chosen], len(due), len(everything))
