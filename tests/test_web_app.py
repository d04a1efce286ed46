"""The web page through Flask's test client, over an archive recorded from saved Thai pages.

The archive is built the real way: every page in tests/fixtures/web/corpus.json goes through
``Archive.record_page`` (and so through the parsers), inside crawl runs.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html
from sqlalchemy import func, select

from archive import Archive, schema
from archive.web import create_app
from crawler.cli import cli
from tests.web_helpers import (
    OPDC_URL,
    REPOST_URL,
    build_web_archive,
)


@pytest.fixture(scope="module")
def web_db(tmp_path_factory) -> tuple[str, dict[str, int]]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'archive.db'}"
    return db_url, build_web_archive(db_url)


@pytest.fixture(scope="module")
def app(web_db):
    flask_app = create_app(web_db[0])
    flask_app.config["OPDCWATCH_PAGE_SIZE"] = 2
    yield flask_app
    flask_app.extensions["opdcwatch"].archive.close()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def ids(web_db) -> dict[str, int]:
    return web_db[1]


def page_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def tree(response):
    return lxml_html.fromstring(response.get_data(as_text=True))


def test_home_lists_sites_with_last_run_and_latest_articles(client):
    response = client.get("/")
    body = page_text(response)
    doc = tree(response)
    rows = {
        r.xpath("string(td[1])").strip(): r for r in doc.xpath("//table[@class='sites']//tr[td]")
    }
    assert set(rows) == {"opdc", "prnews"}
    assert rows["prnews"].xpath("string(.//span[contains(@class,'badge')])") == "failed"
    assert rows["opdc"].xpath("string(.//span[contains(@class,'badge')])") == "ok"
    latest = [
        a.text_content() for a in doc.xpath("//ul[contains(@class,'latest')]//a[@class='title']")
    ]
    assert latest[0] == "สำนักงาน ก.พ.ร. ยกระดับมาตรฐานการให้บริการสู่ความเป็นเลิศ"
    assert "<script" not in body.lower()


def test_every_page_sends_a_csp_without_script_sources(client, ids):
    for path in ("/", "/articles", f"/articles/{ids['v1']}", f"/articles/{ids['v1']}/diff"):
        csp = client.get(path).headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp
        assert "unsafe-inline" not in csp


def test_article_list_filters_by_site_date_and_versions_and_paginates(client, ids):
    doc = tree(client.get("/articles?site=prnews"))
    titles = [
        t.text_content() for t in doc.xpath("//ul[contains(@class,'results')]//a[@class='title']")
    ]
    assert len(titles) == 2 and all("จัดมหกรรม" in t or "ยกระดับ" in t for t in titles)
    doc = tree(client.get("/articles?changed=1"))
    hrefs = doc.xpath("//ul[contains(@class,'results')]//a[@class='title']/@href")
    assert hrefs == [f"/articles/{ids['v1']}"]
    doc = tree(client.get("/articles?since=2026-11-22"))  # only what changed on the 22nd
    assert doc.xpath("//ul[contains(@class,'results')]//a[@class='title']/@href") == [
        f"/articles/{ids['v1']}"
    ]
    first = tree(client.get("/articles"))  # page size 2 in these tests; 4 articles
    (older,) = first.xpath("//a[@rel='next']/@href")
    assert older.startswith("/articles?after=") and older.endswith("&page=2")
    second = tree(client.get(older))  # by key: where page 1 ended, not an OFFSET
    seen = first.xpath("//a[@class='title']/@href") + second.xpath("//a[@class='title']/@href")
    assert len(set(seen)) == 4
    assert not second.xpath("//a[@rel='next']")
    assert second.xpath("//a[@rel='first']/@href") == ["/articles"]
    old_link = tree(client.get("/articles?page=2"))  # links from before keys still work
    assert old_link.xpath("//a[@class='title']/@href") == second.xpath("//a[@class='title']/@href")


def test_buddhist_era_since_is_accepted_and_bad_params_are_400(client):
    def hrefs(path: str) -> list[str]:
        return tree(client.get(path)).xpath("//ul[contains(@class,'results')]//a/@href")

    assert hrefs("/articles?since=2569-11-22") == hrefs("/articles?since=2026-11-22")
    assert len(hrefs("/articles?since=2569-11-22")) == 1
    response = client.get("/articles?since=yesterday")
    assert response.status_code == 400 and "ISO 8601" in response.get_data(as_text=True)
    assert client.get("/articles?page=0").status_code == 400
    assert client.get("/articles?after=yesterday").status_code == 400
    assert client.get("/articles?page=999999999").status_code == 400  # bounded, not a scan
    assert client.get("/articles/1/diff?from=abc").status_code == 400


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("อนุรักษ์", "opdc"),  # inside "โครงการร้อยเอ็ดร่วมใจอนุรักษ์ป่าดงทำเลดอนใหญ่"
        ("ขาเทียม", "opdc"),
        ("เร่งสปีด", "prnews"),  # windows-874 page without a charset
        ("ไทยแลนด์ 4.0", "prnews"),
        ("ศูนย์บริการประชาชน", "opdc"),  # only in version 2: old versions are searchable too
    ],
)
def test_search_finds_thai_words_inside_runs_without_spaces(client, ids, query, expected):
    doc = tree(client.get("/articles", query_string={"q": query}))
    hrefs = doc.xpath("//ul[contains(@class,'results')]//a[@class='title']/@href")
    wanted = ids["v1"] if expected == "opdc" else ids["prnews"]
    assert f"/articles/{wanted}" in hrefs
    assert f"/articles/{ids['xss']}" not in hrefs


def test_search_highlights_the_match_and_reports_no_match(client):
    doc = tree(client.get("/articles", query_string={"q": "อนุรักษ์"}))
    assert "อนุรักษ์" in doc.xpath("string(//div[@class='excerpt']/mark)")
    doc = tree(client.get("/articles", query_string={"q": "ฟุตบอลโลก"}))
    assert not doc.xpath("//ul[contains(@class,'results')]//a[@class='title']")
    doc = tree(client.get("/articles", query_string={"q": "อนุรักษ์", "site": "prnews"}))
    hrefs = doc.xpath("//ul[contains(@class,'results')]//a[@class='title']/@href")
    assert len(hrefs) == 1  # only the repost, not the OPDC original


def test_article_page_shows_text_timeline_reverts_and_links(client, ids):
    response = client.get(f"/articles/{ids['v1']}")
    doc = tree(response)
    assert doc.xpath("string(//h1)") == "สำนักงาน ก.พ.ร. ยกระดับมาตรฐานการให้บริการสู่ความเป็นเลิศ"
    text = doc.xpath("string(//div[@class='article-text'])")
    assert "10-11 กันยายน 2563" in text and "ผู้ชม" not in text
    steps = doc.xpath("//ol[@class='timeline']/li")
    assert len(steps) == 3
    assert steps[2].xpath("string(.//span[contains(@class,'revert')])") == "revert to v1"
    original = doc.xpath("//a[@class='original']")
    assert original[0].get("href") == OPDC_URL
    assert "noopener" in original[0].get("rel")
    assert REPOST_URL in doc.xpath("//aside//a/@href")  # also published at
    raw = doc.xpath("//a[text()='as text']/@href")
    assert raw == [f"/articles/{ids['v1']}/versions/3/raw"]


def test_version_page_shows_that_version(client, ids):
    doc = tree(client.get(f"/articles/{ids['v1']}/versions/2"))
    text = doc.xpath("string(//div[@class='article-text'])")
    assert "10-12 กันยายน 2563" in text and "ศูนย์บริการประชาชน" in text
    assert "version 2 of 3" in doc.xpath("string(//article/p[1])")


def test_diff_highlights_thai_words_inline_and_side_by_side(client, ids):
    url = f"/articles/{ids['v1']}/diff?from=1&to=2"
    side = tree(client.get(url))
    deleted = [d.text_content() for d in side.xpath("//td[@class='old']//del")]
    inserted = [i.text_content() for i in side.xpath("//td[@class='new']//ins")]
    assert "มุ่ง" in deleted and "เร่ง" in inserted
    assert any("11" in d for d in deleted) and any("12" in i for i in inserted)
    assert any("ศูนย์บริการประชาชน" in i for i in inserted)
    assert not side.xpath("//td[@class='old']//ins") and not side.xpath("//td[@class='new']//del")
    summary = side.xpath("string(//p[contains(@class,'summary')])")
    inline = tree(client.get(url + "&view=inline"))
    assert inline.xpath("//div[contains(@class,'diff-inline')]//del")
    api = client.get(f"/api/articles/{ids['v1']}/diff?from=1&to=2").get_json()
    assert f"+{api['words_added']}" in summary and f"−{api['words_removed']}" in summary
    assert api["words_added"] > 0 and api["words_removed"] > 0


def test_diff_defaults_to_the_last_two_versions(client, ids):
    doc = tree(client.get(f"/articles/{ids['v1']}/diff"))
    assert doc.xpath("string(//h1)").endswith("v2 → v3")


@pytest.mark.parametrize(
    "path",
    [
        "/articles/999",
        "/articles/999/versions/1",
        "/articles/1/versions/9",
        "/articles/1/diff?from=1&to=9",
        "/articles/999/versions/1/raw",
        "/articles/not-a-number",
        "/nowhere",
    ],
)
def test_unknown_ids_and_versions_are_404_pages(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_api_404_is_json(client):
    response = client.get("/api/articles/999")
    assert response.status_code == 404
    assert response.get_json() == {"error": "no article with id 999", "status": 404}


def test_raw_capture_as_escaped_text_and_sandboxed_frame(client, ids):
    response = client.get(f"/articles/{ids['xss']}/versions/1/raw")
    body = page_text(response)
    assert "&lt;script&gt;alert(&#34;inline&#34;)&lt;/script&gt;" in body
    assert "<script" not in body.lower()
    doc = tree(client.get(f"/articles/{ids['xss']}/versions/1/raw?view=frame"))
    frame = doc.xpath("//iframe")[0]
    assert frame.get("sandbox") == ""
    inner = client.get(frame.get("src"))
    csp = inner.headers["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp
    assert "script" not in csp
    assert inner.headers["X-Content-Type-Options"] == "nosniff"


def test_raw_capture_of_a_windows_874_page_is_decoded(client, ids):
    text = page_text(client.get(f"/articles/{ids['prnews']}/versions/1/raw"))
    assert "จัดมหกรรมบริการภาครัฐ" in text and "cp874" in text
    inner = client.get(f"/articles/{ids['prnews']}/versions/1/raw?view=body")
    assert inner.content_type == "text/html; charset=utf-8"
    assert "จัดมหกรรมบริการภาครัฐ" in inner.get_data(as_text=True)


def test_xss_article_renders_as_text(client, ids):
    for path in (
        f"/articles/{ids['xss']}",
        "/articles",
        "/",
        "/articles?q=" + "แจ้งเตือน",
    ):
        response = client.get(path)
        doc = tree(response)
        assert not doc.xpath("//script"), path
        assert not doc.xpath("//@*[starts-with(name(), 'on')]"), path
        assert not doc.xpath("//*[starts-with(normalize-space(@href), 'javascript:')]"), path
        assert not doc.xpath("//iframe[not(@sandbox)]"), path
    doc = tree(client.get(f"/articles/{ids['xss']}"))
    assert doc.xpath("string(//h1)").startswith('<script>alert("title")</script>')
    assert "onerror=\"alert('onerror')\"" in doc.xpath("string(//div[@class='article-text'])")


def test_feed_is_atom_with_thai_titles(client, ids):
    response = client.get("/feed.atom")
    assert response.mimetype == "application/atom+xml"
    from xml.etree import ElementTree as ET

    root = ET.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 7  # 3 versions + xss + prnews + repost, and the xss page's 404
    titles = [e.findtext("a:title", namespaces=ns) for e in entries]
    assert titles[0].startswith("[ถูกลบ (removed)]")
    assert titles[1].startswith("[ย้อนกลับ")
    assert "ยกระดับมาตรฐาน" in titles[1]
    link = entries[1].find("a:link[@rel='alternate']", ns).get("href")  # the change's diff
    assert link.endswith(f"/articles/{ids['v1']}/diff?from=2&to=3")
    assert entries[1].find("a:link[@rel='via']", ns).get("href").startswith("https://")


def test_api_mirrors_the_cli_json(client, web_db, ids):
    db_url = web_db[0]
    runner = CliRunner()
    cli_articles = runner.invoke(cli, ["articles", "--json", "--db", db_url])
    assert cli_articles.exit_code == 0, cli_articles.output
    assert client.get("/api/articles").get_data(as_text=True) == cli_articles.output
    cli_show = runner.invoke(
        cli, ["show", str(ids["v1"]), "--version", "2", "--json", "--db", db_url]
    )
    api_show = client.get(f"/api/articles/{ids['v1']}?version=2")
    assert api_show.get_data(as_text=True) == cli_show.output
    cli_diff = runner.invoke(
        cli,
        ["diff", str(ids["v1"]), "--from", "1", "--to", "2", "--format", "json", "--db", db_url],
    )
    assert client.get(f"/api/articles/{ids['v1']}/diff?from=1&to=2").get_data(as_text=True) == (
        cli_diff.output
    )
    rows = client.get("/api/articles?site=prnews&limit=1").get_json()
    assert len(rows) == 1 and rows[0]["site"] == "prnews"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def _archive_rows(db_url: str) -> dict[str, int]:
    with Archive.open(db_url) as arch, arch.reading() as conn:
        tables = (schema.articles, schema.versions, schema.captures, schema.runs, schema.sites)
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in tables}


def test_nothing_changes_the_archive(client, web_db, ids):
    before = _archive_rows(web_db[0])
    paths = [
        "/",
        "/articles",
        f"/articles/{ids['v1']}",
        f"/articles/{ids['v1']}/diff",
        f"/articles/{ids['v1']}/versions/1/raw",
        "/feed.atom",
        "/api/articles",
        f"/api/articles/{ids['v1']}",
        "/healthz",
    ]
    for path in paths:
        assert client.get(path).status_code == 200, path
        for method in (client.post, client.put, client.delete, client.patch):
            assert method(path).status_code == 405, (method, path)
    assert _archive_rows(web_db[0]) == before


@pytest.mark.postgres
def test_the_pages_on_postgresql(postgres_url):
    ids = build_web_archive(postgres_url)
    pg_app = create_app(postgres_url)
    try:
        client = pg_app.test_client()
        for path in (
            "/",
            "/articles",
            f"/articles/{ids['v1']}/versions/2",
            "/feed.atom",
            f"/articles/{ids['prnews']}/versions/1/raw",
            "/healthz",
        ):
            assert client.get(path).status_code == 200, path
        doc = tree(client.get("/articles", query_string={"q": "อนุรักษ์", "changed": "1"}))
        assert doc.xpath("//ul[contains(@class,'results')]//a[@class='title']/@href") == [
            f"/articles/{ids['v1']}"
        ]
        side = tree(client.get(f"/articles/{ids['v1']}/diff?from=1&to=2"))
        assert "มุ่ง" in [d.text_content() for d in side.xpath("//td[@class='old']//del")]
    finally:
        pg_app.extensions["opdcwatch"].archive.close()
