"""Pages are parsed off the reactor thread, one at a time, so a slow page stalls no request.

Scrapy calls the spider's callbacks in the reactor thread: a page that takes seconds to parse
there stops every download, every timer and the signal handlers with it (a SIGTERM waited for
the parse). A :class:`ParseWorker` is one daemon thread fed through a queue. One, because
parsing holds the GIL: a second thread would only take turns with the first (the lxml parser
the parsers share serialises its users anyway). A daemon, so that a crawl stopping mid-parse
does not wait for it at exit (the parse budget bounds it anyway).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

T = TypeVar("T")
_STOP = object()


class ParseWorker:
    """Runs functions in one background thread; each call's result comes back as a Deferred."""

    def __init__(self, name: str = "opdcwatch-parse") -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def run(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> Deferred[T]:
        """Queue ``func(*args, **kwargs)``; the Deferred fires in the reactor thread."""
        from twisted.internet import reactor

        done: Deferred[T] = Deferred()
        self._jobs.put((func, args, kwargs, done, reactor))
        return done

    def close(self) -> None:
        """Let the thread end once the queued calls are done (they still fire)."""
        self._jobs.put(_STOP)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            func, args, kwargs, done, reactor = job
            try:
                result: Any = func(*args, **kwargs)
            except BaseException:  # handed to the caller's errback, as deferToThread does
                result = Failure()
            try:
                reactor.callFromThread(_fire, done, result)
            except RuntimeError:  # the reactor has stopped: nobody waits for it any more
                logger.debug("parse finished after the reactor stopped")


def _fire(done: Deferred[Any], result: Any) -> None:
    if isinstance(result, Failure):
        done.errback(result)
    else:
        done.callback(result)
