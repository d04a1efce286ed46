"""The live progress line a terminal user sees during a crawl (stderr, TTY only)."""

from __future__ import annotations

import sys
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.constants import COUNT_KEYS, STATS_PREFIX


def format_counts(site: str, counts: dict[str, int]) -> str:
    """Return ``site: pages 12, new 3, ...`` in the fixed order of COUNT_KEYS."""
    parts = ", ".join(f"{key} {counts.get(key, 0)}" for key in COUNT_KEYS)
    return f"{site}: {parts}"


class ProgressLine:
    """Rewrites one stderr line with the crawl's counters while it runs.

    Off when stderr is not a terminal (logs and pipes get only the final summary) or with
    ``OPDCWATCH_PROGRESS = False``.
    """

    def __init__(self, crawler: Crawler, stream: TextIO, interval: float) -> None:
        self.crawler = crawler
        self.stream = stream
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        stream = sys.stderr
        if not crawler.settings.getbool("OPDCWATCH_PROGRESS") or not stream.isatty():
            raise NotConfigured
        ext = cls(crawler, stream, crawler.settings.getfloat("OPDCWATCH_PROGRESS_INTERVAL"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def counts(self) -> dict[str, int]:
        stats = self.crawler.stats
        return {key: stats.get_value(f"{STATS_PREFIX}{key}", 0) for key in COUNT_KEYS}

    def show(self) -> None:
        name = getattr(self.crawler.spider, "name", "crawl")
        self.stream.write("\r\x1b[K" + format_counts(name, self.counts()))
        self.stream.flush()

    def spider_opened(self, spider) -> None:
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=True)

    def spider_closed(self, spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.stream.write("\r\x1b[K")
        self.stream.flush()
