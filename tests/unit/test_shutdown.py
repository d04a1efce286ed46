"""SIGTERM / Ctrl-C stops a crawl within a grace, whatever the servers do (crawler.shutdown).

The reactor is the test's own (tests/unit/conftest.py), iterated by hand: the downloads here
are real TCP connections to a server on 127.0.0.1 in this process.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest
import scrapy.crawler
from twisted.internet.error import ConnectionAborted
from twisted.internet.protocol import ClientFactory, Protocol, ServerFactory, connectionDone
from twisted.internet.selectreactor import SelectReactor
from twisted.python.failure import Failure

from crawler.shutdown import ABORT_INTERVAL, PromptStopProcess, abort_downloads
from tests.unit.scrapy_helpers import make_spider, project_settings_dict, spin


class Download(Protocol):
    """The client side of a download that never ends: it records how it was lost."""

    def __init__(self) -> None:
        self.made = False
        self.lost: list[Failure] = []

    def connectionMade(self) -> None:
        self.made = True

    def connectionLost(self, reason: Failure = connectionDone) -> None:
        self.lost.append(reason)


@pytest.fixture
def saved_signal_handlers() -> Iterator[None]:
    """Scrapy's handlers replace the process's SIGTERM / SIGINT ones: put them back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def _download(reactor: SelectReactor) -> Download:
    """A download in flight: a connection to a server that accepts and never answers."""
    server = reactor.listenTCP(0, ServerFactory.forProtocol(Protocol), interface="127.0.0.1")
    download = Download()
    reactor.connectTCP(
        "127.0.0.1", server.getHost().port, ClientFactory.forProtocol(lambda: download)
    )
    spin(reactor, lambda: download.made)
    return download


@pytest.fixture(autouse=True)
def process_logging_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A CrawlerProcess configures the whole process's logging and warnings when it is made:
    not in a test process shared with other tests."""
    monkeypatch.setattr(scrapy.crawler, "configure_logging", lambda *args: None)
    monkeypatch.setattr(scrapy.crawler, "log_scrapy_info", lambda *args: None)


def _process(*graces: float) -> tuple[PromptStopProcess, list[Any]]:
    process = PromptStopProcess(project_settings_dict())
    spiders = [make_spider(OPDCWATCH_STOP_GRACE=grace) for grace in graces]
    process.crawlers.update(spider.crawler for spider in spiders)
    return process, spiders


def test_abort_downloads_ends_the_outgoing_connections_only(reactor: SelectReactor) -> None:
    download = _download(reactor)
    assert abort_downloads() == 1  # not the listening port, not the server's side
    spin(reactor, lambda: bool(download.lost))
    assert download.lost[0].check(ConnectionAborted)
    assert abort_downloads() == 0


def test_after_the_grace_the_downloads_in_flight_are_aborted(reactor: SelectReactor) -> None:
    process, spiders = _process(0.0)
    download = _download(reactor)
    process._abort_after_grace()
    assert all(spider.stopping for spider in spiders)  # told first: it does not count them
    spin(reactor, lambda: bool(download.lost))
    assert download.lost[0].check(ConnectionAborted)
    # and again every ABORT_INTERVAL: a download queued in a slot may start meanwhile
    (again,) = reactor.getDelayedCalls()
    assert again.getTime() - reactor.seconds() == pytest.approx(ABORT_INTERVAL, abs=0.1)


def test_the_grace_is_the_shortest_of_the_crawls(reactor: SelectReactor) -> None:
    process, spiders = _process(3.0, 1.5)
    download = _download(reactor)
    process._abort_after_grace()
    assert all(spider.stopping for spider in spiders)
    (later,) = reactor.getDelayedCalls()
    assert later.getTime() - reactor.seconds() == pytest.approx(1.5, abs=0.1)
    reactor.iterate(0)
    assert download.lost == []  # within the grace the download may still end by itself


def test_a_crawler_whose_spider_is_not_built_yet_is_passed_over(reactor: SelectReactor) -> None:
    process, spiders = _process(2.0)
    process.crawlers.add(process.create_crawler(spiders[0].__class__))
    process._abort_after_grace()
    assert spiders[0].stopping


@pytest.mark.usefixtures("saved_signal_handlers")
def test_a_signal_stops_gracefully_and_a_second_one_kills(reactor: SelectReactor) -> None:
    process, spiders = _process(0.0)
    download = _download(reactor)
    process._signal_shutdown(signal.SIGTERM, None)
    assert signal.getsignal(signal.SIGTERM) == process._signal_kill
    assert signal.getsignal(signal.SIGINT) == process._signal_kill
    queued = list(reactor.threadCallQueue)
    reactor.threadCallQueue.clear()
    assert {call for call, *_ in queued} >= {
        process._graceful_stop_reactor,
        process._abort_after_grace,
    }
    for call, args, kwargs in queued:  # Scrapy's own graceful stop needs an installed reactor
        if call != process._graceful_stop_reactor:
            call(*args, **kwargs)
    spin(reactor, lambda: bool(download.lost))
    assert spiders[0].stopping and download.lost[0].check(ConnectionAborted)
    process._signal_kill(signal.SIGTERM, None)  # a second signal: no more grace
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    assert process._stop_reactor in [call for call, *_ in reactor.threadCallQueue]
