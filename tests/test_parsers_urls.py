"""One canonical URL (parsers/urls.py): the key the crawler files under and a user looks up by."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.exceptions import InvalidInputError
from archive.inputs import canonical_url as archive_canonical_url
from parsers.urls import canonical_url, is_tracking_param

OKMASS_ENCODED = "https://www.okmass.com/news/15-%E0%B8%81.%E0%B8%9E.%E0%B8%A3."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://www.opdc.go.th/content.php?content_id=7&utm_source=line&utm_medium=social#top",
            "https://www.opdc.go.th/content.php?content_id=7",
        ),
        (
            "HTTPS://WWW.ThaiPR.net:443/general/1183012/?fbclid=IwAR0abc&gclid=xyz",
            "https://www.thaipr.net/general/1183012/",
        ),
        ("http://127.0.0.1:8080/news.php?page=2#list", "http://127.0.0.1:8080/news.php?page=2"),
        ("http://www.ryt9.com:80/s/prg", "http://www.ryt9.com/s/prg"),
        ("https://www.opdc.go.th", "https://www.opdc.go.th/"),
        (
            "  https://www.opdc.go.th/news?MSCLKID=1&_ga=2&page=3  ",
            "https://www.opdc.go.th/news?page=3",
        ),
    ],
)
def test_canonical_url_drops_tracking_fragments_and_default_ports(raw, expected):
    assert canonical_url(raw) == expected


def test_parameters_are_sorted_but_the_ones_naming_the_article_kept():
    one = canonical_url("https://www4.opdc.go.th/page.php?id=12&cat=3")
    assert one == "https://www4.opdc.go.th/page.php?cat=3&id=12"
    assert canonical_url("https://www4.opdc.go.th/page.php?cat=3&id=12") == one
    assert canonical_url("https://www4.opdc.go.th/page.php?cat=3&id=13") != one


@pytest.mark.parametrize(
    "typed",
    [
        OKMASS_ENCODED,
        "https://www.okmass.com/news/15-ก.พ.ร.",
        "https://www.okmass.com/news/15-%e0%b8%81.%e0%b8%9e.%e0%b8%a3.",  # lower-case escapes
        "https://www.okmass.com/news/15-%E0%B8%81.พ.%E0%B8%A3.",  # half typed, half pasted
        "https://WWW.OKMASS.COM/news/15-ก.พ.ร.#comments",
    ],
)
def test_raw_thai_and_its_escapes_are_one_key(typed):
    assert canonical_url(typed) == OKMASS_ENCODED


def test_thai_query_values_raw_or_encoded_and_in_any_order():
    raw = canonical_url("https://www.prd.go.th/search?q=ก.พ.ร.&page=2&utm_campaign=x")
    encoded = canonical_url("https://www.prd.go.th/search?page=2&q=%E0%B8%81.%E0%B8%9E.%E0%B8%A3.")
    assert raw == encoded == "https://www.prd.go.th/search?page=2&q=%E0%B8%81.%E0%B8%9E.%E0%B8%A3."


def test_escapes_that_carry_meaning_are_never_decoded():
    # an encoded slash or ampersand is data, not a separator; a lone % is escaped itself
    assert canonical_url("https://a.example/a%2fb?x=1%262") == "https://a.example/a%2Fb?x=1%262"
    assert canonical_url("https://a.example/100%/") == "https://a.example/100%25/"
    assert canonical_url("https://a.example/%7Euser/%41") == "https://a.example/~user/A"


def test_blank_parameters_and_thai_host_names():
    assert canonical_url("https://a.example/p?b&a=") == "https://a.example/p?a=&b"
    assert canonical_url("https://ไทย.example/ข่าว") == (
        "https://xn--o3cw4h.example/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7"
    )


def test_tracking_parameter_names():
    assert is_tracking_param("utm_campaign")
    assert is_tracking_param("UTM_Source")
    assert is_tracking_param("fbclid")
    assert not is_tracking_param("content_id")
    assert not is_tracking_param("page")


def test_the_archive_files_under_the_same_key_and_rejects_non_web_urls():
    typed = "HTTPS://www.okmass.com/news/15-ก.พ.ร.?utm_source=line"
    assert archive_canonical_url(typed) == canonical_url(typed) == OKMASS_ENCODED
    for bad in (
        "ftp://www.opdc.go.th/x",
        "www.opdc.go.th/content/1",
        "https:///nohost",
        "http://[::1",
    ):
        with pytest.raises(InvalidInputError, match="not an http"):
            archive_canonical_url(bad)


_PATH_CHARS = st.sampled_from([*"abcก่ข้า/.-_~%20 +&=?:@", "%E0%B8%81", "%e0%b8%81", "%2F"])


@given(
    path=st.lists(_PATH_CHARS, max_size=12).map("".join),
    query=st.lists(
        st.tuples(st.sampled_from(["id", "cat", "utm_x", "q", "fbclid"]), _PATH_CHARS), max_size=4
    ),
)
def test_canonical_url_is_idempotent(path, query):
    url = "https://www.opdc.go.th/" + path.replace("?", "").replace("#", "")
    if query:
        url += "?" + "&".join(f"{k}={v.replace('&', '').replace('#', '')}" for k, v in query)
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "utm_x" not in once and "fbclid" not in once
    assert once.isascii()
