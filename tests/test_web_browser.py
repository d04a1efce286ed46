"""The web page in a real browser: Debian's headless Chromium driven by Playwright.

The server is the real ``opdcwatch serve`` in a subprocess over an archive recorded from the
saved pages. Screenshots go to a temporary folder, or to ``$OPDCWATCH_SCREENSHOT_DIR``
(``docs`` refreshes the README's pictures).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.cli_helpers import OPDCWATCH
from tests.web_helpers import build_web_archive

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}

if not CHROMIUM.exists():
    pytest.skip(
        "no /usr/bin/chromium: apt-get install -y chromium to run the browser tests",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install playwright"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Run ``opdcwatch serve --port 0`` over the recorded archive; yield (base URL, ids)."""
    db = tmp_path_factory.mktemp("browser") / "archive.db"
    ids = build_web_archive(f"sqlite:///{db}")
    proc = subprocess.Popen(
        [str(OPDCWATCH), "serve", "--port", "0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, f"serve printed {line!r}"
    yield match.group(0).rstrip("/"), ids
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with every dialog and console error it produced."""

    def __init__(self, page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture()
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    yield Watched(context.new_page())
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("OPDCWATCH_SCREENSHOT_DIR")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_home_page_loads(server, watched, shots):
    base, _ = server
    page = watched.page
    page.goto(base + "/")
    assert page.title().startswith("หน้าแรก")
    sites = page.locator("table.sites tbody tr td:first-child").all_inner_texts()
    assert sorted(sites) == ["opdc", "prnews"]
    page.screenshot(path=shots / "web-home.png", full_page=True)
    assert watched.errors == [] and watched.dialogs == []


def test_search_a_thai_word_and_open_the_article(server, watched, shots):
    base, ids = server
    page = watched.page
    page.goto(base + "/")
    page.fill("header input[type=search]", "อนุรักษ์")
    page.press("header input[type=search]", "Enter")
    page.wait_for_url(re.compile(r"/articles\?q="))
    results = page.locator("ul.results a.title")
    assert "ยกระดับมาตรฐานการให้บริการ" in results.first.inner_text()
    assert page.locator("ul.results mark").first.inner_text() == "อนุรักษ์"
    page.screenshot(path=shots / "web-search.png", full_page=True)
    results.first.click()
    page.wait_for_url(re.compile(rf"/articles/{ids['v1']}$"))
    assert page.locator("ol.timeline li").count() == 3
    assert page.locator("ol.timeline .revert").inner_text() == "revert to v1"
    page.screenshot(path=shots / "web-article.png", full_page=True)
    assert watched.errors == [] and watched.dialogs == []


def test_diff_highlights_insertion_and_deletion(server, watched, shots):
    base, ids = server
    page = watched.page
    page.goto(f"{base}/articles/{ids['v1']}")
    page.locator("ol.timeline li", has_text="v2").locator("a.diff-link").click()
    page.wait_for_url(re.compile(r"/diff\?from=1&to=2"))
    deleted = page.locator("td.old del", has_text="มุ่ง").first
    inserted = page.locator("td.new ins", has_text="เร่ง").first
    assert deleted.is_visible() and inserted.is_visible()
    del_bg = deleted.evaluate("e => getComputedStyle(e).backgroundColor")
    ins_bg = inserted.evaluate("e => getComputedStyle(e).backgroundColor")
    assert del_bg not in ("rgba(0, 0, 0, 0)", ins_bg)  # highlighted, and differently
    assert ins_bg != "rgba(0, 0, 0, 0)"
    assert deleted.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    page.screenshot(path=shots / "web-diff.png", full_page=True)
    page.click("text=inline")
    assert page.locator(".diff-inline ins", has_text="ศูนย์บริการประชาชน").count() == 1
    page.screenshot(path=shots / "web-diff-inline.png", full_page=True)
    assert watched.errors == [] and watched.dialogs == []


def test_xss_article_runs_no_script(server, watched):
    base, ids = server
    page = watched.page
    page.goto(f"{base}/articles/{ids['xss']}")
    assert page.locator("h1").inner_text().startswith('<script>alert("title")</script>')
    assert page.title() != "pwned"
    page.goto(f"{base}/articles/{ids['xss']}/versions/1/raw")
    assert "onerror" in page.locator("pre.raw").inner_text()
    page.goto(f"{base}/articles?q=แจ้งเตือน")
    assert watched.errors == [] and watched.dialogs == []
    page.goto(f"{base}/articles/{ids['xss']}/versions/1/raw?view=frame")
    page.wait_for_load_state("load")
    frame = page.frame_locator("iframe.raw")
    assert "ข้อความหลอกลวง" in frame.locator("body").inner_text()
    assert watched.dialogs == []
    # the frame's scripts and image are refused (and say so); nothing else is logged
    refusals = [e for e in watched.errors if re.search(r"Blocked script execution|blocked", e)]
    assert refusals and refusals == watched.errors, watched.errors


def test_readable_on_a_phone_with_thai_fonts(server, browser, shots):
    base, ids = server
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    for path, name in (
        (f"/articles/{ids['v1']}", "web-phone-article.png"),
        (f"/articles/{ids['v1']}/diff?from=1&to=2", "web-phone-diff.png"),
    ):
        page.goto(base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        page.screenshot(path=shots / name, full_page=False)
    thai_fonts = _thai_font_families()
    if not thai_fonts:
        context.close()
        pytest.skip("no Thai font installed: apt-get install -y fonts-thai-tlwg-otf")
    session = context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    h1 = session.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    used = session.send("CSS.getPlatformFontsForNode", {"nodeId": h1})["fonts"]
    context.close()
    assert any(font["familyName"] in thai_fonts for font in used), used


def _thai_font_families() -> set[str]:
    if not shutil.which("fc-list"):
        return set()
    out = subprocess.run(["fc-list", ":lang=th", "family"], capture_output=True, text=True)
    return {name.strip() for line in out.stdout.splitlines() for name in line.split(",")}
