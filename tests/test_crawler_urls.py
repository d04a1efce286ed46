"""URL canonicalisation: tracking parameters, fragments, rel=canonical, domains."""

from __future__ import annotations

import pytest

from crawler.urls import canonicalize, find_canonical, host_matches, is_tracking_param


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
        ("https://www.ryt9.com/s/prg", "https://www.ryt9.com/s/prg"),
        ("https://www.opdc.go.th", "https://www.opdc.go.th/"),
    ],
)
def test_canonicalize_drops_tracking_and_fragments(raw, expected):
    assert canonicalize(raw) == expected


def test_canonicalize_keeps_the_parameters_that_name_the_article():
    one = canonicalize("https://www4.opdc.go.th/page.php?id=12&cat=3")
    other = canonicalize("https://www4.opdc.go.th/page.php?cat=3&id=13")
    assert one == "https://www4.opdc.go.th/page.php?cat=3&id=12"
    assert one != other


def test_canonicalize_thai_paths_are_stable():
    encoded = canonicalize("https://www.okmass.com/news/15-%E0%B8%81.%E0%B8%9E.%E0%B8%A3.")
    raw = canonicalize("https://www.okmass.com/news/15-ก.พ.ร.")
    assert encoded == raw


def test_tracking_parameter_names():
    assert is_tracking_param("utm_campaign")
    assert is_tracking_param("UTM_Source")
    assert is_tracking_param("fbclid")
    assert not is_tracking_param("content_id")
    assert not is_tracking_param("page")


def test_find_canonical_in_raw_bytes_of_a_windows_874_page():
    body = (
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-874">'
        b"<title>" + "ข่าว ก.พ.ร.".encode("cp874") + b"</title>"
        b"<LINK REL=canonical HREF='/content.php?content_id=12&amp;utm_source=x'></head>"
    )
    assert find_canonical(body, "http://127.0.0.1:5000/content.php?content_id=12&print=1") == (
        "http://127.0.0.1:5000/content.php?content_id=12"
    )


def test_find_canonical_absolute_and_missing():
    page = b'<head><link rel="canonical" href="https://www.ryt9.com/s/prg/3038567#c"></head>'
    assert find_canonical(page, "https://www.ryt9.com/s/prg/3038567?print=1") == (
        "https://www.ryt9.com/s/prg/3038567"
    )
    assert find_canonical(b"<head><title>x</title></head>", "https://a.example/") is None
    assert find_canonical(b'<link rel="canonical" href="">', "https://a.example/") is None


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://www.opdc.go.th/content/1", True),
        ("https://opdc.go.th/", True),
        ("https://www4.opdc.go.th/content.php?content_id=1", True),
        ("https://notopdc.go.th/", False),
        ("https://opdc.go.th.evil.example/", False),
        ("https://www.facebook.com/sharer.php?u=https://www.opdc.go.th/", False),
    ],
)
def test_host_matches_domain_and_subdomains(url, allowed):
    assert host_matches(url, ("opdc.go.th",)) is allowed


def test_host_matches_without_allowed_domains_allows_all():
    assert host_matches("https://anything.example/", ())
