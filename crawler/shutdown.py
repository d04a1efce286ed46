"""Stopping a crawl on SIGTERM or Ctrl-C within a few seconds, whatever the servers do.

Scrapy's graceful stop closes the spider once the downloads in flight end, and a server that
trickles a page holds one for DOWNLOAD_TIMEOUT (30 s by default, each retry again): the
scheduler's SIGTERM, a worker's shutdown or a user's Ctrl-C waited that long, and a second
signal killed the reactor without recording the run. :class:`PromptStopProcess` lets the
downloads in flight have ``OPDCWATCH_STOP_GRACE`` seconds, then aborts their connections.
Their requests fail at once, the spider does not count them (it was told it is stopping) and
leaves them unfinished, so ``--resume`` asks for them again, and nothing is retried any more;
the engine then closes as in any graceful stop: what was fetched is archived and the run is
recorded as interrupted.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import CrawlerProcess
from twisted.internet import task

logger = logging.getLogger(__name__)

ABORT_INTERVAL = 0.5  # seconds between two rounds of aborting, once the grace is over


class PromptStopProcess(CrawlerProcess):
    """CrawlerProcess whose first SIGTERM / SIGINT ends the downloads in flight after a grace."""

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor

        super()._signal_shutdown(signum, frame)
        reactor.callFromThread(self._abort_after_grace)

    def _abort_after_grace(self) -> None:
        from twisted.internet import reactor

        grace = min(
            (c.settings.getfloat("OPDCWATCH_STOP_GRACE") for c in self.crawlers), default=0.0
        )
        for crawler in self.crawlers:
            spider: Any = crawler.spider
            if spider is not None:
                spider.stopping = True
        # again and again: a download that was queued in a slot may still start meanwhile
        aborting = task.LoopingCall(abort_downloads)
        task.deferLater(reactor, grace, aborting.start, ABORT_INTERVAL)


def abort_downloads() -> int:
    """Abort every outgoing TCP connection of the reactor (in a crawl process: the downloads);
    return how many."""
    from twisted.internet import reactor as installed
    from twisted.internet import tcp

    reactor: Any = installed  # the installed reactor, whatever its kind
    clients = {
        selectable
        for selectable in (*reactor.getReaders(), *reactor.getWriters())
        if isinstance(selectable, tcp.Client)
    }
    for client in clients:
        client.abortConnection()
    if clients:
        logger.info("stopping: aborted %d download(s) still in flight", len(clients))
    return len(clients)
