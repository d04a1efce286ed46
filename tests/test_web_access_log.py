"""``opdcwatch serve``'s request handler: a raw UTF-8 query searches what was typed, and the
access log shows Thai as Thai, with no colour codes when stderr is not a terminal."""

from __future__ import annotations

import re
import signal
import socket
import subprocess

import pytest

from archive.web.access_log import ascii_target, readable_target
from tests.cli_helpers import OPDCWATCH, child_env
from tests.web_helpers import build_web_archive

QUERY = "ก.พ.ร."
ENCODED = "%E0%B8%81.%E0%B8%9E.%E0%B8%A3."


def test_targets_are_made_ascii_and_read_back_as_thai():
    raw = f"/articles?q={QUERY}".encode().decode("latin-1")  # as http.server reads it
    assert ascii_target(raw) == f"/articles?q={ENCODED}"
    assert ascii_target("/articles?q=a+b&site=x") == "/articles?q=a+b&site=x"
    assert readable_target(f"/articles?q={ENCODED}") == f"/articles?q={QUERY}"
    # a request cannot write a line of its own into the log, nor a terminal escape
    assert readable_target("/x%0A127.0.0.1 fake%1B[31m") == "/x\\x0a127.0.0.1 fake\\x1b[31m"


def _get(port: int, target: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(b"GET " + target + b" HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return data.decode("utf-8")


@pytest.fixture
def server(tmp_path):
    """``opdcwatch serve`` over the web corpus, stderr to a file (not a terminal)."""
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    build_web_archive(db)
    log = (tmp_path / "serve.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen(
        [str(OPDCWATCH), "serve", "--db", db, "--port", "0"],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        port = int(re.search(r":(\d+)/", first).group(1))
        yield port, proc, log
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        log.close()


def test_a_raw_utf8_query_is_searched_and_logged_as_thai(server):
    port, proc, log = server
    typed = _get(port, f"/articles?q={QUERY}".encode())  # as a hand-typed URL may arrive
    browser = _get(port, f"/articles?q={ENCODED}".encode())
    assert typed.startswith("HTTP/1.1 200")
    assert f'value="{QUERY}"' in typed  # the search box holds what was typed, not mojibake
    hits = re.findall(r'href="/articles/(\d+)"', browser)
    assert hits and re.findall(r'href="/articles/(\d+)"', typed) == hits
    assert _get(port, b"/nope").startswith("HTTP/1.1 404")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    log.seek(0)
    text = log.read()
    assert text.count(f'"GET /articles?q={QUERY} HTTP/1.0" 200') == 2
    assert '"GET /nope HTTP/1.0" 404' in text
    assert "\x1b[" not in text and "à¸" not in text and ENCODED not in text
