"""The archive pipeline: each fetched article page becomes one archive transaction.

The archive's writes are blocking; Scrapy calls ``process_item`` in the reactor thread, one
page at a time, so a page is committed (or counted as an error) before the next is handled and
a crawl killed at any moment loses nothing already recorded.

The archive is the spider's (``opdcwatch crawl`` opens one per process and hands it to each
crawl) or, when the spider has none, one :meth:`ArchivePipeline.from_crawler` opens from the
``OPDCWATCH_DB`` setting and closes with the spider.

At the end it closes the run: its outcome (a crawl whose every start request failed has
failed, and one that got no answer at all names the network error), its counts, and the
articles it found removed or restored, for the summary the crawl command prints.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlalchemy.exc import SQLAlchemyError

from archive.events import how
from crawler.constants import COUNT_KEYS, EXTRA_COUNT_KEYS, STATS_PREFIX
from crawler.items import PageItem
from parsers.exceptions import OpdcwatchError

if TYPE_CHECKING:
    from archive import Archive
    from crawler.spiders.site import SiteSpider

logger = logging.getLogger(__name__)

# Scrapy close reasons that mean the crawl was stopped rather than finished.
INTERRUPTED_REASONS = frozenset({"shutdown", "cancelled"})
# how an article event counts in the run
EVENT_COUNTS = {"removed": "gone", "restored": "restored"}


def run_outcome(reason: str) -> str:
    """Map a Scrapy close reason to the archive's run outcome."""
    if reason in INTERRUPTED_REASONS:
        return "interrupted"
    if reason == "finished" or reason.startswith("closespider_"):
        return "ok"
    return "failed"


class ArchivePipeline:
    """Records pages and 304s in the spider's archive and the run around them."""

    def __init__(self, crawler: Crawler, own_archive: Archive | None = None) -> None:
        self.crawler = crawler
        self.own_archive = own_archive  # opened from OPDCWATCH_DB: closed with the spider
        self.run_id: Any = None
        self.started = time.monotonic()
        self.events: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        """Build the pipeline; open the archive of ``OPDCWATCH_DB`` if the spider has none."""
        own = None
        url = crawler.settings.get("OPDCWATCH_DB")
        if url and crawler.spider is not None and getattr(crawler.spider, "archive", None) is None:
            from archive import Archive

            own = Archive.open(url)
            # the revisit plan and the conditional requests read the archive the pages go to
            crawler.spider.archive = own  # type: ignore[attr-defined]
        pipeline = cls(crawler, own)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def spider(self) -> SiteSpider:
        """The crawl's spider: the pipeline serves :class:`SiteSpider` only."""
        return cast("SiteSpider", self.crawler.spider)

    @property
    def archive(self) -> Any:
        archive = getattr(self.crawler.spider, "archive", None)
        if archive is None:
            raise NotConfigured("the spider has no archive")
        return archive

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"{STATS_PREFIX}{key}")

    def counts(self) -> dict[str, int]:
        stats = self.crawler.stats
        return {
            key: stats.get_value(f"{STATS_PREFIX}{key}", 0)
            for key in (*COUNT_KEYS, *EXTRA_COUNT_KEYS)
        }

    def open_spider(self, spider: Any = None) -> None:
        spider = self.crawler.spider
        self.started = time.monotonic()
        if getattr(spider, "archive", None) is None:
            return
        worker = self.crawler.settings.get("OPDCWATCH_WORKER") or None
        self.run_id = self.archive.start_run(spider.name, worker=worker)
        spider.run_id = self.run_id
        logger.info("%s: run %s started", spider.name, self.run_id)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, PageItem) or getattr(self.crawler.spider, "archive", None) is None:
            return item
        fetched_at = datetime.now(UTC)
        try:
            if item.not_modified:
                result = self.archive.record_not_modified(
                    url=item.url, fetched_at=fetched_at, run_id=self.run_id
                )
            else:
                result = self.archive.record_page(
                    url=item.url,
                    status=item.status,
                    headers=item.headers,
                    body=item.body,
                    site=self.spider.name,
                    fetched_at=fetched_at,
                    article=item.article,
                    run_id=self.run_id,
                    options=self.spider.profile.parse_options,
                )
        except (OpdcwatchError, SQLAlchemyError) as exc:
            self.spider.note_error(item.url, f"archive: {exc}")
            return item
        if result.outcome == "gone" and result.article_id is None:
            self.count("skipped")  # a dead link to a page the archive never held
        elif result.event:
            self.count(EVENT_COUNTS[result.event])
            self.note_event(item, result.event, fetched_at)
        else:
            self.count("unchanged" if result.outcome == "gone" else result.outcome)
        if result.rebaselined:
            self.count("rebaselined")
        if item.not_modified:
            self.count("not_modified")
        logger.debug(
            "%s %s -> %s v%s", self.spider.name, item.url, result.outcome, result.version
        )
        return item

    def note_event(self, item: PageItem, event: str, fetched_at: datetime) -> None:
        status = 304 if item.not_modified else item.status
        self.events.append(
            {
                "kind": event,
                "url": item.url,
                "happened_at": fetched_at.isoformat(timespec="seconds"),
                "how": how(event, status, item.headers.get("Location")),
            }
        )
        logger.info("%s: %s %s", self.spider.name, event, item.url)

    def spider_closed(self, spider: Any, reason: str) -> None:
        outcome = run_outcome(reason)
        failure = spider.start_failure() if outcome != "interrupted" else None
        if failure:
            outcome = "failed"
        unreachable = spider.unreachable() if failure else None
        counts = self.counts()
        stats = self.crawler.stats
        spider.result = {
            "site": spider.name,
            "run_id": self.run_id,
            "outcome": outcome,
            "reason": reason,
            "failure": failure,
            "unreachable": unreachable,
            "events": self.events,
            "revisits": {
                "known": spider.revisit_plan.known,
                "due": spider.revisit_plan.due,
                "requested": stats.get_value(f"{STATS_PREFIX}revisits", 0),
            },
            "counts": counts,
            "not_modified": stats.get_value(f"{STATS_PREFIX}not_modified", 0),
            "conditional_requests": stats.get_value(f"{STATS_PREFIX}conditional_requests", 0),
            "response_bytes": stats.get_value("downloader/response_bytes", 0),
            "responses": stats.get_value("downloader/response_count", 0),
            "elapsed": round(time.monotonic() - self.started, 3),
            "errors": list(spider.errors),
            "reasons": dict(spider.reasons),
        }
        try:
            if self.run_id is None:
                return
            self.archive.finish_run(
                self.run_id,
                outcome=outcome,
                counts={key: counts[key] for key in COUNT_KEYS},
                errors=tuple(spider.errors),
                unreachable=unreachable,
                reasons=spider.reasons,
            )
        except (OpdcwatchError, SQLAlchemyError) as exc:
            logger.error(
                "%s: could not record the end of run %s: %s", spider.name, self.run_id, exc
            )
        finally:
            if self.own_archive is not None:
                self.own_archive.close()
