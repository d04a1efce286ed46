"""The crawler's URL helpers: rel=canonical links and allowed domains (the canonical form
itself is tested in test_parsers_urls.py)."""

from __future__ import annotations

import pytest

from crawler.urls import find_canonical, host_matches


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
