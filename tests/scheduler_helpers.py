"""Helpers for the scheduler's tests: local servers, profiles, and a daemon in a subprocess.

Everything listens on 127.0.0.1 with an ephemeral port: the redesigned press-release portal
(files under tests/fixtures/scheduler/redesign/), and a notification sink that receives what
apprise's ``json://`` notifier posts.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Any

from tests.cli_helpers import OPDCWATCH, child_env

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scheduler"


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, step: float = 0.2) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


def write_profile(folder: Path, template: str, base_url: str, schedule: str) -> Path:
    """Write a profile from a template under tests/fixtures/scheduler/ with its placeholders
    (``${base}``, ``${schedule}``; ``$$`` is a dollar sign)."""
    text = (FIXTURES / template).read_text(encoding="utf-8")
    path = folder / template
    path.write_text(Template(text).substitute(base=base_url, schedule=schedule), encoding="utf-8")
    return path


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class PortalServer:
    """The press-release portal, ``before`` or ``after`` its redesign (``phase``)."""

    def __init__(self) -> None:
        self.phase = "before"
        portal = self

        class Handler(_Quiet):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path == "/news/index.html":
                    file = FIXTURES / "redesign" / "index.html"
                elif path.startswith("/news/") and path.endswith(".html"):
                    file = FIXTURES / "redesign" / portal.phase / path.rsplit("/", 1)[1]
                else:
                    file = None
                if file is None or not file.is_file():
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.write("<html><body>ไม่พบหน้า</body></html>".encode())
                    return
                body = file.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> PortalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class NotificationSink:
    """Receives the JSON that apprise's ``json://`` notifier posts; ``fail`` answers 500."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(_Quiet):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                failing = self.path.startswith("/fail")
                if not failing:
                    with sink.lock:
                        sink.messages.append(json.loads(raw.decode("utf-8")))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The apprise URL of the sink."""
        return f"json://127.0.0.1:{self.httpd.server_address[1]}/hook"

    @property
    def failing_url(self) -> str:
        """An apprise URL on the sink that always answers 500."""
        return f"json://127.0.0.1:{self.httpd.server_address[1]}/fail"

    def received(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.messages)

    def __enter__(self) -> NotificationSink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class DaemonProcess:
    """``opdcwatch schedule run`` (or another ``command``) in a real subprocess, its output in
    a log file."""

    def __init__(
        self,
        args: Sequence[str],
        log: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        command: Sequence[str] = ("schedule", "run"),
    ) -> None:
        self.log_path = log
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [str(OPDCWATCH), *command, *args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_env(env),
            cwd=cwd,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM the daemon and return its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()


def daemon_heartbeat(db_url: str) -> dt.datetime | None:
    """The last heartbeat of the daemon on ``db_url``: written each time it polls its store."""
    from archive.exceptions import DatabaseUnavailableError
    from archive.store import Archive
    from crawler.monitor.jobstore import daemon_status

    try:
        archive = Archive.open(db_url, create=False)
    except DatabaseUnavailableError:
        return None
    with archive:
        status = daemon_status(archive)
    return status.heartbeat_at if status is not None else None


def wait_for_polls(db_url: str, after: dt.datetime, polls: int = 2, timeout: float = 30) -> None:
    """Wait until the daemon has polled its job store ``polls`` times after ``after``.

    A poll re-reads the store and starts what is due, so once the second poll after a moment
    has begun, whatever the daemon would have started by that moment has started: a test waits
    for that event instead of sleeping "long enough" to see that nothing happened.
    """
    beats: list[dt.datetime] = []

    def polled() -> bool:
        beat = daemon_heartbeat(db_url)
        if beat is not None and beat > after and (not beats or beat > beats[-1]):
            beats.append(beat)
        return len(beats) >= polls

    wait_for(polled, timeout, f"{polls} polls of the daemon after {after:%H:%M:%S.%f}", 0.1)


def list_runs(db_url: str, site: str | None = None) -> list[dict[str, Any]]:
    """The runs the archive holds, newest first."""
    from archive import queries
    from archive.exceptions import DatabaseUnavailableError
    from archive.store import Archive

    try:
        archive = Archive.open(db_url, create=False)
    except DatabaseUnavailableError:  # the daemon has not created it yet
        return []
    with archive:
        return queries.list_runs(archive, site=site)


def crawl_children(db_url: str) -> list[int]:
    """Pids of crawl processes (``python -m crawler.runner``) writing to ``db_url``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        text = [a.decode("utf-8", "replace") for a in args if a]
        if "crawler.runner" in text and db_url in text[-1]:
            found.append(int(entry.name))
    return found
