"""A news site on 127.0.0.1 that breaks every rule, for the fault suite (tests/test_faults.py).

Each article path of the listing (``tests/fixtures/faults/listing.html``) is one fault:
``/news/reset`` resets the connection, ``cut-length`` closes before its Content-Length,
``cut-close`` closes half-way with no length (whole again once ``whole`` is set),
``loop-self``, ``loop-a``/``loop-b``, ``chain-N`` (endless) and ``offsite`` redirect,
``bomb`` is a gzip bomb, ``huge`` declares 50 MB, ``trickle`` sends a byte at a time,
``rate`` answers 429 with an hour's Retry-After, ``broken`` 500 (any other name 404),
``nested`` nests its body 100,000 divs deep, ``charset`` is TIS-620 served as UTF-8.
``/private/`` is disallowed by robots.txt, which is served as ``robots`` says: "ok", "500",
"silent" (never answers) or "404"; its sitemap holds an entity bomb and an external entity
(XXE). Every request path is logged.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FAULTS = FIXTURES / "faults"
PAGES = FIXTURES / "pages"
BOMB_BYTES = 32 * 1024 * 1024  # zeros behind the gzip bomb: far past the test's 2 MB cap
NESTED_DEPTH = 100_000


def nested_page(page: str, depth: int) -> str:
    """The saved page with its first div nested ``depth`` deep instead."""
    start = page.index("<div>")
    end = page.rindex("</div>") + len("</div>")
    inner = page[start:end].replace("<div>", "").replace("</div>", "")
    return page[:start] + "<div>" * depth + inner + "</div>" * depth + page[end:]


class HostileHandler(BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.server.log(self.path)
        if path == "/robots.txt":
            self.robots()
        elif path == "/sitemap.xml":
            self.send(200, FAULTS.joinpath("sitemap-bomb.xml").read_bytes(), "application/xml")
        elif path == "/news/":
            self.send(200, FAULTS.joinpath("listing.html").read_bytes())
        elif path.startswith("/news/"):
            self.article(path.removeprefix("/news/"))
        elif path.startswith("/private/"):
            self.send(200, PAGES.joinpath("shopup_news_utf8.html").read_bytes())
        else:
            self.send(404, b"<html><body>not found</body></html>")

    # -- answers ---------------------------------------------------------------------------

    def send(
        self, status: int, body: bytes, kind: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, to: str) -> None:
        self.send(302, b"", Location=to)

    def raw(self, head: str, body: bytes = b"") -> None:
        """Write a response by hand (lengths that lie), then close the connection."""
        self.wfile.write(head.replace("\n", "\r\n").encode("latin-1") + b"\r\n" + body)
        self.wfile.flush()
        self.close_connection = True

    def robots(self) -> None:
        mode = self.server.robots
        if mode == "ok":
            self.send(200, FAULTS.joinpath("robots.txt").read_bytes(), "text/plain")
        elif mode == "500":
            self.send(500, b"<html><body>Internal Server Error</body></html>")
        elif mode == "silent":
            self.server.stopping.wait(30)
            self.close_connection = True
        else:
            self.send(404, b"<html><body>not found</body></html>")

    def article(self, name: str) -> None:
        page = PAGES.joinpath("opdc_new_utf8.html").read_bytes()
        if name == "ok":
            self.send(200, page)
        elif name == "sitemap-ok":
            self.send(200, PAGES.joinpath("thaipr_release_utf8.html").read_bytes())
        elif name == "charset":  # TIS-620 bytes, declared UTF-8
            self.send(200, PAGES.joinpath("opdc_old_tis620_undeclared.html").read_bytes())
        elif name == "nested":
            self.send(200, self.server.nested)
        elif name == "cut-close":
            head = "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nConnection: close\n"
            self.raw(head, page if self.server.whole else page[: len(page) // 2])
        elif name == "cut-length":
            head = f"HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: {len(page)}\n"
            self.raw(head, page[: len(page) // 2])
        elif name == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif name == "loop-self":
            self.redirect("/news/loop-self")
        elif name in ("loop-a", "loop-b"):
            self.redirect("/news/loop-b" if name == "loop-a" else "/news/loop-a")
        elif name.startswith("chain-"):
            self.redirect(f"/news/chain-{int(name.removeprefix('chain-')) + 1}")
        elif name == "offsite":
            self.redirect("http://elsewhere.example/news/moved")
        elif name == "bomb":
            self.send(200, self.server.bomb, Content_Encoding="gzip")
        elif name == "huge":
            self.raw("HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: 50000000\n")
        elif name == "trickle":
            self.trickle(page)
        elif name == "rate":
            self.send(429, b"<html><body>slow down</body></html>", Retry_After="3600")
        elif name == "broken":
            self.send(500, b"<html><body>Internal Server Error</body></html>")
        else:
            self.send(404, b"<html><body>not found</body></html>")

    def trickle(self, page: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        try:
            for byte in page:
                if self.server.stopping.wait(0.2):
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except OSError:  # the crawler gave up on us
            pass
        self.close_connection = True


class HostileServer(ThreadingHTTPServer):
    """The hostile site; a context manager that serves it in a thread."""

    daemon_threads = True

    def __init__(self, robots: str = "ok") -> None:
        super().__init__(("127.0.0.1", 0), HostileHandler)
        self.robots = robots
        self.whole = False  # cut-close comes whole
        self.requests: list[str] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.bomb = gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9)
        deep = FIXTURES.joinpath("parsers", "deeply_nested.html").read_text(encoding="utf-8")
        self.nested = nested_page(deep, NESTED_DEPTH).encode("utf-8")
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def log(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for p in self.requests if urlsplit(p).path == path)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
