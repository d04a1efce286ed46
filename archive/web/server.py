"""Running the web app: a threaded WSGI server on 127.0.0.1 and the search indexer beside it.

Werkzeug's threaded server is enough for a read-only page that a handful of people open; it
needs no extra dependency and stops cleanly on SIGTERM (how systemd and containers stop it).
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import threading
from collections.abc import Callable
from types import FrameType

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from archive.exceptions import ArchiveError
from archive.web.access_log import RequestHandler
from archive.web.constants import (
    INDEX_SLICE_SECONDS,
    INDEXER_JOIN_SECONDS,
    LISTEN_BACKLOG,
    REINDEX_SECONDS,
)

logger = logging.getLogger(__name__)


class ServerStartError(ArchiveError):
    """Raised by :func:`start_server` when it cannot listen: the port is taken, the host is
    not an address of this machine, or the port needs privileges."""


def is_loopback(host: str) -> bool:
    """True if ``host`` is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def start_server(app: Flask, host: str, port: int) -> BaseWSGIServer:
    """Bind the app on ``host:port`` (port 0 picks a free one) without serving yet.

    The socket is bound here rather than by Werkzeug, which prints to stderr and exits on a
    taken port; the caller gets one clear error instead.
    """
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(address)
            listener.listen(LISTEN_BACKLOG)
        except OSError:
            listener.close()
            raise
    except OSError as exc:
        raise ServerStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    with listener:  # Werkzeug serves a duplicate of the descriptor
        return make_server(
            host, port, app, threaded=True, fd=listener.fileno(), request_handler=RequestHandler
        )


def keep_index_fresh(app: Flask, stop: threading.Event, every: float = REINDEX_SECONDS) -> None:
    """Index new versions for search until ``stop`` is set, so queries never wait long."""
    index = app.extensions["opdcwatch"].search
    while not stop.is_set():
        try:  # in slices, so that a stop request is honoured within seconds
            while not stop.is_set() and index.refresh(budget=INDEX_SLICE_SECONDS):
                pass
        except Exception:  # the page must keep serving; the next round retries
            logger.warning("search indexing failed; retrying in %s s", every, exc_info=True)
        stop.wait(every)


def serve_forever(server: BaseWSGIServer, app: Flask, on_stop: Callable[[], None]) -> None:
    """Serve until SIGINT or SIGTERM, with the indexer running in the background."""
    stop = threading.Event()
    indexer = threading.Thread(
        target=keep_index_fresh, args=(app, stop), name="search-indexer", daemon=True
    )

    def _terminate(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %s: stopping", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = signal.signal(signal.SIGTERM, _terminate)
    indexer.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        indexer.join(INDEXER_JOIN_SECONDS)  # let a batch in progress commit before closing
        app.extensions["opdcwatch"].archive.close()
        on_stop()
