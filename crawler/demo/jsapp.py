"""A replica news site built by JavaScript: the fixture of rendering (``[render]``).

Its article pages are empty shells ("กำลังโหลด…") whose body a script fetches as JSON after
the page has loaded, as agency sites built on front-end frameworks do; a plain crawl archives
nothing from them. Routes:

- ``/app/``: a plain HTML listing (articles 1-3, the Next.js-style page, a robots-disallowed
  article, the JavaScript listing);
- ``/app/latest``: a listing whose links a script builds from ``/api/latest.json`` (with
  ``huge_repeat``, also a page whose script makes it that many bodies long);
- ``/app/news/N``: the shells; the same ETag / Last-Modified whatever their article says (a
  304 to a conditional request), ``?repeat=K`` makes the script add K copies of the body;
- ``/api/news/N.json``, ``/api/latest.json``: what the scripts fetch;
- ``/app/next/N``: a page that holds its body only in ``__NEXT_DATA__`` (no browser needed);
- ``/private/news/N``: an article robots.txt disallows; ``/static/...``: 404s, counted.

``python -m crawler.demo.jsapp`` serves it until killed and prints its URL.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from string import Template
from urllib.parse import parse_qs, urlsplit

from crawler.demo.server import write_reply
from crawler.demo.site import SEED_FILES, data_text, load_seed, thai_date

logger = logging.getLogger(__name__)

SHELL_ETAG = '"app-shell-v1"'  # the shell never changes; what its script loads does
SHELL_LAST_MODIFIED = "Mon, 05 Jan 2026 02:00:00 GMT"
INDEX_IDS = (1, 2, 3)  # the articles the plain listing links; the others only /app/latest
NEXT_ID = 1
PRIVATE_ID = 99


class JsAppSite:
    """The articles (Thai seed texts) and what was requested, with which headers."""

    def __init__(
        self, n_articles: int = 6, *, fetch_delay_ms: int = 50, huge_repeat: int = 0
    ) -> None:
        self.fetch_delay_ms = fetch_delay_ms
        self.huge_repeat = huge_repeat  # > 0: /app/latest also links a page rendered that big
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.articles: dict[int, dict[str, object]] = {}
        for number in range(1, n_articles + 1):
            seed = load_seed(SEED_FILES[(number - 1) % len(SEED_FILES)])
            title = seed.title if number <= len(SEED_FILES) else f"{seed.title} ({number})"
            self.articles[number] = {
                "title": title,
                "date": thai_date(seed.published),
                "paragraphs": list(seed.paragraphs),
            }
        seed = load_seed(SEED_FILES[-1])
        self.articles[PRIVATE_ID] = {
            "title": "ข่าวภายใน",
            "date": thai_date(seed.published),
            "paragraphs": list(seed.paragraphs),
        }

    def edit(self, number: int, old: str, new: str) -> None:
        """Change a sentence of an article's JSON: the shell (and its ETag) stays the same."""
        with self.lock:
            article = self.articles[number]
            article["paragraphs"] = [p.replace(old, new) for p in article["paragraphs"]]  # type: ignore[attr-defined]

    def record(self, path: str, conditional: bool) -> None:
        with self.lock:
            self.hits[path] += 1
            if conditional:
                self.conditional[path] += 1

    def public_ids(self) -> list[int]:
        return [n for n in self.articles if n != PRIVATE_ID]


def _render(template: str, **values: object) -> bytes:
    return Template(data_text(template)).substitute(**values).encode("utf-8")


class JsAppHandler(BaseHTTPRequestHandler):
    """Serves one request from the server's :class:`JsAppSite`."""

    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args) -> None:
        logger.debug("jsapp: " + format, *args)

    def send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        write_reply(self, status, body, content_type, headers)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        site = self.server.site
        target = urlsplit(self.path)
        path, query = target.path, parse_qs(target.query)
        conditional = bool(
            self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
        )
        site.record(path, conditional)
        parts = path.strip("/").split("/")
        number = (
            int(parts[-1].removesuffix(".json"))
            if parts[-1].removesuffix(".json").isdigit()
            else None
        )
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif path == "/app/":
            self.send(200, self.index(), html)
        elif path == "/app/latest":
            self.send(200, _render("app-latest.html"), html)
        elif path == "/api/latest.json":
            items = [
                {"href": f"/app/news/{n}", "title": site.articles[n]["title"]}
                for n in site.public_ids()
            ]
            if site.huge_repeat:
                href = f"/app/news/1?repeat={site.huge_repeat}"
                items.append({"href": href, "title": "ข่าวฉบับเต็ม (ภาคผนวก)"})
            self.send(200, json.dumps(items, ensure_ascii=False).encode(), "application/json")
        elif number in site.articles and parts[:2] in (["app", "news"], ["private", "news"]):
            self.shell(number, query)
        elif number in site.articles and parts[:2] == ["api", "news"]:
            data = dict(site.articles[number])
            data["repeat"] = int((query.get("repeat") or ["0"])[0])
            self.send(200, json.dumps(data, ensure_ascii=False).encode(), "application/json")
        elif path == f"/app/next/{NEXT_ID}":
            self.send(200, self.next_page(NEXT_ID), html)
        else:
            self.send(404, "<html><body><h1>ไม่พบหน้าที่ต้องการ</h1></body></html>".encode(), html)

    def index(self) -> bytes:
        site = self.server.site
        links = [(f"/app/news/{n}", site.articles[n]["title"]) for n in INDEX_IDS]
        links.append((f"/app/next/{NEXT_ID}", "ข่าวเด่น (Next.js)"))
        links.append((f"/private/news/{PRIVATE_ID}", "ข่าวภายใน"))
        items = "\n".join(f'<li><a href="{href}">{title}</a></li>' for href, title in links)
        return _render("app-index.html", items=items)

    def shell(self, number: int, query: dict[str, list[str]]) -> None:
        validators = {"ETag": SHELL_ETAG, "Last-Modified": SHELL_LAST_MODIFIED}
        if self.headers.get("If-None-Match") == SHELL_ETAG:
            self.send(304, b"", "text/html", validators)
            return
        api = f"/api/news/{number}.json"
        if query.get("repeat"):
            api += f"?repeat={int(query['repeat'][0])}"
        body = _render("app-shell.html", api=api, delay=self.server.site.fetch_delay_ms)
        self.send(200, body, "text/html; charset=utf-8", validators)

    def next_page(self, number: int) -> bytes:
        article = self.server.site.articles[number]
        html = "".join(f"<p>{p}</p>" for p in article["paragraphs"])  # type: ignore[attr-defined]
        data = {
            "props": {"pageProps": {"article": {"title": article["title"], "contentHtml": html}}},
            "page": "/app/next/[id]",
        }
        # "</" inside a JSON script would end it: Next.js escapes it the same way
        next_data = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        return _render("app-next.html", title=article["title"], next_data=next_data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: JsAppSite) -> None:
        self.site = site
        super().__init__(address, JsAppHandler)

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class JsAppServer:
    """Serves a :class:`JsAppSite` from a background thread; use as a context manager."""

    def __init__(self, site: JsAppSite | None = None, host: str = "127.0.0.1", port: int = 0):
        self.site = site or JsAppSite()
        self.httpd = _Server((host, port), self.site)
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def __enter__(self) -> JsAppServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="jsapp", daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)


def main(argv: list[str] | None = None) -> None:
    """Serve the site until killed; ``--articles N``; the first line printed is its URL."""
    import argparse
    import contextlib
    import signal

    parser = argparse.ArgumentParser(prog="python -m crawler.demo.jsapp", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--articles", type=int, default=6)
    args = parser.parse_args(argv)
    with JsAppServer(JsAppSite(args.articles), port=args.port) as server:
        print(server.base_url, flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
