"""A small news site of saved pages on 127.0.0.1, for the site-rules and fetch-log tests.

``/news/index.html`` lists the articles; ``/news/N.html`` serves whatever bytes the test put
there (``site.pages[N]``), with an ETag of their digest and 304 to a matching
``If-None-Match``, as the real sites the crawler re-fetches do. ``requests`` counts answers by
status.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "site-rules"


class PageSite:
    """Serves ``pages`` (article number -> HTML bytes) under ``/news/``."""

    def __init__(self, pages: dict[int, bytes]) -> None:
        self.pages = dict(pages)
        self.requests: Counter[int] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                body, etag = site._lookup(path)
                if body is None:
                    self._answer(404, "ไม่พบหน้า".encode())
                elif etag and self.headers.get("If-None-Match") == etag:
                    self._answer(304, b"", etag)
                else:
                    self._answer(200, body, etag)

            def _answer(self, status: int, body: bytes, etag: str | None = None) -> None:
                site.requests[status] += 1
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                if etag:
                    self.send_header("ETag", etag)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _lookup(self, path: str) -> tuple[bytes | None, str | None]:
        if path == "/news/index.html":
            links = "".join(
                f'<li><a href="/news/{n}.html">ข่าวประชาสัมพันธ์ฉบับที่ {n}</a></li>'
                for n in sorted(self.pages)
            )
            page = f"<html><body><h1>ข่าวประชาสัมพันธ์</h1><ul>{links}</ul></body></html>"
            return page.encode(), None
        name = path.removeprefix("/news/").removesuffix(".html")
        if path.startswith("/news/") and name.isdigit() and int(name) in self.pages:
            body = self.pages[int(name)]
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            return body, etag
        return None, None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> PageSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def fixture_page(name: str) -> bytes:
    """The bytes of a page under tests/fixtures/site-rules/."""
    return (FIXTURES / name).read_bytes()


def write_site_profile(folder: Path, base_url: str, rules: str = "", name: str = "agency") -> Path:
    """Write tests/fixtures/site-rules/profile.toml for the site at ``base_url``, with ``rules``
    (TOML lines: ignore, remove, jitter, notify...) added at the top level."""
    text = Template((FIXTURES / "profile.toml").read_text(encoding="utf-8"))
    path = folder / f"{name}.toml"
    path.write_text(text.substitute(base=base_url, rules=rules, name=name), encoding="utf-8")
    return path
