"""URL styles of the content systems Thai agencies publish news on, for the replica to speak.

Each style says where a replica site built with it serves its home page, news lists (two
sections, paged), articles, feeds, sitemap and a few undated pages (history, vision,
contact), and turns a request back into one of those. The shapes are the ones real sites
use: the old PHP OPDC site (``page.php?url=tab_view&cat=N&id=N``, seen on a 2018 capture of
its home page), WordPress with and without pretty permalinks, Joomla, Drupal, and a newer
``/content/<id>`` CMS whose ids are base64 text. ``feeds`` and ``sitemap`` say whether the
site has them (many small agency sites have neither).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

SECTIONS = ("ข่าวเด่น ก.พ.ร.", "ข่าวประชาสัมพันธ์")
STATIC_PAGES = ("ประวัติความเป็นมา", "วิสัยทัศน์และพันธกิจ", "ติดต่อเรา")
HOME = "home"
LISTING = "listing"
ARTICLE = "article"
STATIC = "static"
FEED = "feed"
SITEMAP = "sitemap"
SITEMAP_PART = "sitemap-part"
REDIRECT = "redirect"


class Route(NamedTuple):
    """What a request asks for: ``kind`` and its key (section, page number, article id...)."""

    kind: str
    key: int = 0
    page: int = 1


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _number(value: str | None, default: int | None = None) -> int | None:
    if value is None:
        return default
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class UrlStyle:
    """The base of every style: the replica's hooks, each overridden by a CMS below."""

    name = "base"
    description = ""
    feeds: bool = True
    sitemap: bool = True
    per_page: int = 10

    @property
    def label(self) -> str:
        """``wordpress`` or ``wordpress+feeds+sitemap``: the style and what it serves."""
        extras = ("+feeds" if self.feeds else "") + ("+sitemap" if self.sitemap else "")
        return self.name + extras

    def home_path(self) -> str:
        return "/"

    def article_path(self, article_id: int, published: date) -> str:
        raise NotImplementedError

    def listing_path(self, section: int, page: int) -> str:
        raise NotImplementedError

    def static_path(self, index: int) -> str:
        raise NotImplementedError

    def feed_path(self, section: int | None) -> str:
        """The feed of a section, or the site's (``None``); used only when ``feeds``."""
        raise NotImplementedError

    def sitemap_path(self) -> str:
        return "/sitemap.xml"

    def shortlink(self, article_id: int) -> str | None:
        """Another URL that answers for the article with a redirect (WordPress's ``?p=N``)."""
        return None

    def route(self, path: str, query: dict[str, list[str]]) -> Route | None:
        raise NotImplementedError


@dataclass(frozen=True)
class OpdcPhp(UrlStyle):
    """The old OPDC site: ``page.php?url=tab_view|tab_more&cat=…``, ``_rss.php?cat=…``."""

    name = "opdc-php"
    description = "old PHP OPDC site (page.php?url=tab_view&cat=N&id=N, _rss.php?cat=N)"
    CATS = ("1", "D")
    FIRST_CONTENT_ID = 3594

    def article_path(self, article_id: int, published: date) -> str:
        cat = self.CATS[article_id % 2]
        return f"/page.php?url=tab_view&cat={cat}&id={article_id}"

    def listing_path(self, section: int, page: int) -> str:
        more = f"&page={page}" if page > 1 else ""
        return f"/page.php?url=tab_more&cat={self.CATS[section]}{more}"

    def static_path(self, index: int) -> str:
        return f"/content.php?menu_id=4&content_id={self.FIRST_CONTENT_ID + index}"

    def feed_path(self, section: int | None) -> str:
        return f"/_rss.php?cat={self.CATS[section or 0]}"

    def route(self, path: str, query: dict[str, list[str]]) -> Route | None:
        cat = _first(query, "cat")
        section = self.CATS.index(cat) if cat in self.CATS else None
        if path in ("/", "/index.php"):
            return Route(HOME)
        if path == "/page.php" and section is not None:
            tab = _first(query, "url")
            if tab == "tab_view":
                number = _number(_first(query, "id"))
                return Route(ARTICLE, number) if number is not None else None
            if tab == "tab_more":
                page = _number(_first(query, "page"), 1)
                return Route(LISTING, section, page) if page else None
        if path == "/content.php" and _first(query, "menu_id") == "4":
            number = _number(_first(query, "content_id"))
            if number is not None:
                return Route(STATIC, number - self.FIRST_CONTENT_ID)
        if path == "/_rss.php" and self.feeds and section is not None:
            return Route(FEED, section)
        if path == "/sitemap.xml" and self.sitemap:
            return Route(SITEMAP)
        return None


WP_SLUG = "%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7"  # ข่าว, percent-encoded as WordPress writes it
WP_STATIC = ("about", "vision", "contact")
WP_CATS = ("news", "pr")
_WP_POST_RE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/[^/]+-(\d+)/$")
_WP_PAGED_RE = re.compile(r"^(?:/category/([a-z]+))?(?:/page/(\d+))?/$")
_WP_FEED_RE = re.compile(r"^(?:/category/([a-z]+))?/feed/$")


@dataclass(frozen=True)
class WordPress(UrlStyle):
    """WordPress with pretty permalinks: ``/YYYY/MM/DD/slug/``, ``/page/N/``, ``/feed/``."""

    name = "wordpress"
    description = "WordPress, pretty permalinks (/YYYY/MM/DD/slug/, /page/N/, ?p=N)"

    def article_path(self, article_id: int, published: date) -> str:
        return f"/{published:%Y/%m/%d}/{WP_SLUG}-{article_id}/"

    def listing_path(self, section: int, page: int) -> str:
        more = f"page/{page}/" if page > 1 else ""
        return f"/category/{WP_CATS[section]}/{more}"

    def static_path(self, index: int) -> str:
        return f"/{WP_STATIC[index]}/"

    def feed_path(self, section: int | None) -> str:
        return "/feed/" if section is None else f"/category/{WP_CATS[section]}/feed/"

    def sitemap_path(self) -> str:
        return "/wp-sitemap.xml"

    def shortlink(self, article_id: int) -> str | None:
        return f"/?p={article_id}"

    def route(self, path: str, query: dict[str, list[str]]) -> Route | None:
        if path == "/" and "p" in query:
            number = _number(_first(query, "p"))
            return Route(REDIRECT, number) if number is not None else None
        if path == "/":
            return Route(HOME)
        match = _WP_POST_RE.match(path)
        if match:
            return Route(ARTICLE, int(match.group(4)))
        match = _WP_PAGED_RE.match(path)
        if match and match.group(1) in WP_CATS:
            return Route(LISTING, WP_CATS.index(match.group(1)), int(match.group(2) or 1))
        if match and match.group(1) is None and match.group(2):
            return Route(HOME, 0, int(match.group(2)))
        if path.strip("/") in WP_STATIC:
            return Route(STATIC, WP_STATIC.index(path.strip("/")))
        match = _WP_FEED_RE.match(path)
        if match and self.feeds and (match.group(1) is None or match.group(1) in WP_CATS):
            return Route(FEED, WP_CATS.index(match.group(1)) if match.group(1) else -1)
        if path == "/wp-sitemap.xml" and self.sitemap:
            return Route(SITEMAP)
        if path == "/wp-sitemap-posts-post-1.xml" and self.sitemap:
            return Route(SITEMAP_PART)
        return None


@dataclass(frozen=True)
class WordPressPlain(UrlStyle):
    """WordPress without pretty permalinks: ``?p=N``, ``?paged=N``, ``?cat=N``, ``?feed=rss2``."""

    name = "wordpress-plain"
    description = "WordPress, plain permalinks (?p=N, ?cat=N&paged=N, ?page_id=N)"
    CAT_IDS = (3, 7)
    FIRST_PAGE_ID = 2

    def article_path(self, article_id: int, published: date) -> str:
        return f"/?p={article_id}"

    def listing_path(self, section: int, page: int) -> str:
        more = f"&paged={page}" if page > 1 else ""
        return f"/?cat={self.CAT_IDS[section]}{more}"

    def static_path(self, index: int) -> str:
        return f"/?page_id={self.FIRST_PAGE_ID + index}"

    def feed_path(self, section: int | None) -> str:
        return "/?feed=rss2" if section is None else f"/?cat={self.CAT_IDS[section]}&feed=rss2"

    def sitemap_path(self) -> str:
        return "/wp-sitemap.xml"

    def route(self, path: str, query: dict[str, list[str]]) -> Route | None:
        if path not in ("/", "/index.php"):
            if path == "/wp-sitemap.xml" and self.sitemap:
                return Route(SITEMAP)
            if path == "/wp-sitemap-posts-post-1.xml" and self.sitemap:
                return Route(SITEMAP_PART)
            return None
        cat = _number(_first(query, "cat"))
        section = self.CAT_IDS.index(cat) if cat in self.CAT_IDS else None
        if "feed" in query:
            if not self.feeds or ("cat" in query and section is None):
                return None
            return Route(FEED, -1 if section is None else section)
        if "p" in query:
            number = _number(_first(query, "p"))
            return Route(ARTICLE, number) if number is not None else None
        if "page_id" in query:
            number = _number(_first(query, "page_id"))
            return Route(STATIC, number - self.FIRST_PAGE_ID) if number is not None else None
        page = _number(_first(query, "paged"), 1)
        if page is None:
            return None
        if section is not None:
            return Route(LISTING, section, page)
        return Route(HOME, 0, page) if "cat" not in query else None


@dataclass(frozen=True)
class Joomla(UrlStyle):
    """Joomla without SEF URLs: ``index.php?option=com_content&view=article&id=N…``."""

    name = "joomla"
    description = "Joomla (index.php?option=com_content&view=article&id=N&catid=N)"
    CAT_IDS = (8, 9)
    ITEMID = 101
    FIRST_STATIC_ID = 2

    def home_path(self) -> str:
        return "/index.php"

    def article_path(self, article_id: int, published: date) -> str:
        cat = self.CAT_IDS[article_id % 2]
        return (
            f"/index.php?option=com_content&view=article&id={article_id}"
            f"&catid={cat}&Itemid={self.ITEMID}"
        )

    def listing_path(self, section: int, page: int) -> str:
        base = f"/index.php?option=com_content&view=category&id={self.CAT_IDS[section]}"
        base += f"&Itemid={self.ITEMID}"
        return base + (f"&limitstart={(page - 1) * self.per_page}" if page > 1 else "")

    def static_path(self, index: int) -> str:
        article_id = self.FIRST_STATIC_ID + index
        return f"/index.php?option=com_content&view=article&id={article_id}&Itemid={110 + index}"

    def feed_path(self, section: int | None) -> str:
        return self.listing_path(section or 0, 1) + "&format=feed&type=rss"

    def route(self, path: str, query: dict[str, list[str]]) -> Route | None:
        if path == "/sitemap.xml" and self.sitemap:
            return Route(SITEMAP)
        if path not in ("/", "/index.php"):
            return None
        if not query:
            return Route(HOME)
        if _first(query, "option") != "com_content":
            return None
        number = _number(_first(query, "id"))
        if number is None:
            return None
        view = _first(query, "view")
        if view == "article" and "catid" in query:
            return Route(ARTICLE, number)
        if view == "article":  # a menu item's single article: the undated pages
            return Route(STATIC, number - self.FIRST_STATIC_ID)
        if view == "category" and number in self.CAT_IDS:
            section = self.CAT_IDS.index(number)
            if _first(query, "format") == "feed":
                return Route(FEED, section) if self.feeds else None
            start = _number(_first(query, "limitstart"), 0)
            if start is None or start % self.per_page:
                return None
            return Route(LISTING, section, start // self.per_page + 1)
        return None


DRUPAL_STATIC = ("/about", "/about/vision", "/contact")


@dataclass(frozen=True)
class Drupal(UrlStyle):
    """Drupal: ``/node/N``, ``/news?page=N`` (from 0), ``/taxonomy/term/N``, ``/rss.xml``."""

    name = "drupal"
    description = "Drupal (/node/N, /taxonomy/term/N?page=N, /rss.xml)"
    TERM_IDS = (3, 4)

    def article_path(self, article_id: int, published: date) -> str:
        return f"/node/{article_id}"

    def listing_path(self, section: int, page: int) -> str:
        more = f"?page={page - 1}" if page > 1 else ""  # Drupal's pager counts from 0
        return f"/taxonomy/term/{self.TERM_IDS[section]}{more}"

    def static_path(self, index: int) -> str:
        return DRUPAL_STATIC[index]

    def feed_path(self, section: int | None) -> str:
        return "/rss.xml" if section is None else f"/taxonomy/term/{self.TERM_IDS[section]}/feed"

    def route(self, path: str, query: dict[str, list[str]]) -> Route | None:
        if path in ("/", "/node"):
            return Route(HOME)
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "node" and parts[1].isdigit():
            return Route(ARTICLE, int(parts[1]))
        if len(parts) >= 3 and parts[:2] == ["taxonomy", "term"] and parts[2].isdigit():
            term = int(parts[2])
            if term not in self.TERM_IDS:
                return None
            section = self.TERM_IDS.index(term)
            if len(parts) == 4 and parts[3] == "feed":
                return Route(FEED, section) if self.feeds else None
            page = _number(_first(query, "page"), 0)
            return (
                Route(LISTING, section, page + 1) if len(parts) == 3 and page is not None else None
            )
        if path in DRUPAL_STATIC:
            return Route(STATIC, DRUPAL_STATIC.index(path))
        if path == "/rss.xml" and self.feeds:
            return Route(FEED, -1)
        if path == "/sitemap.xml" and self.sitemap:
            return Route(SITEMAP)
        return None


CONTENT_CATS = ("news", "activity")
CONTENT_STATIC = ("about", "vision", "contact")


def encode_id(number: int) -> str:
    """``1001`` -> ``MTAwMQ``: the newer CMS's ids are base64 text without padding."""
    return base64.urlsafe_b64encode(str(number).encode()).decode().rstrip("=")


def decode_id(text: str) -> int | None:
    try:
        value = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class ContentId(UrlStyle):
    """A newer CMS: articles at ``/content/<id>``, lists at ``/category/<slug>?page=N``."""

    name = "content-id"
    description = "newer CMS (/content/<id> with base64 ids, /category/<slug>?page=N)"

    def article_path(self, article_id: int, published: date) -> str:
        return f"/content/{encode_id(article_id)}"

    def listing_path(self, section: int, page: int) -> str:
        more = f"?page={page}" if page > 1 else ""
        return f"/category/{CONTENT_CATS[section]}{more}"

    def static_path(self, index: int) -> str:
        return f"/page/{CONTENT_STATIC[index]}"

    def feed_path(self, section: int | None) -> str:
        return f"/rss/{CONTENT_CATS[section or 0]}.xml"

    def route(self, path: str, query: dict[str, list[str]]) -> Route | None:
        if path == "/":
            return Route(HOME)
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "content":
            number = decode_id(parts[1])
            return Route(ARTICLE, number) if number is not None else None
        if len(parts) == 2 and parts[0] == "category" and parts[1] in CONTENT_CATS:
            page = _number(_first(query, "page"), 1)
            return Route(LISTING, CONTENT_CATS.index(parts[1]), page) if page else None
        if len(parts) == 2 and parts[0] == "page" and parts[1] in CONTENT_STATIC:
            return Route(STATIC, CONTENT_STATIC.index(parts[1]))
        if len(parts) == 2 and parts[0] == "rss" and self.feeds:
            name = parts[1].removesuffix(".xml")
            return Route(FEED, CONTENT_CATS.index(name)) if name in CONTENT_CATS else None
        if path == "/sitemap.xml" and self.sitemap:
            return Route(SITEMAP)
        return None


STYLES: dict[str, type[UrlStyle]] = {
    style.name: style for style in (OpdcPhp, WordPress, WordPressPlain, Joomla, Drupal, ContentId)
}


def make_style(
    name: str, *, feeds: bool = True, sitemap: bool = True, per_page: int = 10
) -> UrlStyle:
    """Return the named style; an unknown name is a ValueError listing the known ones."""
    try:
        return STYLES[name](feeds=feeds, sitemap=sitemap, per_page=per_page)
    except KeyError:
        raise ValueError(f"unknown URL style {name!r} (known: {', '.join(STYLES)})") from None
