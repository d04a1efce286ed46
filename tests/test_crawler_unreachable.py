"""Sites that do not answer: the crawl fails with one line per site naming the error (refused,
timeout, TLS; DNS from the exception Twisted raises), Scrapy's tracebacks stay out of the
terminal unless -v, and ``opdcwatch health`` says "unreachable". Every server is on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from OpenSSL import SSL
from scrapy.exceptions import CannotResolveHostError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.profile import write_replica_profile
from crawler.fetch_errors import describe, error_kind
from tests.cli_helpers import opdcwatch

PROFILE = """\
name = "{name}"
start_urls = ["{url}news.php?page=1"]
articles = ['content\\.php\\?content_id=\\d+']
follow = ['news\\.php\\?page=\\d+']

[settings]
RETRY_TIMES = 0
DOWNLOAD_TIMEOUT = 1
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = false
"""


def _failure(exc: BaseException) -> Failure:
    try:
        raise exc
    except BaseException:
        return Failure()


def test_error_kinds_from_twisted_and_scrapy_exceptions():
    try:
        try:
            raise DNSLookupError("no results for hostname lookup: www.opdc.go.thh.")
        except DNSLookupError as inner:
            raise CannotResolveHostError(str(inner)) from inner
    except CannotResolveHostError:
        wrapped = Failure()
    assert error_kind(wrapped) == "DNS"
    assert describe(wrapped).startswith("DNS lookup failed: no results for hostname lookup")
    assert error_kind(_failure(ConnectionRefusedError())) == "refused"
    tls = ResponseNeverReceived(
        [_failure(SSL.Error([("SSL routines", "", "wrong version number")]))]
    )
    assert (error_kind(tls), describe(tls)) == ("TLS", "TLS handshake failed: wrong version number")
    assert error_kind(_failure(ValueError("odd"))) == "other"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _profile(folder: Path, name: str, url: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(PROFILE.format(name=name, url=url), encoding="utf-8")
    return path


def test_unreachable_sites_fail_with_one_line_each_and_health_says_why(tmp_path, silent_server):
    with ReplicaServer(ReplicaSite(10, slow_seconds=0.1)) as plain_http:
        tls_url = plain_http.base_url.replace("http://", "https://")
        profiles = [
            _profile(tmp_path, "dead", _closed_port_url()),
            _profile(tmp_path, "silent", silent_server),
            _profile(tmp_path, "tls", tls_url),
        ]
        db = f"sqlite:///{tmp_path / 'a.db'}"
        args = ["crawl", "dead", "silent", "tls", "--db", db]
        for path in profiles:
            args += ["--profile", str(path)]
        log = tmp_path / "crawl.log"
        proc = opdcwatch(*args, "-s", f"LOG_FILE={log}", cwd=tmp_path)
        verbose = opdcwatch("-v", *args, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert [line.split(": ")[2:4] for line in lines] == [
        ["dead", "unreachable (refused)"],
        ["silent", "unreachable (timeout)"],
        ["tls", "unreachable (TLS)"],
    ], proc.stderr
    assert all(line.startswith("opdcwatch: error: ") for line in lines)
    assert "TLS handshake failed" in lines[2] and "news.php?page=1" in lines[0]
    assert "(failed)" in proc.stdout.splitlines()[0]
    # Scrapy's own errors and tracebacks (robots.txt, retries) only with -v
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr and "scrapy" in verbose.stderr
    assert "Traceback" not in proc.stderr and "scrapy" not in proc.stderr
    kept = log.read_text(encoding="utf-8")  # -s LOG_FILE keeps all of it
    assert "Traceback" in kept and "INFO scrapy" in kept and "took longer than 1.0" in kept

    health = opdcwatch("health", "--db", db, cwd=tmp_path)
    assert health.returncode == 1, health.stdout + health.stderr
    assert "! unreachable: unreachable (refused): the site has never answered (2 crawls): " in (
        health.stdout
    )
    assert "unreachable (timeout)" in health.stdout and "unreachable (TLS)" in health.stdout
    assert "layout" not in health.stdout and "failing" not in health.stdout
    runs = opdcwatch("runs", "--site", "dead", "--db", db, cwd=tmp_path)
    assert "    unreachable: refused" in runs.stdout


def test_a_site_that_worked_and_went_down_is_unreachable_not_redesigned(tmp_path, fixtures_dir):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    server = ReplicaServer(ReplicaSite(10, slow_seconds=0.1)).start()
    try:
        profile = write_replica_profile(
            tmp_path, server.base_url, fixtures_dir / "crawler" / "replica.toml"
        )
        args = ["crawl", "replica", "--profile", str(profile), "--db", db]
        assert opdcwatch(*args, cwd=tmp_path).returncode == 0
    finally:
        server.stop()  # the machine goes offline: its port now refuses
    down = opdcwatch(*args, cwd=tmp_path)
    assert down.returncode == 1
    assert down.stderr.startswith("opdcwatch: error: replica: unreachable (refused): ")
    once = opdcwatch("health", "--db", db, cwd=tmp_path)
    assert once.returncode == 0, once.stdout  # one failed crawl is not yet a verdict
    assert opdcwatch(*args, cwd=tmp_path).returncode == 1
    twice = opdcwatch("health", "--db", db, cwd=tmp_path)
    assert twice.returncode == 1
    assert "unreachable (refused): the site gave no answer in its last 2 crawls" in twice.stdout
    assert "no-articles" not in twice.stdout
    gone = opdcwatch("articles", "--gone", "--db", db, cwd=tmp_path)
    assert gone.stdout == "no article is gone\n"  # a dead server removes nothing
