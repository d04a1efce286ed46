"""Issue 14: a hostile site (tests/hostile_server.py) crawled through the command line.

Every request that ends without a page leaves its reason in the run, counted by kind, in
``runs --json``, the ``runs`` table and the web page; no fault makes a version (a body cut
short is retried on the next crawl and archived whole); robots.txt is fetched once per crawl
and read as RFC 9309 says when it fails; a long Retry-After is not waited for; 100,000 nested
divs are read in seconds; SIGTERM stops a crawl stuck on a trickling page within seconds.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from string import Template
from typing import Any

import pytest
from click.testing import CliRunner
from scrapy.http import HtmlResponse

from archive import Archive
from archive.web import create_app
from crawler.cli import cli
from crawler.profiles import load_registry
from crawler.reasons import cut_short
from crawler.runner import build_settings, run_crawl_subprocess
from tests.cli_helpers import opdcwatch
from tests.hostile_server import FAULTS, PAGES, HostileServer

NESTED_LINES = [
    "สำนักงานคณะกรรมการพัฒนาระบบราชการ (สำนักงาน ก.พ.ร.) จัดประชุมหารือแนวทางพัฒนางานบริการ "
    "ตอบสนองความต้องการของประชาชน",
    "นางอารีพันธ์ เจริญสุข รองเลขาธิการ ก.พ.ร. เดินหน้าระดมความคิดเห็น รับทราบความต้องการของประชาชน",
]
# the listing's faults, each counted once under its kind (loop-self and loop-a are two loops;
# cut-close and cut-length two bodies cut short; bomb and huge two bodies past the cap)
EVERY_FAULT = {
    "connection": 1,
    "truncated": 2,
    "redirect loop": 2,
    "too many redirects": 1,
    "off-site redirect": 1,
    "too large": 2,
    "timeout": 1,
    "rate limited": 1,
    "robots": 1,
    "HTTP 500": 1,
}


def profile(tmp_path: Path, base_url: str, page: str) -> Path:
    text = (FAULTS / "hostile.toml").read_text(encoding="utf-8")
    path = tmp_path / "hostile.toml"
    path.write_text(Template(text).safe_substitute(base=base_url, page=page), "utf-8")
    return path


def crawl(tmp_path: Path, server: HostileServer, db: str, page: str, *settings: str) -> Any:
    options = [item for name in settings for item in ("-s", name)]
    path = profile(tmp_path, server.base_url, page)
    return opdcwatch("crawl", "hostile", "--profile", str(path), "--db", db, *options, cwd=tmp_path)


def read(*args: str) -> Any:
    """Run a reading command in this process (the crawls run as the user runs them)."""
    return CliRunner().invoke(cli, list(args))


def read_json(tmp_path: Path, *args: str) -> Any:
    result = read(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_name(articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["url"].rsplit("/", 1)[1]: a for a in articles}


def test_every_fault_is_counted_by_kind_and_none_makes_a_version(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with HostileServer() as server:
        started = time.monotonic()
        first = crawl(tmp_path, server, db, "news/")
        took = time.monotonic() - started
        assert first.returncode == 0, first.stderr
        run = read_json(tmp_path, "runs", "--db", db)[0]
        assert (run["outcome"], run["reasons"]) == ("ok", EVERY_FAULT)
        assert "without a page: " in first.stdout
        archived = by_name(read_json(tmp_path, "articles", "--db", db))
        assert set(archived) == {"ok", "charset", "nested"}  # nothing cut short, no error page
        assert took < 40  # the trickle's timeouts, not a 100,000-deep parse, bound the crawl

        expected = json.loads((PAGES / "opdc_old_tis620_undeclared.expected.json").read_text())
        assert archived["charset"]["title"] == expected["title"]  # TIS-620 served as UTF-8
        nested = read_json(tmp_path, "show", archived["nested"]["url"], "--db", db)
        assert nested["text"].split("\n") == NESTED_LINES

        assert server.count("/robots.txt") == 1  # once, for the rules and the sitemap alike
        with Archive.open(db) as archive:  # kept for the crawls that find it failing
            assert "Disallow: /private/" in archive.cached_robots(server.base_url.rstrip("/"))
        assert server.count("/private/memo") == 0
        assert server.count("/news/rate") == 1  # an hour's Retry-After is not waited for
        leaks = [p for p in server.requests if "root:" in p or "lollol" in p]
        assert leaks == []  # the sitemap's external entity and entity bomb stay unexpanded

        table = read("runs", "--db", db).output
        assert "without a page: " in table and "redirect loop 2" in table
        app = create_app(db)
        try:
            home = app.test_client().get("/").get_data(as_text=True)
        finally:
            app.extensions["opdcwatch"].archive.close()
        assert "<li>redirect loop 2</li>" in home and "<li>too large 2</li>" in home

        server.whole = True  # the page cut short comes whole: archived now, once
        second = crawl(tmp_path, server, db, "news/")
        assert second.returncode == 0, second.stderr
        again = read_json(tmp_path, "runs", "--db", db)[0]
        assert again["reasons"]["truncated"] == 1  # cut-length still lies about its length
        archived = by_name(read_json(tmp_path, "articles", "--db", db))
        assert set(archived) == {"ok", "charset", "nested", "cut-close"}
        assert {name: a["versions"] for name, a in archived.items()} == dict.fromkeys(
            archived, 1
        )  # no false version, no false change


def test_a_failing_robots_txt_means_disallow_all_or_the_last_good_rules(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with HostileServer(robots="500") as server:
        failed = crawl(tmp_path, server, db, "news/ok")
        assert failed.returncode != 0
        run = read_json(tmp_path, "runs", "--db", db)[0]
        assert (run["outcome"], run["reasons"]) == ("failed", {"robots unavailable": 2})
        assert server.count("/news/ok") == 0 and server.count("/robots.txt") == 1  # no retries
        health = read("health", "--db", db)
        assert health.exit_code == 1 and "robots.txt did not answer (HTTP 500" in health.output

        with Archive.open(db) as archive:  # kept by a crawl that found it whole (test above)
            archive.save_robots(server.base_url.rstrip("/"), (FAULTS / "robots.txt").read_text())
        server.robots = "silent"  # never answers: the kept rules are used after one timeout
        started = time.monotonic()
        kept = crawl(tmp_path, server, db, "news/ok")
        took = time.monotonic() - started
        assert kept.returncode == 0, kept.stderr
        run = read_json(tmp_path, "runs", "--db", db)[0]
        assert (run["outcome"], run["reasons"], run["new"]) == ("ok", {"robots unavailable": 1}, 1)
        assert took < 15  # one robots.txt timeout (1 s here), not four tries twice over
        assert server.count("/robots.txt") == 2


def test_sigterm_stops_a_crawl_stuck_on_a_trickling_page_within_seconds(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    stop = threading.Event()
    with HostileServer() as server:
        path = profile(tmp_path, server.base_url, "news/trickle")
        found: dict[str, Any] = {}

        def run() -> None:
            found["summary"] = run_crawl_subprocess(
                ["hostile"],
                profile_files=[path],
                db_url=db,
                settings=["DOWNLOAD_TIMEOUT=120"],
                stop_event=stop,
                stop_timeout=60,
            )

        crawling = threading.Thread(target=run)
        crawling.start()
        deadline = time.monotonic() + 60
        while server.count("/news/trickle") == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        asked = time.monotonic()
        stop.set()
        crawling.join(90)
        assert time.monotonic() - asked < 10  # grace 2 s; Scrapy alone waited DOWNLOAD_TIMEOUT
    assert found["summary"].outcome == "interrupted"
    run = read_json(tmp_path, "runs", "--db", db)[0]
    assert (run["outcome"], run["errors"], run["reasons"]) == ("interrupted", 0, {})


@pytest.mark.parametrize(
    ("flags", "whole", "cut"),
    [
        (["partial"], False, True),  # ended by the server closing the connection, half-way
        (["partial"], True, False),
        ([], False, False),  # a declared length or chunks: the transport checked it
    ],
)
def test_a_body_without_a_length_is_cut_short_when_its_document_never_ends(
    flags: list[str], whole: bool, cut: bool
) -> None:
    page = (PAGES / "opdc_new_utf8.html").read_bytes()
    body = page if whole else page[: len(page) // 2]
    response = HtmlResponse("http://127.0.0.1/news/1", body=body, flags=flags)
    assert bool(cut_short(response)) is cut


def test_scrapys_remote_control_server_stays_off_unless_asked_for(tmp_path: Path) -> None:
    path = profile(tmp_path, "http://127.0.0.1:8/", "news/")
    loaded = load_registry([path], include_bundled=False)["hostile"]
    settings = build_settings(loaded, {}, jobdir=None, log_level="INFO")
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    asked = build_settings(loaded, {"REMOTE_CONTROL_ENABLED": True}, jobdir=None, log_level="INFO")
    assert asked.getbool("REMOTE_CONTROL_ENABLED") is True
