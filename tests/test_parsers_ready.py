"""Pages built by JavaScript, read without a browser: which need one, and what a shell yields.

``ready_without_scripts`` is what the crawler asks before it renders a page a profile's
``[render]`` table names (docs/crawler.md, "Rendering").
"""

from __future__ import annotations

import pytest

from parsers import ParseError, parse_bytes, ready_without_scripts
from parsers.exceptions import ScriptShellError

HTML = "text/html; charset=utf-8"
KOREAN_NEXT = "kr_HankookIlbo_2026_01_29.html"  # the body only in a Next.js JSON script


def test_a_body_in_a_json_script_needs_no_browser(fixtures_dir):
    """The real Korean news page holds its body only in a Next.js JSON script: the parsers
    read it from the plain response, so a rendering profile never sends it to Chromium."""
    page = (fixtures_dir / "realworld" / "fundus" / KOREAN_NEXT).read_bytes()
    assert ready_without_scripts(page, content_type=HTML, selector="article .body p") == "script"
    assert len(parse_bytes(page, content_type=HTML).text) > 1000


def test_a_shell_needs_the_browser_and_its_rendering_does_not(fixtures_dir):
    shell = (fixtures_dir / "render" / "app-shell-th.html").read_bytes()
    rendered = (fixtures_dir / "render" / "app-rendered-th.html").read_bytes()
    selector = "article .body p"
    assert ready_without_scripts(shell, content_type=HTML, selector=selector) is None
    assert ready_without_scripts(shell, content_type=HTML) is None
    # the empty <div class="body"> of the shell is matched by "article .body", and is no text
    assert ready_without_scripts(shell, content_type=HTML, selector="article .body") is None
    assert ready_without_scripts(rendered, content_type=HTML, selector=selector) == "selector"
    article = parse_bytes(rendered, content_type=HTML)
    assert article.title == "สำนักงาน ก.พ.ร. ร่วมกับหน่วยงานรัฐจัดเวทีโชว์ผลงานบริการประชาชน"
    assert article.text.startswith("เมื่อวันที่ 25 – 26 มกราคม 2563 สำนักงาน ก.พ.ร.")


@pytest.mark.parametrize(
    ("page", "shown"),
    [("app-shell-th.html", "กำลังโหลด…"), ("spa-shell-enable-js.html", "กรุณาเปิดใช้งาน")],
)
def test_a_shell_is_no_article(fixtures_dir, page, shown):
    """Its loading sign is not archived as the article (a plain crawl once did)."""
    data = (fixtures_dir / "render" / page).read_bytes()
    with pytest.raises(ScriptShellError, match=shown) as info:
        parse_bytes(data, content_type=HTML)
    assert isinstance(info.value, ParseError)
    assert "JavaScript" in str(info.value) and "\n" not in str(info.value)


def test_an_article_that_mentions_loading_is_still_an_article():
    page = (
        "<html><body><article><h1>ระบบใหม่</h1><p>กำลังโหลด ข้อมูลผู้รับบริการเข้าสู่ระบบกลาง "
        "ของสำนักงาน ก.พ.ร. เพื่อให้ประชาชนติดต่อราชการได้สะดวกขึ้น</p></article></body></html>"
    ).encode()
    assert "ข้อมูลผู้รับบริการ" in parse_bytes(page, content_type=HTML).text
