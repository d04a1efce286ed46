"""``opdcwatch serve`` as a user runs it: a real subprocess on 127.0.0.1, stopped by SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from tests.cli_helpers import OPDCWATCH
from tests.web_helpers import build_web_archive


def _serve(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(OPDCWATCH), "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def test_serve_answers_on_loopback_and_stops_cleanly_on_sigterm(tmp_path):
    db = tmp_path / "archive.db"
    ids = build_web_archive(f"sqlite:///{db}")
    proc = _serve("--port", "0", "--db", str(db))
    try:
        line = proc.stdout.readline()
        match = re.search(r"serving (http://127\.0\.0\.1:(\d+))/", line)
        assert match, line
        base = match.group(1)
        status, body, headers = _get(base + "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        status, body, headers = _get(f"{base}/articles/{ids['v1']}")
        assert status == 200 and "ยกระดับมาตรฐาน".encode() in body
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert _get(f"{base}/articles/4242")[0] == 404
        status, body, _ = _get(f"{base}/api/articles/{ids['v1']}")
        assert json.loads(body)["versions"] == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    assert "Traceback" not in proc.stderr.read()


def test_serve_refuses_a_missing_archive_in_one_line(tmp_path):
    proc = _serve("--port", "0", "--db", str(tmp_path / "nothing.db"))
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert err.startswith("opdcwatch: error: no archive at") and err.count("\n") == 1
    assert not (tmp_path / "nothing.db").exists()


def test_serve_reports_a_taken_port_in_one_line(tmp_path):
    db = tmp_path / "archive.db"
    build_web_archive(f"sqlite:///{db}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve("--port", str(port), "--db", str(db))
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert err.startswith(f"opdcwatch: error: cannot listen on 127.0.0.1:{port}")
    assert err.count("\n") == 1


def test_serve_help_has_an_example_and_defaults_to_loopback():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "opdcwatch serve" in result.output
    assert "default: 127.0.0.1" in result.output and "8000" in result.output


@pytest.mark.parametrize("port", ["-1", "70000", "http"])
def test_serve_rejects_bad_ports(port):
    result = CliRunner().invoke(cli, ["serve", "--port", port])
    assert result.exit_code == 2


def _schedule(db_url: str, site: str, schedule: str) -> None:
    """Put a site's job in the archive's job store, as ``opdcwatch schedule run`` does."""
    from archive import Archive
    from crawler.config import load_config
    from crawler.monitor.jobstore import JOB_FUNC, job_id, make_scheduler, stop_scheduler
    from crawler.monitor.triggers import parse_schedule

    config = load_config(None, env={}, cwd=Path(db_url.removeprefix("sqlite:///")).parent)
    with Archive.open(db_url) as arch:
        scheduler = make_scheduler(arch, config)
        scheduler.start(paused=True)
        scheduler.add_job(
            JOB_FUNC,
            trigger=parse_schedule(schedule, profile=site, timezone=config.scheduler.tzinfo()),
            id=job_id(site),
            name=site,
            args=[site],
            kwargs={"schedule": schedule},
            replace_existing=True,
        )
        stop_scheduler(scheduler, wait=False)


def test_home_shows_health_and_next_run_from_the_scheduler(tmp_path):
    from lxml import html as lxml_html

    from archive.web import create_app
    from crawler.cli.serve_cmd import scheduler_status
    from crawler.config import load_config

    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    build_web_archive(db_url)
    _schedule(db_url, "opdc", "every 6h")
    _schedule(db_url, "prnews", "0 7 * * *")
    app = create_app(db_url, site_status=scheduler_status(load_config(None, env={}, cwd=tmp_path)))
    try:
        doc = lxml_html.fromstring(app.test_client().get("/").get_data(as_text=True))
    finally:
        app.extensions["opdcwatch"].archive.close()
    rows = {
        r.xpath("string(td[1])").strip(): r for r in doc.xpath("//table[@class='sites']//tr[td]")
    }
    for site, schedule in (("opdc", "every 6h"), ("prnews", "0 7 * * *")):
        cells = rows[site].xpath("td")
        assert cells[-2].xpath("string(.//span[contains(@class,'badge')])") in ("ok", "unhealthy")
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", cells[-1].text_content()), site
        assert schedule in cells[-1].text_content()
