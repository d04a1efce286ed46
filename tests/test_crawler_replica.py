"""The replica site behaves like the real ones the crawler must cope with."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest

from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.site import ARCHIVED_EDIT_NEW, ARCHIVED_EDIT_OLD, EDIT_NEW, EDIT_OLD


@pytest.fixture
def replica():
    with ReplicaServer(ReplicaSite(12, slow_seconds=0.5)) as server:
        yield server


def fetch(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_boilerplate_changes_on_every_request(replica):
    url = replica.base_url + replica.site.by_role("plain").path
    _, _, first = fetch(url)
    _, _, second = fetch(url)
    assert first != second
    views = [re.search(r"ผู้ชม (\d+) ครั้ง", page.decode()).group(1) for page in (first, second)]
    assert views[0] != views[1]


def test_etag_and_last_modified_give_304(replica):
    url = replica.base_url + replica.site.by_role("plain").path
    status, headers, _ = fetch(url)
    assert status == 200
    assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"stale"'})[0] == 200
    stats = replica.site.stats()
    path = replica.site.by_role("plain").path
    assert stats["conditional"][path] == 3
    assert stats["not_modified"][path] == 2


@pytest.mark.parametrize(
    ("role", "content_type", "meta"),
    [
        ("cp874-header", "text/html; charset=windows-874", False),
        ("cp874-meta", "text/html", True),
        ("cp874-none", "text/html", False),
    ],
)
def test_windows_874_pages(replica, role, content_type, meta):
    article = replica.site.by_role(role)
    status, headers, body = fetch(replica.base_url + article.path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert (b"charset=windows-874" in body) is meta
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert article.title in body.decode("cp874")


def test_flaky_article_answers_503_once(replica):
    url = replica.base_url + replica.site.by_role("flaky").path
    assert [fetch(url)[0] for _ in range(3)] == [503, 200, 200]


def test_slow_article_is_slow(replica):
    start = time.monotonic()
    fetch(replica.base_url + replica.site.by_role("slow").path)
    assert time.monotonic() - start >= 0.5


def test_robots_binary_trap_and_listing(replica):
    _, _, robots = fetch(replica.base_url + "robots.txt")
    assert b"Disallow: /private/" in robots
    status, headers, body = fetch(replica.base_url + "content.php?content_id=9001")
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert body.startswith(b"%PDF")
    _, _, far = fetch(replica.base_url + "news.php?page=99")
    assert "ไม่พบข่าว".encode() in far and b"news.php?page=100" in far
    _, _, month = fetch(replica.base_url + "calendar.php?month=7")
    assert b"calendar.php?month=8" in month


def test_phase_two_edits_retitles_removes_and_adds(replica):
    site = replica.site
    edited, retitled, removed = (site.by_role(r) for r in ("edited", "retitled", "removed"))
    before = {a.id: a.etag for a in site.articles()}
    status, _, body = fetch(replica.base_url + "_control/phase?set=2")
    assert status == 200 and json.loads(body)["phase"] == 2
    after = {a.id: a for a in site.articles()}
    assert removed.id not in after
    assert fetch(replica.base_url + removed.path)[0] == 404
    assert EDIT_OLD in " ".join(edited.paragraphs)
    assert EDIT_NEW in " ".join(after[edited.id].paragraphs)
    assert after[retitled.id].title != retitled.title
    added = set(after) - set(before)
    assert len(added) == 1
    unchanged = [i for i in after if i in before and after[i].etag == before[i]]
    assert len(unchanged) == len(before) - 5  # the edit, the title, three off the listings


def test_phase_two_takes_older_articles_off_every_listing(replica):
    site = replica.site
    corrected, redirected, removed = (
        site.by_role(r) for r in ("archived-edit", "redirected", "removed")
    )
    fetch(replica.base_url + "_control/phase?set=2")
    gone_from_lists = {a.path for a in (corrected, redirected, removed)}
    pages = ["", "news.php?page=1", "news.php?page=2", "news.php?page=3", "rss.xml"]
    pages += ["sitemap.xml", "calendar.php?month=1", *(a.path for a in site.articles())]
    listings = [fetch(replica.base_url + path)[2].decode("latin-1") for path in pages]
    assert not [p for p in gone_from_lists for page in listings if p.replace("&", "&amp;") in page]
    status, _, page = fetch(replica.base_url + corrected.path)  # still served, corrected
    assert status == 200 and ARCHIVED_EDIT_NEW in page.decode()
    assert ARCHIVED_EDIT_OLD in " ".join(corrected.paragraphs)
    request = urllib.request.Request(replica.base_url + redirected.path)
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(request, timeout=10)
    assert answer.value.code == 302 and answer.value.headers["Location"] == replica.base_url


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
