"""The spider's links come from the article's own parse and a cache: the same links as before.

Before, the spider asked Scrapy's selectors for ``a::attr(href)``, joined each link to the
page, canonicalised it and matched the profile's patterns, on every page. These tests hold
the new path to that answer on saved Thai pages and the replica's portal pages.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import parsel
import pytest

from crawler.demo import ReplicaSite
from crawler.demo.pages import render_article, render_listing
from crawler.links import LinkSorter
from crawler.profiles import parse_profile
from parsers import PageLinks, ParseError, decode_bytes, find_links, parse_page
from parsers.urls import canonical_url

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGES = sorted(
    [
        *FIXTURES.glob("pages/*.html"),
        *FIXTURES.glob("parsers/*.html"),
        *FIXTURES.glob("archive/*.html"),
    ]
)
PROFILE = parse_profile(
    """
name = "links"
start_urls = ["https://www.opdc.go.th/"]
articles = ['content', 'news/\\d+', 'id=\\d+']
follow = ['page=\\d+', '/category/', 'index\\.php']
""",
    "test",
)
BASE = "https://www.opdc.go.th/content/1200"


def parsel_hrefs(data: bytes) -> list[str]:
    text, _ = decode_bytes(data, None)
    return parsel.Selector(text=text).css("a::attr(href)").getall()


def sorted_as_before(page_url: str, hrefs: list[str]) -> tuple[list[str], list[str]]:
    """The spider's follow_links before the LinkSorter: join, canonicalise, match."""
    articles, listings = [], []
    for href in hrefs:
        href = href.strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = canonical_url(urljoin(page_url, href))
        if PROFILE.is_article(url):
            articles.append(url)
        elif PROFILE.is_listing(url):
            listings.append(url)
    return list(dict.fromkeys(articles)), list(dict.fromkeys(listings))


def portal_pages() -> list[bytes]:
    site = ReplicaSite(12, per_page=5, specials=False, layout="portal")
    base = "http://127.0.0.1:8000/"
    return [render_article(site, a, base)[0] for a in site.articles()[:4]] + [
        render_listing(site, page) for page in (1, 2)
    ]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_links_are_scrapys_links(path: Path) -> None:
    data = path.read_bytes()
    assert list(find_links(data).hrefs) == parsel_hrefs(data)


def test_links_of_the_article_parse_are_those_of_a_links_only_parse() -> None:
    for data in [*portal_pages(), *(p.read_bytes() for p in PAGES)]:
        try:
            page = parse_page(data)
        except ParseError:  # no article text: no article, and no links from its parse
            continue
        assert page.links == find_links(data)


def test_sorted_links_are_the_ones_the_spider_followed_before() -> None:
    sorter = LinkSorter(PROFILE)
    pages = [*portal_pages(), *(p.read_bytes() for p in PAGES)]
    assert sum(len(find_links(d).hrefs) for d in pages) > 500
    for _ in range(2):  # the second round answers from the cache
        for number, data in enumerate(pages):
            page_url = (
                f"{BASE}?page={number}" if number % 2 else f"https://www.opdc.go.th/a/b{number}"
            )
            hrefs = find_links(data).hrefs
            assert sorter.sort(page_url, PageLinks(hrefs)) == sorted_as_before(
                page_url, list(hrefs)
            )


def test_relative_links_resolve_against_their_own_page() -> None:
    sorter = LinkSorter(PROFILE)
    links = PageLinks(("news/7", "/news/8", "?page=2", "https://WWW.opdc.go.th:443/news/9#x"))
    first = sorter.sort("https://www.opdc.go.th/th/", links)
    second = sorter.sort("https://www.opdc.go.th/en/list.php", links)
    assert first == (
        [
            "https://www.opdc.go.th/th/news/7",
            "https://www.opdc.go.th/news/8",
            "https://www.opdc.go.th/news/9",
        ],
        ["https://www.opdc.go.th/th/?page=2"],
    )
    assert second[0][0] == "https://www.opdc.go.th/en/news/7"
    assert second[1] == ["https://www.opdc.go.th/en/list.php?page=2"]


def test_a_base_href_wins_over_the_page_url() -> None:
    data = (
        b'<html><head><base href="https://www.opdc.go.th/th/"></head><body>'
        b'<a href="news/5">a</a><a href="/news/6">b</a></body></html>'
    )
    links = find_links(data)
    assert links.base == "https://www.opdc.go.th/th/"
    articles, _ = LinkSorter(PROFILE).sort("https://www.opdc.go.th/other/page", links)
    assert articles == ["https://www.opdc.go.th/th/news/5", "https://www.opdc.go.th/news/6"]


def test_a_page_that_cannot_be_read_has_no_links() -> None:
    assert find_links(b"").hrefs == ()
    assert find_links(b"%PDF-1.4\x00\x01\x02\x03" * 50).hrefs == ()
