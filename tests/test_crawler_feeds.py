"""Article links out of RSS and Atom feeds, as WordPress and CMSs write them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from crawler.feeds import feed_links


def test_wordpress_rss2_links_in_order_without_duplicates(fixtures_dir):
    body = (fixtures_dir / "crawler" / "feeds" / "wordpress-rss2.xml").read_bytes()
    assert feed_links(body) == [
        "https://www.thaipr.net/general/1183012",
        "https://www.thaipr.net/general/1183013?utm_source=rss&utm_medium=rss",
        "https://www.thaipr.net/general/1183014",  # a permalink guid when there is no <link>
    ]


def test_atom_alternate_links_not_enclosures(fixtures_dir):
    body = (fixtures_dir / "crawler" / "feeds" / "atom.xml").read_bytes()
    assert feed_links(body) == ["https://www.opdc.go.th/content/MTIzNA", "/content/MTIzNQ"]


def test_not_a_feed_gives_no_links():
    assert feed_links("<html><body><p>ไม่ใช่ฟีด</p></body></html>".encode()) == []
    assert feed_links(b"") == []
    assert feed_links(b"\x89PNG\r\n\x1a\n\x00\x00") == []


REAL_FEEDS = Path(__file__).resolve().parent / "fixtures" / "realworld" / "feeds" / "chardet"
_ITEM_RE = re.compile(rb"<(?:item|entry)[\s>]")


@pytest.mark.parametrize(
    "path", sorted(REAL_FEEDS.glob("*/*.xml")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_every_real_feed_gives_every_item_link(path: Path) -> None:
    body = path.read_bytes()
    links = feed_links(body)
    assert len(links) == len(_ITEM_RE.findall(body))
    assert all(link.startswith("http") for link in links)


def test_tis620_feed_with_windows_874_quotes_keeps_its_items() -> None:
    body = (REAL_FEEDS / "TIS-620" / "pharmacy.kku.ac.th.healthinfo-ne.xml").read_bytes()
    assert b'encoding="tis-620"' in body and b"\x93" in body  # a curly quote TIS-620 lacks
    on_raw_bytes = etree.fromstring(body, parser=etree.XMLParser(recover=True))
    assert len(list(on_raw_bytes.iter("item"))) < 20  # what lxml alone makes of it
    assert len(feed_links(body)) == 20


def test_feed_charset_from_the_http_header() -> None:
    body = (REAL_FEEDS / "TIS-620" / "opentle.org.xml").read_bytes()
    undeclared = body.replace(b'encoding="TIS-620"', b"")
    assert feed_links(undeclared, "application/rss+xml; charset=tis-620") == feed_links(body)
