"""The web page reports removals: a "removed only" filter on the article list, and each
article's removals and restorations with their dates (Flask's test client, a real archive)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from archive import Archive
from archive.web import create_app
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
