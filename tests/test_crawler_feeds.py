"""Article links out of RSS and Atom feeds, as WordPress and CMSs write them."""

from __future__ import annotations

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
