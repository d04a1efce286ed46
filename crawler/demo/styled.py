"""Pages of a replica site built with a URL style (:mod:`crawler.demo.styles`).

The same articles as the classic replica, in a newer agency template: a menu, a "latest
news" sidebar on every page, news lists of teasers with numbered pagination, dates in the
Buddhist era, undated pages (history, vision, contact), and feeds and a sitemap when the
style has them. :func:`answer` turns a request into ``(status, body, content type,
headers)``; the replica's server sends it.
"""

from __future__ import annotations

from email.utils import format_datetime
from html import escape
from string import Template

from crawler.demo.site import ReplicaArticle, ReplicaSite, data_text, thai_date
from crawler.demo.styles import (
    ARTICLE,
    FEED,
    HOME,
    LISTING,
    REDIRECT,
    SECTIONS,
    SITEMAP,
    SITEMAP_PART,
    STATIC,
    STATIC_PAGES,
    Route,
    UrlStyle,
)

HOME_ITEMS = 8
SIDEBAR_ITEMS = 5
TEASER_CHARS = 160
STATIC_TEXT = (
    "สำนักงานคณะกรรมการพัฒนาระบบราชการ (สำนักงาน ก.พ.ร.) เป็นส่วนราชการในสังกัดสำนักนายก"
    "รัฐมนตรี มีหน้าที่เสนอแนะและให้คำปรึกษาแก่คณะรัฐมนตรีเกี่ยวกับการพัฒนาระบบราชการ",
    "สำนักงานมุ่งพัฒนาระบบราชการให้มีประสิทธิภาพ โปร่งใส และตอบสนองความต้องการของประชาชน "
    "โดยส่งเสริมให้หน่วยงานภาครัฐนำเทคโนโลยีดิจิทัลมาใช้ในการให้บริการ ลดขั้นตอนการติดต่อราชการ "
    "และเปิดโอกาสให้ประชาชนมีส่วนร่วมในการพัฒนาบริการสาธารณะ",
    "ผู้สนใจสามารถติดต่อสอบถามข้อมูลเพิ่มเติมได้ที่ศูนย์บริการข้อมูลข่าวสาร "
    "สำนักงาน ก.พ.ร. ในวันและเวลาราชการ หรือทางสายด่วน 1785",
)

Answer = tuple[int, bytes, str, dict[str, str]]
HTML = "text/html; charset=utf-8"
NOT_FOUND = "<html><body><h1>ไม่พบหน้าที่ต้องการ</h1></body></html>".encode()


def _style(site: ReplicaSite) -> UrlStyle:
    if site.style is None:
        raise ValueError("a replica site without a URL style has no styled pages")
    return site.style


def section_of(article: ReplicaArticle) -> int:
    """Which of the two news sections an article is filed under."""
    return article.id % 2


def section_articles(site: ReplicaSite, section: int) -> list[ReplicaArticle]:
    """A section's articles, newest first; ``-1`` is every article."""
    return [a for a in site.articles() if section < 0 or section_of(a) == section]


def _pages(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


def _link(href: str, text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<a href="{escape(href)}"{cls}>{escape(text)}</a>'


def _menu(style: UrlStyle) -> str:
    items = [_link(style.home_path(), "หน้าหลัก")]
    items += [_link(style.listing_path(i, 1), name) for i, name in enumerate(SECTIONS)]
    items += [_link(style.static_path(i), name) for i, name in enumerate(STATIC_PAGES)]
    items.append(_link("/e-service", "บริการอิเล็กทรอนิกส์"))
    return "\n".join(f"<li>{item}</li>" for item in items)


def _page(site: ReplicaSite, title: str, main: str, body_class: str, head: str = "") -> bytes:
    style = _style(site)
    views = site.next_view()
    latest = "\n".join(
        f'<li>{_link(a.path, a.title)} <span class="date">{thai_date(a.published)}</span></li>'
        for a in site.articles()[:SIDEBAR_ITEMS]
    )
    feedbox = ""
    if style.feeds:
        head += (
            f'\n<link rel="alternate" type="application/rss+xml" title="{SECTIONS[0]}" '
            f'href="{escape(style.feed_path(None))}">'
        )
        feeds = " ".join(  # the old OPDC page wrote them relative: _rss.php?cat=D
            _link(
                style.feed_path(i).lstrip("/") if style.name == "opdc-php" else style.feed_path(i),
                f"RSS {name}",
            )
            for i, name in enumerate(SECTIONS)
        )
        feedbox = f'<div class="block rss"><h3>RSS</h3>{feeds}</div>'
    return (
        Template(data_text("style-page.html"))
        .substitute(
            title=escape(title),
            head=head,
            views=views,
            body_class=body_class,
            home=escape(style.home_path()),
            menu=_menu(style),
            main=main,
            latest=latest,
            feedbox=feedbox,
        )
        .encode("utf-8")
    )


def _teaser(article: ReplicaArticle) -> str:
    text = article.paragraphs[0]
    return text if len(text) <= TEASER_CHARS else text[:TEASER_CHARS].rstrip() + "…"


def _list_main(
    site: ReplicaSite, heading: str, articles: list[ReplicaArticle], page: int, page_url
) -> str | None:
    per_page = site.per_page
    chunk = articles[(page - 1) * per_page : page * per_page]
    if not chunk and page > 1:
        return None
    items = "\n".join(
        f'<div class="news-item"><h3>{_link(a.path, a.title)}</h3>'
        f'<span class="date">{thai_date(a.published)}</span>'
        f"<p>{escape(_teaser(a))}</p>{_link(a.path, 'อ่านต่อ', 'more')}</div>"
        for a in chunk
    )
    last = _pages(len(articles), per_page)
    pager = [_link(page_url(page - 1), "« ก่อนหน้า")] if page > 1 else []
    pager += [
        _link(page_url(n), str(n)) if n != page else f'<span class="current">{n}</span>'
        for n in range(1, last + 1)
    ]
    pager += [_link(page_url(page + 1), "ถัดไป »")] if page < last else []
    return f'<h1>{escape(heading)}</h1>\n{items}\n<div class="pagination">{" ".join(pager)}</div>'


def _home(site: ReplicaSite, page: int) -> bytes | None:
    style = _style(site)
    blog = style.name in ("wordpress", "wordpress-plain")  # the home page is the blog's page 1
    if page == 1 and not blog:
        latest = site.articles()[:HOME_ITEMS]
        items = "\n".join(
            f'<div class="news-item"><h3>{_link(a.path, a.title)}</h3>'
            f'<span class="date">{thai_date(a.published)}</span>'
            f"<p>{escape(_teaser(a))}</p></div>"
            for a in latest
        )
        more = " ".join(
            _link(style.listing_path(i, 1), f"{name} ทั้งหมด") for i, name in enumerate(SECTIONS)
        )
        main = f'<h1>ข่าวสาร ก.พ.ร.</h1>\n{items}\n<div class="more">{more}</div>'
        return _page(site, "หน้าหลัก", main, "home")
    if not blog:
        return None

    def url(n: int) -> str:
        if n == 1:
            return "/"
        return f"/page/{n}/" if style.name == "wordpress" else f"/?paged={n}"

    listed = _list_main(site, "ข่าวสาร ก.พ.ร.", site.articles(), page, url)
    return None if listed is None else _page(site, f"หน้า {page}", listed, "blog")


def _listing(site: ReplicaSite, section: int, page: int) -> bytes | None:
    style = _style(site)
    main = _list_main(
        site,
        SECTIONS[section],
        section_articles(site, section),
        page,
        lambda n: style.listing_path(section, n),
    )
    title = SECTIONS[section] + (f" หน้า {page}" if page > 1 else "")
    return None if main is None else _page(site, title, main, "listing")


def _article(site: ReplicaSite, article: ReplicaArticle) -> bytes:
    style = _style(site)
    section = section_of(article)
    older = [a for a in section_articles(site, section) if a.published < article.published]
    related = "".join(f"<li>{_link(a.path, a.title)}</li>" for a in older[: site.related_links])
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    main = (
        f'<div class="breadcrumb">{_link(style.home_path(), "หน้าหลัก")} › '
        f"{_link(style.listing_path(section, 1), SECTIONS[section])}</div>\n"
        f'<h1 class="title">{escape(article.title)}</h1>\n'
        f'<div class="date">วันที่ {thai_date(article.published)}</div>\n'
        f'<div class="content">\n{paragraphs}\n</div>\n'
        f'<div class="related"><h3>ข่าวที่เกี่ยวข้อง</h3><ul>{related}</ul></div>'
    )
    head = ""
    shortlink = style.shortlink(article.id)
    if shortlink:
        head = f'<link rel="shortlink" href="{escape(shortlink)}">'
    return _page(site, article.title, main, "article", head)


def _static(site: ReplicaSite, index: int) -> bytes:
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in STATIC_TEXT)
    main = f'<h1>{escape(STATIC_PAGES[index])}</h1>\n<div class="content">{paragraphs}</div>'
    return _page(site, STATIC_PAGES[index], main, "page")


def _feed(site: ReplicaSite, base: str, section: int) -> bytes:
    items = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(base + a.path)}</link>"
        f"<description>{escape(_teaser(a))}</description>"
        f"<pubDate>{format_datetime(a.last_modified, usegmt=True)}</pubDate></item>"
        for a in section_articles(site, section)[: site.feed_items]
    )
    name = SECTIONS[max(section, 0)]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(name)}</title><link>{escape(base)}/</link>{items}</channel></rss>"
    ).encode()


def _sitemap(site: ReplicaSite, base: str) -> bytes:
    style = _style(site)
    urls = [(a.path, a.last_modified.date().isoformat()) for a in site.articles()]
    urls += [(style.static_path(i), "") for i in range(len(STATIC_PAGES))]
    urls += [(style.listing_path(i, 1), "") for i in range(len(SECTIONS))]
    entries = "".join(
        f"<url><loc>{escape(base + path)}</loc>"
        + (f"<lastmod>{day}</lastmod>" if day else "")
        + "</url>"
        for path, day in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def _sitemap_index(base: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{escape(base)}/wp-sitemap-posts-post-1.xml</loc></sitemap>"
        "</sitemapindex>"
    ).encode()


def robots(site: ReplicaSite, base: str) -> bytes:
    """robots.txt: an admin area disallowed, and the sitemap when the site has one."""
    style = _style(site)
    text = "User-agent: *\nDisallow: /admin/\nDisallow: /_control/\n"
    if style.sitemap:
        text += f"Sitemap: {base}{style.sitemap_path()}\n"
    return text.encode("ascii")


def answer(site: ReplicaSite, route: Route | None, base: str) -> Answer:
    """The answer to a routed request (``base``: the site's URL without the final slash)."""
    xml = "application/xml; charset=utf-8"
    body: bytes | None = None
    if route is None:
        return 404, NOT_FOUND, HTML, {}
    if route.kind == HOME:
        body = _home(site, route.page)
    elif route.kind == LISTING:
        body = _listing(site, route.key, route.page)
    elif route.kind in (ARTICLE, REDIRECT):
        article = site.article(route.key)
        if article is not None and route.kind == REDIRECT:
            return 301, b"", HTML, {"Location": base + article.path}
        if article is not None:
            return 200, _article(site, article), HTML, {"ETag": article.etag}
    elif route.kind == STATIC and 0 <= route.key < len(STATIC_PAGES):
        body = _static(site, route.key)
    elif route.kind == FEED:
        return 200, _feed(site, base, route.key), "application/rss+xml; charset=utf-8", {}
    elif route.kind == SITEMAP and _style(site).sitemap_path() == "/wp-sitemap.xml":
        return 200, _sitemap_index(base), xml, {}
    elif route.kind in (SITEMAP, SITEMAP_PART):
        return 200, _sitemap(site, base), xml, {}
    if body is None:
        return 404, NOT_FOUND, HTML, {}
    return 200, body, HTML, {}
