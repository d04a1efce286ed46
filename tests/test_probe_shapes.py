"""URL shapes: the same kind of page is one group, and its pattern matches the rest of it."""

from __future__ import annotations

import re
import tomllib

import pytest

from crawler.probe.shapes import family_of, group_links, pattern_for, shape_of
from crawler.probe.site import GroupReport, ProbeResult, SampleArticle
from crawler.probe.toml_out import profile_toml
from parsers.urls import canonical_url

BASE = "https://www.opdc.go.th"


def _canonical(*paths: str) -> list[str]:
    return [canonical_url(BASE + p) for p in paths]


def test_the_2018_opdc_home_page_links_group_by_kind():
    urls = _canonical(
        "/page.php?url=tab_view&cat=1&id=1385",
        "/page.php?url=tab_view&cat=D&id=1390",
        "/page.php?url=tab_more&cat=1",
        "/page.php?url=tab_more&cat=M",
        "/content.php?menu_id=4&content_id=3594",
        "/news.php?menu_id=8&catid=16&news_id=2797",
        "/_rss.php?cat=V",
    )
    groups = group_links(urls)
    assert sorted(len(g.urls) for g in groups.values()) == [1, 1, 1, 2, 2]
    assert groups["/page.php?cat=*&id=*&url=tab_view"].urls == urls[:2]
    assert groups["/page.php?cat=*&url=tab_more"].urls == urls[2:4]


@pytest.mark.parametrize(
    ("url", "shape"),
    [
        ("/2020/09/21/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7-1001/", "/#/#/#/*/"),
        ("/node/1031", "/node/#"),
        ("/content/MTAwMQ", "/content/*"),
        ("/category/news?page=2", "/category/news?page=#"),
        ("/about/vision", "/about/vision"),
        (
            "/index.php?option=com_content&view=article&id=25:opdc&catid=8&Itemid=101",
            "/index.php?Itemid=#&catid=#&id=*&option=com_content&view=article",
        ),
    ],
)
def test_shapes_keep_words_and_open_ids(url, shape):
    assert shape_of(canonical_url(BASE + url)) == shape


def test_numbers_and_letters_of_one_parameter_are_one_family():
    one, letter = (shape_of(u) for u in _canonical("/x.php?cat=1&id=5", "/x.php?cat=D&id=6"))
    assert one != letter and family_of(one) == family_of(letter)


def test_patterns_match_the_group_and_its_unseen_members_only():
    seen = _canonical("/page.php?url=tab_view&cat=1&id=1385", "/page.php?url=tab_view&cat=D&id=13")
    pattern = re.compile(pattern_for(seen))
    for url in _canonical(
        "/page.php?url=tab_view&cat=V&id=2797", "/page.php?cat=M&id=1&url=tab_view"
    ):
        assert pattern.search(url)
    for url in _canonical(
        "/page.php?url=tab_more&cat=1",
        "/page.php?url=tab_view&cat=1&id=1385&print=1",
        "/page.php?url=tab_view&cat=1&id=abc",
    ):
        assert not pattern.search(url), url
    posts = re.compile(pattern_for(_canonical("/2020/09/21/a-1001/", "/2020/10/05/b-1011/")))
    assert posts.search(canonical_url(BASE + "/2019/01/02/c-3/"))
    assert not posts.search(canonical_url(BASE + "/2019/01/02/c-3/feed/"))


def test_scraped_titles_and_urls_cannot_write_profile_keys():
    """A title with a line break or a URL with a quote stays inside its comment or string."""
    result = ProbeResult(
        url="http://127.0.0.1/",
        name="agency",
        allowed_domains=["127.0.0.1"],
        start_urls=["http://127.0.0.1/news?q=it's\x7f"],
        feeds=[],
        sitemaps=[],
        articles=[r"/news/\d+"],
        follow=[],
        groups=[GroupReport("/news/{id}\nschedule = 'every 1s'", "article", 9, 3, r"/news/\d+")],
        samples=[SampleArticle("http://127.0.0.1/news/1", "ข่าว\nname = 'evil'", "2026-12-01", 900)],
    )
    profile = tomllib.loads(profile_toml(result))
    assert profile["name"] == "agency"
    assert profile.get("schedule") != "every 1s"
    assert profile["start_urls"] == ["http://127.0.0.1/news?q=it's\x7f"]
    assert profile["articles"] == [r"/news/\d+"]
