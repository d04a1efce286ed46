"""HTML, RSS, sitemap and robots.txt of the replica, rendered per request.

Everything that comes from the article data is escaped; the boilerplate changes on every
request (view counter, "updated" stamp, rotating sidebar) as on the real sites.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from string import Template

from crawler.demo import portal
from crawler.demo.site import (
    BINARY_ID,
    PRIVATE_ID,
    THAI_MONTHS,
    ReplicaArticle,
    ReplicaSite,
    data_text,
    thai_date,
)
from parsers.constants import BE_OFFSET

POPULAR_COUNT = 3
LATEST_COUNT = 2
CALENDAR_FIRST_MONTH = 1


def _now_thai() -> str:
    now = datetime.now(UTC)
    return f"{thai_date(now.date())} {now:%H:%M:%S}"


def _rotating(site: ReplicaSite, views: int, count: int) -> list[ReplicaArticle]:
    articles = site.articles()
    if not articles:
        return []
    start = views % len(articles)
    return [articles[(start + k) % len(articles)] for k in range(min(count, len(articles)))]


def _popular(site: ReplicaSite, views: int) -> str:
    return "\n".join(
        f'<li><a href="{a.path}">{escape(a.title)}</a></li>'
        for a in _rotating(site, views, POPULAR_COUNT)
    )


def _latest(views: int) -> str:
    lines = [line for line in data_text("latest-press-releases.txt").splitlines() if line]
    pairs = [lines[i : i + 2] for i in range(0, len(lines) - 1, 2)]
    start = views % len(pairs)
    chosen = [pairs[(start + k) % len(pairs)] for k in range(LATEST_COUNT)]
    return "\n".join(f"<h4>{escape(t)}</h4><p>{escape(s)}</p>" for t, s in chosen)


def _portal_parts(site: ReplicaSite, views: int) -> dict[str, str]:
    """What the portal layout adds to a page (see :mod:`crawler.demo.portal`)."""
    if site.layout != "portal":
        return {}
    latest = [
        (a.path, a.title, thai_date(a.published))
        for a in _rotating(site, views, portal.SIDEBAR_ITEMS)
    ]
    return {
        "css": portal.inline_css(),
        "script": portal.inline_script(),
        "menu": portal.mega_menu(),
        "sidebar": portal.sidebar(latest),
    }


def _template(site: ReplicaSite, name: str) -> Template:
    return Template(data_text(f"portal-{name}" if site.layout == "portal" else name))


def render_article(site: ReplicaSite, article: ReplicaArticle, base_url: str) -> tuple[bytes, str]:
    """Return the page bytes and its Content-Type header, in the article's encoding mode."""
    views = site.next_view()
    role = article.role
    if role == "cp874-meta":
        meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-874">\n'
    elif role in ("cp874-header", "cp874-none"):
        meta = ""
    else:
        meta = '<meta charset="utf-8">\n'
    page = _template(site, "article.html").substitute(
        _portal_parts(site, views),
        config=portal.page_config(article.id, article.title),
        meta_charset=meta,
        title=escape(article.title),
        canonical=escape(base_url.rstrip("/") + article.path),
        id=article.id,
        views=views,
        rendered=datetime.now(UTC).isoformat(),
        category=escape(article.category),
        be_year=article.published.year + BE_OFFSET,
        thai_month=THAI_MONTHS[article.published.month - 1],
        thai_date=thai_date(article.published),
        paragraphs="\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs),
        updated=_now_thai(),
        popular=_popular(site, views),
        latest=_latest(views),
        footer=data_text("footer.html"),
    )
    if role == "cp874-header":
        content_type = "text/html; charset=windows-874"
    elif role in ("cp874-meta", "cp874-none"):
        content_type = "text/html"
    else:
        content_type = "text/html; charset=utf-8"
    return page.encode(article.encoding, "xmlcharrefreplace"), content_type


def _page(heading: str, items: str, pager: str, extra: str, site: ReplicaSite) -> bytes:
    views = site.next_view()
    return (
        _template(site, "listing.html")
        .substitute(
            _portal_parts(site, views),
            heading=escape(heading),
            updated=_now_thai(),
            views=views,
            items=items,
            pager=pager,
            extra=extra,
            popular=_popular(site, views),
            footer=data_text("footer.html"),
        )
        .encode("utf-8")
    )


def _item(article: ReplicaArticle, tracking: bool) -> str:
    href = article.path + ("&utm_source=opdc_home&utm_medium=web#top" if tracking else "")
    return (
        f'<li><a href="{escape(href)}">{escape(article.title)}</a> '
        f'<span class="date">{thai_date(article.published)}</span></li>'
    )


def render_listing(site: ReplicaSite, page: int) -> bytes:
    """Return a news listing page; past the last page it is empty but still has "next"."""
    articles = site.articles()
    chunk = articles[(page - 1) * site.per_page : page * site.per_page]
    items = "\n".join(_item(a, tracking=(i % 2 == 1)) for i, a in enumerate(chunk))
    if not chunk:
        items = "<li>ไม่พบข่าวในหน้านี้</li>"
    pager = " ".join(
        [f'<a href="/news.php?page={page - 1}">ก่อนหน้า</a>'] * (page > 1)
        + [f'<a href="/news.php?page={page + 1}">ถัดไป</a>']  # endless: always a next page
    )
    extra = ""
    if page == 1 and site.specials:
        extra = (
            f'<a href="/content.php?content_id={BINARY_ID}">รายงานประจำปี (ฉบับเต็ม)</a>\n'
            '<a href="/files/annual-report.pdf">ดาวน์โหลดรายงาน PDF</a>\n'
            f'<a href="/private/content.php?content_id={PRIVATE_ID}">ข่าวภายใน</a>\n'
            f'<a href="/calendar.php?month={CALENDAR_FIRST_MONTH}">ปฏิทินกิจกรรม</a>'
        )
    return _page(f"ข่าวเด่น ก.พ.ร. หน้า {page}", items, pager, extra, site)


def render_calendar(site: ReplicaSite, month: int) -> bytes:
    """An endless calendar: every month links the same two articles and the next month."""
    articles = site.articles()[:2]
    items = "\n".join(_item(a, tracking=False) for a in articles)
    pager = f'<a href="/calendar.php?month={month + 1}">เดือนถัดไป</a>'
    return _page(f"ปฏิทินกิจกรรม เดือนที่ {month}", items, pager, "", site)


def render_home(site: ReplicaSite) -> bytes:
    articles = site.articles()[:3]
    items = "\n".join(_item(a, tracking=True) for a in articles)
    pager = '<a href="/news.php?page=1">ข่าวทั้งหมด</a>'
    return _page("สำนักงาน ก.พ.ร. หน้าหลัก", items, pager, "", site)


def render_rss(site: ReplicaSite, base_url: str) -> bytes:
    base = base_url.rstrip("/")
    entries = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(base + a.path)}</link>"
        f"<pubDate>{format_datetime(a.last_modified, usegmt=True)}</pubDate></item>"
        for a in site.articles()[: site.feed_items]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>ข่าวเด่น ก.พ.ร.</title><link>{escape(base)}/</link>{entries}</channel></rss>"
    ).encode()


def render_sitemap(site: ReplicaSite, base_url: str) -> bytes:
    base = base_url.rstrip("/")
    urls = "".join(
        f"<url><loc>{escape(base + a.path)}</loc>"
        f"<lastmod>{a.last_modified.date().isoformat()}</lastmod></url>"
        for a in site.articles()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def render_robots(base_url: str) -> bytes:
    return (
        "User-agent: *\nDisallow: /private/\nDisallow: /_control/\n"
        f"Sitemap: {base_url.rstrip('/')}/sitemap.xml\n"
    ).encode("ascii")


# A few bytes of a real-looking PDF: what a "full report" link on a news site returns.
PDF_BYTES = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    + bytes(range(256)) * 8
    + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
