"""Rendering ([render]): the JavaScript-built replica crawled through the CLI, Scrapy,
Debian's Chromium (scrapy-playwright), the parsers and the archive.

The browser tests skip, saying why, where /usr/bin/chromium or scrapy-playwright is missing,
and fail instead under CI=true (CI installs both).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from archive import Archive
from archive.export import iter_versions
from archive.queries import list_runs
from crawler.demo.jsapp import NEXT_ID, PRIVATE_ID, JsAppServer, JsAppSite
from crawler.demo.profile import write_replica_profile
from crawler.middlewares import ConditionalRequestMiddleware
from crawler.profiles import load_profile
from crawler.rendering import BROWSER, CHROMIUM, META_RENDER, PLAIN, strip_validators
from crawler.runner import build_settings, run_crawl_subprocess
from tests.cli_helpers import child_env, opdcwatch

RENDER = Path(__file__).parent / "fixtures" / "crawler" / "render"
HUGE_REPEAT = 40  # the one page rendered past the profile's 256 KiB cap
EDIT_OLD = "มุ่งพัฒนาระบบราชการ"
EDIT_NEW = "มุ่งมั่นพัฒนาระบบราชการ"


def browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no {CHROMIUM}: apt-get install -y chromium to run the rendering tests"
    if importlib.util.find_spec("scrapy_playwright") is None:
        return "scrapy-playwright is not installed: pip install 'opdcwatch[render]'"
    return None


@pytest.fixture(scope="module")
def browser_ready() -> None:
    reason = browser_missing()
    if reason:
        if os.environ.get("CI") == "true":  # CI installs both: a skip there would hide a break
            pytest.fail(reason)
        pytest.skip(reason)


def profile_for(folder: Path, base_url: str, name: str) -> Path:
    return write_replica_profile(folder, base_url, RENDER / name, name=name)


def crawl(profile: Path, db: str, *extra: str):
    return opdcwatch("crawl", "jsapp", "--profile", str(profile), "--db", db, *extra)


@pytest.fixture(scope="module")
def rendered(browser_ready, tmp_path_factory):
    """Two rendered crawls of the replica, an article's JSON edited between them."""
    folder = tmp_path_factory.mktemp("render")
    db = f"sqlite:///{folder / 'archive.db'}"
    with JsAppServer(JsAppSite(huge_repeat=HUGE_REPEAT)) as server:
        profile = profile_for(folder, server.base_url, "jsapp-render.toml")
        log = folder / "first.log"
        first = crawl(profile, db, "-s", f"LOG_FILE={log}")
        hits = server.site.hits.copy()  # a Counter: 0 for a path never asked for
        served = json.loads(json.dumps(server.site.articles))  # as the first crawl saw them
        server.site.edit(1, EDIT_OLD, EDIT_NEW)
        second = crawl(profile, db)
        archive = Archive.open(db)
        try:
            versions = list(iter_versions(archive))
            runs = list_runs(archive)
            validators = archive.conditional_headers(server.base_url + "app/news/1")
        finally:
            archive.close()
        yield {
            "server": server,
            "db": db,
            "first": first,
            "hits": hits,
            "served": {int(number): article for number, article in served.items()},
            "second": second,
            "site": server.site,
            "versions": versions,
            "runs": runs,
            "validators": validators,
            "log": log.read_text(encoding="utf-8"),
        }


def test_rendering_archives_the_articles_scripts_build(rendered):
    first, site, base = rendered["first"], rendered["site"], rendered["server"].base_url
    assert first.returncode == 0, first.stderr
    # 6 shells (3 linked only by the listing a script builds) and the Next.js page
    assert "new 7," in first.stdout, first.stdout
    first_versions = {v["url"]: v for v in rendered["versions"] if v["version"] == 1}
    served = rendered["served"]
    expected = {base + f"app/news/{n}": served[n] for n in site.public_ids()}
    expected[base + f"app/next/{NEXT_ID}"] = served[NEXT_ID]
    assert set(first_versions) == set(expected)
    for url, article in expected.items():
        archived = first_versions[url]
        assert archived["title"] == article["title"], url
        assert archived["text"].startswith(article["paragraphs"][0][:60]), url
        assert archived["text"].endswith(article["paragraphs"][-1][-60:]), url
        assert "กำลังโหลด" not in archived["text"]


def test_only_pages_that_need_it_go_through_the_browser(rendered):
    hits = rendered["hits"]
    for number in (2, 3, 4):  # a plain try, then the browser (which fetched the JSON)
        assert hits[f"/app/news/{number}"] == 2
        assert hits[f"/api/news/{number}.json"] == 1
    assert hits["/app/news/1"] == 4  # and its ?repeat= twin
    assert hits[f"/app/next/{NEXT_ID}"] == 1  # its body is in __NEXT_DATA__: no browser
    assert hits["/app/latest"] == 2 and hits["/api/latest.json"] == 1
    assert hits["/app/"] == 1  # not in [render]: fetched as before
    assert hits[f"/private/news/{PRIVATE_ID}"] == 0  # robots.txt holds for rendered pages
    assert hits["/static/app.css"] >= 1  # a stylesheet is loaded ...
    assert hits["/static/banner.png"] == 0  # ... an image is blocked
    assert hits["/static/sarabun.woff2"] == 0  # ... and so is a font


def test_rendered_pages_send_and_keep_no_validators(rendered):
    site = rendered["site"]
    assert sum(site.conditional.values()) == 0  # after two crawls of pages that send ETags
    assert rendered["validators"] == {}


def test_a_change_behind_an_unchanged_shell_is_a_new_version(rendered):
    second = rendered["second"]
    assert second.returncode == 0, second.stderr
    # article 1 behind its shell, and the Next.js page that serves the same article's JSON
    assert "changed 2," in second.stdout, second.stdout
    url = rendered["server"].base_url + "app/news/1"
    texts = [v["text"] for v in rendered["versions"] if v["url"] == url]
    assert len(texts) == 2
    assert EDIT_OLD in texts[0] and EDIT_NEW not in texts[0] and EDIT_NEW in texts[1]


def test_one_browser_its_pages_closed_and_contexts_recycled(rendered):
    """From Scrapy's stats in the log: 8 pages rendered (6 shells, the listing, the page too
    large) in one browser, every page closed, a fresh context every 2 pages, at most 2 alive."""

    def stat(key: str) -> int:
        found = re.search(rf"'{re.escape(key)}': (\d+)", rendered["log"])
        assert found, key
        return int(found.group(1))

    assert stat("playwright/browser_count") == 1
    assert stat("playwright/page_count") == stat("playwright/page_count/closed") == 8
    assert stat("opdcwatch/rendered") == 8
    assert stat("playwright/context_count") == 4
    assert stat("playwright/context_count/max_concurrent") <= 2
    assert stat("opdcwatch/render_contexts_closed") == 3  # the last one: when the crawl ends
    assert stat("opdcwatch/render_not_needed/script") == 1  # the Next.js page


def test_a_page_rendered_past_the_size_cap_is_an_error(rendered):
    first = min(rendered["runs"], key=lambda run: run["id"])
    assert first["errors"] == 1
    assert f"repeat={HUGE_REPEAT}: too large: rendered page is" in first["error_text"]
    assert not any("repeat=" in v["url"] for v in rendered["versions"])


def test_without_render_a_shell_is_no_article(tmp_path):
    """The same site crawled plainly: the shells give no article, the JavaScript listing no
    link; only the page that holds its body in a JSON script is archived. No browser is
    started and playwright is never imported."""
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with JsAppServer(JsAppSite()) as server:
        profile = profile_for(tmp_path, server.base_url, "jsapp-plain.toml")
        script = (
            "import sys\nfrom crawler.cli import main\ntry:\n    main()\nexcept SystemExit:\n"
            "    pass\nprint('IMPORTED', sorted(m for m in sys.modules if 'playwright' in m))"
        )
        args = ["crawl", "jsapp", "--profile", str(profile), "--db", db]
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=120,
            check=False,
        )
        hits = dict(server.site.hits)
    assert "IMPORTED []" in done.stdout, done.stdout
    assert "new 1," in done.stdout and "errors 3 " in done.stdout, done.stdout
    assert not any(path.startswith("/api/") for path in hits)
    archive = Archive.open(db)
    try:
        runs, versions = list_runs(archive), list(iter_versions(archive))
    finally:
        archive.close()
    assert runs[0]["error_text"].count("builds its text in JavaScript") == 3
    assert [v["url"] for v in versions] == [server.base_url + f"app/next/{NEXT_ID}"]


def test_missing_chromium_is_one_line_and_exit_2(tmp_path):
    profile = profile_for(tmp_path, "http://127.0.0.1:9/", "jsapp-render.toml")
    missing = tmp_path / "no-chromium"
    done = crawl(profile, f"sqlite:///{tmp_path / 'a.db'}", "-s", f"OPDCWATCH_CHROMIUM={missing}")
    assert done.returncode == 2
    assert done.stderr == (
        f"opdcwatch: error: jsapp: [render] needs Chromium at {missing}, which is missing "
        "(apt-get install chromium)\n"
    )


def test_stopping_a_crawl_stops_its_browser(browser_ready, tmp_path):
    """Pages whose scripts never finish; the crawl is stopped (SIGTERM, as its time limit
    does) once the browser is at work, and no browser process outlives it (each found by a
    tag in its environment)."""
    tag = f"OPDCWATCH_TEST_TAG={uuid.uuid4().hex}".encode()
    key, _, value = tag.decode().partition("=")
    stop = threading.Event()
    with JsAppServer(JsAppSite(fetch_delay_ms=60_000)) as server:

        def stop_when_rendering() -> None:
            while not stop.wait(0.1):
                if any(n >= 2 for path, n in server.site.hits.items() if "/news/" in path):
                    stop.set()  # a shell asked for twice: the browser has it

        threading.Thread(target=stop_when_rendering, daemon=True).start()
        profile = profile_for(tmp_path, server.base_url, "jsapp-render.toml")
        summary = run_crawl_subprocess(
            ["jsapp"],
            profile_files=[profile],
            db_url=f"sqlite:///{tmp_path / 'a.db'}",
            timeout=90,
            stop_event=stop,
            stop_timeout=30,
            env=child_env({key: value}),
        )
    assert stop.is_set() and summary.outcome == "interrupted"
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if tag in Path(f"/proc/{pid}/environ").read_bytes():
                left.append(Path(f"/proc/{pid}/cmdline").read_bytes()[:60])
        except OSError:
            continue
    assert left == []


# --- the parts, without a browser ---------------------------------------------------------


def test_render_settings_only_for_profiles_with_a_render_table(tmp_path):
    rendering = load_profile(profile_for(tmp_path, "http://127.0.0.1:9/", "jsapp-render.toml"))
    plain = load_profile(profile_for(tmp_path, "http://127.0.0.1:9/", "jsapp-plain.toml"))
    assert (
        build_settings(plain, {}, jobdir=None, log_level="INFO").getdict("DOWNLOAD_HANDLERS") == {}
    )
    settings = build_settings(rendering, {}, jobdir=None, log_level="INFO")
    assert settings.getdict("DOWNLOAD_HANDLERS")["https"] == "crawler.browser.RenderingHandler"
    launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == "/usr/bin/chromium" and launch["headless"] is True
    assert "--no-sandbox" in launch["args"] and "--disable-quic" in launch["args"]
    assert settings.getlist("OPDCWATCH_RENDER_BLOCK") == ["image", "font", "media"]


def test_no_conditional_headers_on_pages_a_profile_renders():
    from scrapy import Request

    class FakeArchive:
        def conditional_headers(self, url):
            return {"If-None-Match": '"app-shell-v1"'}

    class FakeCrawler:
        class spider:
            archive = FakeArchive()

        class stats:
            @staticmethod
            def inc_value(key, n=1):
                pass

    middleware = ConditionalRequestMiddleware(FakeCrawler())
    for render, expected in ((None, b'"app-shell-v1"'), (PLAIN, None), (BROWSER, None)):
        meta = {"opdcwatch_kind": "article"}
        if render:
            meta[META_RENDER] = render
        request = Request("http://127.0.0.1:9/app/news/1", meta=meta)
        middleware.process_request(request)
        assert request.headers.get("If-None-Match") == expected


def test_validators_are_dropped_from_rendered_captures():
    headers = {"Content-Type": "text/html", "etag": '"x"', "Last-Modified": "Mon, 05 Jan 2026"}
    assert strip_validators(headers) == {"Content-Type": "text/html"}
