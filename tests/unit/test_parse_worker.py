"""Pages are parsed in one background thread; results come back in the reactor thread
(crawler.parse_worker). The reactor is the test's own (tests/unit/conftest.py)."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest
from twisted.internet.asyncioreactor import AsyncioSelectorReactor
from twisted.internet.selectreactor import SelectReactor
from twisted.python.failure import Failure

from crawler.parse_worker import ParseWorker
from parsers import parse_bytes
from tests.unit.scrapy_helpers import fixture, spin

LISTING_URL = "https://www.opdc.go.th/content.php?menu_id=3"


@pytest.fixture
def worker() -> Any:
    worker = ParseWorker(name="test-parse")
    yield worker
    worker.close()


def _in_thread(value: Any) -> tuple[str, Any]:
    return threading.current_thread().name, value


def test_a_page_is_parsed_off_the_reactor_thread_and_answered_in_it(
    reactor: SelectReactor, worker: ParseWorker
) -> None:
    fired: list[tuple[str, Any]] = []
    done = worker.run(
        parse_bytes, fixture("unit/opdc_listing.html"), url=LISTING_URL, content_type=None
    )
    done.addCallback(lambda article: fired.append((threading.current_thread().name, article)))
    spin(reactor, lambda: bool(fired))
    ((where, article),) = fired
    assert where == threading.current_thread().name  # the callback: in the reactor's thread
    assert article.url == LISTING_URL


def test_calls_run_one_at_a_time_in_order_in_the_worker_thread(
    reactor: SelectReactor, worker: ParseWorker
) -> None:
    results: list[tuple[str, Any]] = []
    for n in range(5):
        worker.run(_in_thread, n).addCallback(results.append)
    spin(reactor, lambda: len(results) == 5)
    assert results == [("test-parse", n) for n in range(5)]


def test_an_exception_goes_to_the_errback_and_the_worker_goes_on(
    reactor: SelectReactor, worker: ParseWorker
) -> None:
    failures: list[Failure] = []
    results: list[Any] = []
    worker.run(int, "สิบ").addErrback(failures.append)
    worker.run(_raise, KeyboardInterrupt()).addErrback(failures.append)  # not an Exception
    worker.run(_in_thread, "after").addCallback(results.append)
    spin(reactor, lambda: len(failures) == 2 and bool(results))
    assert failures[0].check(ValueError) and "สิบ" in str(failures[0].value)
    assert failures[1].check(KeyboardInterrupt)
    assert results == [("test-parse", "after")]


def _raise(exc: BaseException) -> None:
    raise exc


def test_close_lets_the_queued_calls_finish_then_the_thread_ends(reactor: SelectReactor) -> None:
    worker = ParseWorker()
    results: list[Any] = []
    for n in range(3):
        worker.run(_in_thread, n).addCallback(results.append)
    worker.close()
    worker._thread.join(5)
    assert not worker._thread.is_alive() and worker._thread.daemon
    spin(reactor, lambda: len(results) == 3)
    assert [n for _, n in results] == [0, 1, 2]


def test_a_parse_that_ends_after_the_reactor_stopped_is_dropped_quietly(
    reactor: SelectReactor,
    worker: ParseWorker,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The asyncio reactor's loop closed at the end of a crawl: nobody waits for the result."""
    import twisted.internet

    caplog.set_level(logging.DEBUG, logger="crawler.parse_worker")
    loop = asyncio.new_event_loop()
    stopped = AsyncioSelectorReactor(loop)
    loop.close()
    monkeypatch.setattr(twisted.internet, "reactor", stopped)
    late = worker.run(_in_thread, "late")
    monkeypatch.setattr(twisted.internet, "reactor", reactor)
    results: list[Any] = []
    worker.run(_in_thread, "next").addCallback(results.append)
    spin(reactor, lambda: bool(results))
    assert results == [("test-parse", "next")]
    assert not late.called
    assert "parse finished after the reactor stopped" in caplog.text
