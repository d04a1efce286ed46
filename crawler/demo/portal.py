"""The replica's "portal" layout: pages as heavy as a real Thai government portal's.

The classic layout (``data/article.html``) is an early-2010s page of 10-15 KB. Ministry
portals today wrap the same article in 30-60 KB (here 36-52 KB): a mega-menu of about 100
links repeated on every page (sections, services, sister agencies, social accounts, a few
with campaign parameters or fragments), a 10-item "latest news" sidebar, and inline CSS and
JavaScript (theme rules, analytics, a menu script, a config blob whose size varies by page).
The crawl
benchmark measures on these, since a crawler's cost per page lies in exactly that furniture.
"""

from __future__ import annotations

from functools import cache
from html import escape

MENU_SECTIONS = (
    ("เกี่ยวกับสำนักงาน", "about"),
    ("ข่าวสารและกิจกรรม", "news"),
    ("การพัฒนาระบบราชการ", "pmqa"),
    ("รางวัลเลิศรัฐ", "award"),
    ("กฎหมายและระเบียบ", "law"),
    ("ศูนย์ความรู้", "km"),
    ("บริการประชาชน", "service"),
    ("ข้อมูลหน่วยงานภาครัฐ", "agency"),
    ("ติดต่อเรา", "contact"),
    ("เครือข่ายและลิงก์", "links"),
)
MENU_ITEMS = (
    "ประวัติความเป็นมา",
    "วิสัยทัศน์และพันธกิจ",
    "โครงสร้างองค์กร",
    "ผู้บริหารสำนักงาน",
    "แผนปฏิบัติราชการประจำปี",
    "รายงานผลการดำเนินงาน",
    "การจัดซื้อจัดจ้าง",
    "ประกาศรับสมัครงาน",
    "คำถามที่พบบ่อย",
    "ดาวน์โหลดเอกสาร",
)
SIDEBAR_ITEMS = 10
FEATURED_IDS = (1001, 1002, 1003)  # articles the menu links on every page ("ข่าวเด่น")
CSS_RULES = 28
BASE_SCRIPT_LINES = 20
VARYING_CONFIG_ITEMS = 64  # the page config's entries vary 0..N-1 with the page id


def _menu_href(slug: str, section: int, item: int) -> str:
    """Menu targets as a portal writes them: scripts with ids, some with tracking or a hash."""
    if slug == "news" and item == 0:
        return "/news.php?page=1"
    if slug == "news" and item <= len(FEATURED_IDS):
        return f"/content.php?content_id={FEATURED_IDS[item - 1]}&amp;utm_source=megamenu"
    if slug == "links":
        return f"https://www.agency{item}.go.th/?ref=opdc&amp;utm_medium=menu"
    if item % 4 == 3:
        return f"/{slug}/page.php?id={section * 10 + item}#main"
    return f"/{slug}/index.php?id={section * 10 + item}"


@cache
def mega_menu() -> str:
    """The navigation every page repeats: 10 sections of 10 links (about 14 KB)."""
    sections = []
    for s, (label, slug) in enumerate(MENU_SECTIONS):
        items = "".join(
            f'<li class="mega-item"><a href="{_menu_href(slug, s, i)}">{escape(name)}</a></li>'
            for i, name in enumerate(MENU_ITEMS)
        )
        sections.append(
            f'<li class="mega-section dropdown"><a href="/{slug}/" class="dropdown-toggle">'
            f'{escape(label)}</a><div class="mega-panel"><ul class="mega-list">{items}'
            "</ul></div></li>"
        )
    return (
        '<nav id="mega-menu" class="navbar navbar-expand-lg" role="navigation">'
        '<ul class="navbar-nav mega">' + "\n".join(sections) + "</ul></nav>"
    )


@cache
def inline_css() -> str:
    """The theme's rules, inlined by the CMS into every page's head."""
    rules = [
        f".mega-section:nth-child({n}) .mega-panel{{left:{n * 7}px;min-width:{600 + n}px;"
        f"background:#f{n % 10}f{n % 7}f{n % 5};border-top:3px solid #2{n % 10}5a8{n % 9};"
        "box-shadow:0 6px 12px rgba(0,0,0,.175);padding:15px 20px;z-index:1000}"
        for n in range(CSS_RULES)
    ]
    return "<style>\n" + "\n".join(rules) + "\n</style>"


@cache
def inline_script() -> str:
    """The analytics and menu script every page carries."""
    lines = [
        f"  document.querySelectorAll('.mega-section:nth-child({n}) > a').forEach(function(el)"
        f"{{el.addEventListener('mouseenter',function(){{el.parentNode.classList.add('open-{n}')"
        "});});"
        for n in range(BASE_SCRIPT_LINES)
    ]
    return (
        "<script>\n(function(){\n  window.dataLayer = window.dataLayer || [];\n"
        + "\n".join(lines)
        + "\n})();\n</script>"
    )


def page_config(page_id: int, title: str) -> str:
    """A per-page config blob (gallery, related ids, share texts): its size varies by page."""
    entries = ",".join(
        f'{{"id":{page_id * 100 + k},"src":"/images/gallery/{page_id}/{k}.jpg",'
        f'"alt":"{escape(title, quote=False)[:20]}","w":1200,"h":800}}'
        for k in range(page_id * 37 % VARYING_CONFIG_ITEMS)
    )
    return f'<script>window.pageConfig = {{"pageId":{page_id},"gallery":[{entries}]}};</script>'


def sidebar(items: list[tuple[str, str, str]]) -> str:
    """The "latest news" box: (href, title, Thai date) of up to SIDEBAR_ITEMS articles."""
    rows = "\n".join(
        f'<li class="latest-item"><a href="{escape(href)}">{escape(title)}</a>'
        f'<span class="latest-date">{escape(day)}</span></li>'
        for href, title, day in items[:SIDEBAR_ITEMS]
    )
    return f'<aside class="sidebar latest-news"><h3>ข่าวล่าสุด</h3><ul>\n{rows}\n</ul></aside>'
