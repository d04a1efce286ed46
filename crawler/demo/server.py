"""The replica's HTTP server: stdlib ThreadingHTTPServer on 127.0.0.1, port 0 by default.

Routes (the old OPDC site's PHP scheme): ``/`` home, ``/news.php?page=N`` listing (endless),
``/content.php?content_id=N`` articles (ETag / Last-Modified, 304 on a conditional request;
a 404 or a 302 to ``/`` for the ones phase 2 takes down),
``/calendar.php?month=N`` (an endless trap), ``/rss.xml``, ``/sitemap.xml``, ``/robots.txt``
(which disallows ``/private/``), and ``/_control/`` for tests and the benchmark:
``/_control/phase?set=2``, ``/_control/stats``, ``/_control/reset``.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Mapping
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from crawler.demo import pages, styled
from crawler.demo.site import BINARY_ID, ROLE_FLAKY, ROLE_SLOW, ReplicaArticle, ReplicaSite

logger = logging.getLogger(__name__)


def _int(query: dict[str, list[str]], key: str, default: int) -> int | None:
    values = query.get(key)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        return None


def _not_modified(headers, article: ReplicaArticle) -> bool:
    etags = headers.get("If-None-Match")
    if etags is not None:
        wanted = {tag.strip().removeprefix("W/") for tag in etags.split(",")}
        return article.etag in wanted or "*" in wanted
    since = headers.get("If-Modified-Since")
    if since:
        try:
            return article.last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def write_reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Send one whole answer, its length declared (no body for HEAD)."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


class ReplicaHandler(BaseHTTPRequestHandler):
    """Serves one request from the server's :class:`ReplicaSite`."""

    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as Scrapy expects from real servers
    disable_nagle_algorithm = True  # else small writes wait for delayed ACKs (40 ms each)

    def log_message(self, format: str, *args) -> None:
        logger.debug("replica: " + format, *args)

    @property
    def site(self) -> ReplicaSite:
        return self.server.site

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        # counted before the answer leaves, so a client that reads the stats next sees it
        target = urlsplit(self.path)
        key = target.path + (f"?{target.query}" if target.query else "")
        if not target.path.startswith("/_control/"):
            conditional = bool(
                self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
            )
            self.site.record(
                key, status, conditional=conditional, user_agent=self.headers.get("User-Agent", "")
            )
            self.uncount()
        write_reply(self, status, body, content_type, headers)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        target = urlsplit(self.path)
        query = parse_qs(target.query)
        path = target.path
        if path.startswith("/_control/"):
            self.control(path, query)
            return
        self.site.enter()
        self.counted = True
        try:
            if self.site.latency:
                time.sleep(self.site.latency)
            self.route(path, query)
        finally:
            self.uncount()

    def uncount(self) -> None:
        """Stop counting this request as in flight: before its answer leaves, so that a client
        that sends its next request on reading this answer is never counted twice."""
        if getattr(self, "counted", False):
            self.counted = False
            self.site.leave()

    def route(self, path: str, query: dict[str, list[str]]) -> None:
        style = self.site.style
        if style is not None:
            base = self.base_url.rstrip("/")
            if path == "/robots.txt":
                self.send(200, styled.robots(self.site, base), "text/plain")
                return
            self.send(*styled.answer(self.site, style.route(path, query), base))
            return
        if path == "/robots.txt":
            self.send(200, pages.render_robots(self.base_url), "text/plain")
        elif path == "/":
            self.send(200, pages.render_home(self.site))
        elif path == "/news.php":
            page = _int(query, "page", 1)
            if page is None or page < 1:
                self.send(400, b"bad page")
            else:
                self.send(200, pages.render_listing(self.site, page))
        elif path == "/calendar.php":
            month = _int(query, "month", 1) or 1
            self.send(200, pages.render_calendar(self.site, month))
        elif path == "/content.php":
            self.article(query)
        elif path == "/rss.xml":
            self.send(
                200,
                pages.render_rss(self.site, self.base_url),
                "application/rss+xml; charset=utf-8",
            )
        elif path == "/sitemap.xml":
            self.send(
                200,
                pages.render_sitemap(self.site, self.base_url),
                "application/xml; charset=utf-8",
            )
        elif path.startswith("/private/"):
            self.send(200, b"<html><body><h1>internal</h1></body></html>")
        else:
            self.send(404, "<html><body><h1>ไม่พบหน้าที่ต้องการ</h1></body></html>".encode())

    def article(self, query: dict[str, list[str]]) -> None:
        article_id = _int(query, "content_id", -1)
        if article_id == BINARY_ID and self.site.specials:
            self.send(200, pages.PDF_BYTES, "application/pdf")
            return
        article = self.site.article(article_id) if article_id is not None else None
        if article is None:
            self.send(404, "<html><body><h1>ไม่พบข่าวนี้</h1></body></html>".encode())
            return
        if self.site.redirects_home(article):
            self.send(302, b"", headers={"Location": self.base_url})
            return
        if article.role == ROLE_FLAKY and self.site.take_flaky_failure():
            self.send(
                503, b"<html><body>Service Unavailable</body></html>", headers={"Retry-After": "0"}
            )
            return
        if article.role == ROLE_SLOW:
            time.sleep(self.site.slow_seconds)
        validators = {
            "ETag": article.etag,
            "Last-Modified": format_datetime(article.last_modified, usegmt=True),
            "Cache-Control": "no-cache",
        }
        if _not_modified(self.headers, article):
            self.send(304, b"", "text/html", validators)
            return
        body, content_type = pages.render_article(self.site, article, self.base_url)
        self.send(200, body, content_type, validators)

    def control(self, path: str, query: dict[str, list[str]]) -> None:
        if path == "/_control/phase":
            phase = _int(query, "set", 0)
            try:
                self.site.set_phase(phase or 0)
            except ValueError as exc:
                self.send(400, str(exc).encode(), "text/plain")
                return
        elif path == "/_control/reset":
            self.site.reset_stats()
        elif path != "/_control/stats":
            self.send(404, b"no such control", "text/plain")
            return
        self.send(200, json.dumps(self.site.stats()).encode(), "application/json")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], site: ReplicaSite) -> None:
        self.site = site
        super().__init__(address, ReplicaHandler)

    def handle_error(self, request, client_address) -> None:
        """A client that hangs up mid-answer (a crawl killed or stopped) is no replica error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class ReplicaServer:
    """Serves a :class:`ReplicaSite` from a background thread; use as a context manager."""

    def __init__(
        self, site: ReplicaSite | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.site = site or ReplicaSite()
        self.httpd = _Server((host, port), self.site)
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> ReplicaServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="replica", daemon=True)
        self.thread.start()
        logger.info("replica site at %s", self.base_url)
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
