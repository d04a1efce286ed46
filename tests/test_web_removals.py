"""The web page reports removals: a "removed only" filter on the article list, and each
article's removals and restorations with their dates (Flask's test client, a real archive)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from archive import Archive
from archive.web import create_app
from crawler.cli import cli
from tests.archive_helpers import ARTICLE_URL, MIRROR_URL, at, record


@pytest.fixture
def client(sqlite_url):
    with Archive.open(sqlite_url) as arch:
        record(arch, "opdc_v1.html", 0, site="opdc")
        record(arch, "mirror_v1.html", 0, url=MIRROR_URL, site="prd")
        record(arch, "opdc_404.html", 1, status=404)
        record(arch, "opdc_v1.html", 2)  # back
        arch.record_page(
            url=ARTICLE_URL,
            status=302,
            headers={"Location": "https://www.opdc.go.th/"},
            body=b"",
            fetched_at=at(3),
        )
    app = create_app(sqlite_url)
    yield app.test_client()
    app.extensions["opdcwatch"].archive.close()


def test_the_list_filters_removed_articles_and_dates_them(client):
    everything = lxml_html.fromstring(client.get("/articles").get_data(as_text=True))
    assert len(everything.cssselect("ul.results li")) == 2
    response = client.get("/articles?gone=1")
    assert response.status_code == 200
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    (item,) = doc.cssselect("ul.results li")
    assert item.cssselect("a.title")[0].text.startswith("สำนักงาน ก.พ.ร.")
    badge = item.cssselect(".badge.gone")[0].text_content()
    assert badge.startswith("removed ") and f"{at(3):%Y}" in badge
    assert doc.cssselect('select[name="gone"] option[selected]')[0].get("value") == "1"


def test_the_article_page_lists_its_removals_and_restorations(client):
    doc = lxml_html.fromstring(client.get("/articles/1").get_data(as_text=True))
    events = [li.text_content().split() for li in doc.cssselect("ul.events li")]
    assert [e[0] for e in events] == ["removed", "restored", "removed"]
    assert events[0][-2:] == ["HTTP", "404"]
    assert events[2][-3:] == ["redirected", "to", "https://www.opdc.go.th/"]
    assert doc.cssselect("ul.events time")[0].get("datetime").startswith(f"{at(1):%Y-%m-%d}")


def _titles_and_next(client, path: str) -> tuple[list[str], str | None]:
    doc = lxml_html.fromstring(client.get(path).get_data(as_text=True))
    links = [a.cssselect("a.title")[0].get("href") for a in doc.cssselect("ul.results li")]
    older = doc.cssselect('a[rel="next"]')
    return links, older[0].get("href") if older else None


@pytest.fixture
def two_removed(sqlite_url):
    """The article removed at hour 3 (a redirect), its mirror at hour 1 (a 404), and one page
    per screen: the removed list must page by removal time, not by change time."""
    with Archive.open(sqlite_url) as arch:
        record(arch, "opdc_v1.html", 0, site="opdc")
        record(arch, "mirror_v1.html", 0, url=MIRROR_URL, site="prd")
        record(arch, "opdc_404.html", 1, url=MIRROR_URL, status=404)
        record(arch, "opdc_404.html", 3, status=410)
        record(arch, "opdc_v1.html", 0.5, url="https://www.opdc.go.th/content/1300", site="opdc")
    app = create_app(sqlite_url)
    app.config["OPDCWATCH_PAGE_SIZE"] = 1
    yield app.test_client()
    app.extensions["opdcwatch"].archive.close()


def test_the_removed_list_pages_by_key_most_recently_removed_first(two_removed):
    first, older = _titles_and_next(two_removed, "/articles?gone=1")
    assert first == ["/articles/1"] and older and "gone=1" in older and "after=" in older
    second, older = _titles_and_next(two_removed, older)
    assert second == ["/articles/2"] and older is None
    # the same filter on the API: what `articles --gone --json` prints, one page at a time
    response = two_removed.get("/api/articles?gone=1&limit=1")
    assert [row["id"] for row in response.get_json()] == [1]
    assert "gone=1" in response.headers["Link"]
    after = response.headers["Link"].split("<", 1)[1].split(">", 1)[0]
    assert [row["id"] for row in two_removed.get(after).get_json()] == [2]


def test_a_search_of_removed_articles_keeps_only_them(two_removed, sqlite_url):
    everything = two_removed.get("/api/articles?q=อนุรักษ์&limit=10").get_json()
    assert sorted(row["id"] for row in everything) == [1, 2, 3]
    removed = two_removed.get("/api/articles?q=อนุรักษ์&gone=1&limit=10").get_json()
    assert sorted(row["id"] for row in removed) == [1, 2]
    assert all(row["gone_at"] and row["match"]["excerpt"] for row in removed)
    found, _ = _titles_and_next(two_removed, "/articles?q=อนุรักษ์&gone=1")
    assert found and found[0] in ("/articles/1", "/articles/2")
    printed = CliRunner().invoke(cli, ["search", "อนุรักษ์", "--gone", "--db", sqlite_url])
    assert printed.exit_code == 0, printed.output
    lines = [ln for ln in printed.output.splitlines() if ln.strip().split()[0].isdigit()]
    assert sorted(int(ln.split()[0]) for ln in lines) == [1, 2]
    assert all(f"[gone {at(1):%Y-%m-%d}]" in ln or f"[gone {at(3):%Y-%m-%d}]" in ln for ln in lines)
