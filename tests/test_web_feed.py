"""The Atom feed shared by ``/feed.atom`` and ``opdcwatch feed``: valid, stable, Thai intact."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from archive import Archive
from archive.feed import entry_id, recent_changes, render_atom
from tests.web_helpers import build_web_archive

NS = {"a": "http://www.w3.org/2005/Atom"}


def _change(**over):
    change = {
        "article_id": 7,
        "version": 2,
        "url": "https://www.opdc.go.th/content/Nzk4Mw",
        "title": "สำนักงาน ก.พ.ร. ยกระดับมาตรฐาน",
        "fetched_at": "2026-11-21T03:00:00+00:00",
        "site": "opdc",
        "published": "2020-09-21",
        "text": "ย่อหน้าแรก\nย่อหน้าที่สอง",
    }
    return change | over


def test_render_atom_has_required_elements_and_thai_text():
    root = ET.fromstring(render_atom([_change()]).encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for tag in ("title", "id", "updated", "author/a:name"):
        assert root.find(f"a:{tag}", NS) is not None, tag
    entry = root.find("a:entry", NS)
    assert entry.findtext("a:title", namespaces=NS) == (
        "[แก้ไข (changed, v2)] สำนักงาน ก.พ.ร. ยกระดับมาตรฐาน"
    )
    assert entry.findtext("a:id", namespaces=NS) == entry_id(7, 2)
    assert entry.findtext("a:updated", namespaces=NS) == "2026-11-21T03:00:00Z"
    assert entry.findtext("a:published", namespaces=NS) == "2020-09-21T00:00:00Z"
    assert entry.find("a:link[@rel='alternate']", NS).get("href").endswith("/Nzk4Mw")
    assert entry.findtext("a:summary", namespaces=NS) == "ย่อหน้าแรก ย่อหน้าที่สอง"


def test_markup_and_control_characters_cannot_break_the_feed():
    nasty = _change(title='<script>alert(1)</script> & "ก.พ.ร."\x00\x1b', text="a\x0bb </feed>")
    xml = render_atom([nasty], self_url="http://127.0.0.1:8000/feed.atom?a=1&b=2")
    root = ET.fromstring(xml.encode("utf-8"))
    entry = root.find("a:entry", NS)
    assert entry.findtext("a:title", namespaces=NS).endswith('<script>alert(1)</script> & "ก.พ.ร."')
    assert "<script>" not in xml and "\x00" not in xml
    assert root.find("a:link[@rel='self']", NS).get("href").endswith("?a=1&b=2")


def test_new_and_revert_labels_and_a_stable_updated_stamp():
    changes = [
        _change(version=3, revert_of=1),
        _change(version=1, fetched_at="2026-11-20T03:00:00"),
    ]
    first, second = render_atom(changes), render_atom(changes)
    assert first == second  # an unchanged archive gives a byte-identical feed
    titles = [
        e.findtext("a:title", namespaces=NS)
        for e in ET.fromstring(first).iter("{http://www.w3.org/2005/Atom}entry")
    ]
    assert titles[0].startswith("[ย้อนกลับ (reverted to v1, v3)]")
    assert titles[1].startswith("[ใหม่ (new)]")
    assert ET.fromstring(first).findtext("a:updated", namespaces=NS) == "2026-11-21T03:00:00Z"
    empty = ET.fromstring(render_atom([]))
    assert empty.find("a:entry", NS) is None and empty.findtext("a:updated", namespaces=NS)


def test_recent_changes_newest_first_on_both_backends(archive_url):
    build_web_archive(archive_url)
    with Archive.open(archive_url) as arch:
        changes = recent_changes(arch, limit=4)
    assert [(c.get("event"), c["version"], c["site"]) for c in changes] == [
        ("removed", 1, "opdc"),  # the article that answered 404 a minute after the revert
        (None, 3, "opdc"),
        (None, 1, "prnews"),
        (None, 1, "prnews"),
    ]
    assert changes[0]["fetched_at"] == "2026-11-22T03:01:00+00:00"
    assert changes[1]["revert_of"] == 1
    assert changes[1]["fetched_at"] == "2026-11-22T03:00:00+00:00"


def test_thai_page_time_is_bangkok_time_in_the_feed(sqlite_arch: Archive, fixtures_dir) -> None:
    """ryt9 prints "Friday September 6, 2019 14:09" on a Thai page: 07:09 UTC, not 14:09Z."""
    body = (fixtures_dir / "pages" / "ryt9_release_tis620_header.html").read_bytes()
    sqlite_arch.record_page(
        url="https://www.ryt9.com/s/prg/3041532",
        status=200,
        headers={"Content-Type": "text/html; charset=TIS-620"},
        body=body,
        site="ryt9",
    )
    [change] = recent_changes(sqlite_arch)
    assert change["published"] == "2019-09-06T14:09:00+07:00"
    entry = ET.fromstring(render_atom([change]).encode("utf-8")).find("a:entry", NS)
    assert entry.findtext("a:published", namespaces=NS) == "2019-09-06T07:09:00Z"
