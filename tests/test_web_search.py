"""Search from the web page, /api/articles?q= and ``opdcwatch search``: one answer, never an
error page, excerpts highlighted and escaped."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from archive.search_terms import MAX_QUERY_CHARS
from archive.web import create_app
from crawler.cli import cli
from tests.cli_helpers import opdcwatch
from tests.web_helpers import build_web_archive

HOSTILE = [
    '"',
    '""',
    "*",
    "ประชาชน*",
    "NEAR(ประชาชน สำนักงาน)",
    "ประชาชน OR ฟุตบอล",
    '"ประชาชน',
    'ประชาชน"',
    "title:ประชาชน",
    "{title}: ประชาชน",
    "'; DROP TABLE versions; --",
    "ประชาชน\x00",
    "\x00",
    "\\",
    "(",
    "ประชาชน " * 12_000,  # 100 KB
    "ก" * 100_000,
    "<script>alert(1)</script>",
]


@pytest.fixture(scope="module")
def web_db(tmp_path_factory) -> str:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('websearch') / 'archive.db'}"
    build_web_archive(db_url)
    return db_url


@pytest.fixture(scope="module")
def client(web_db):
    app = create_app(web_db)
    app.config["OPDCWATCH_PAGE_SIZE"] = 2
    yield app.test_client()
    app.extensions["opdcwatch"].archive.close()


def _page_hrefs(client, query: str) -> list[str]:
    """Every result of the web page's search, following its "older" links to the end."""
    hrefs: list[str] = []
    doc = lxml_html.fromstring(client.get("/articles", query_string={"q": query}).data)
    while True:
        hrefs += doc.xpath("//ul[contains(@class,'results')]//a[@class='title']/@href")
        older = doc.xpath("//a[@rel='next']/@href")
        if not older:
            return hrefs
        doc = lxml_html.fromstring(client.get(older[0]).data)


def _api(client, query: str) -> list[dict]:
    """Every result of /api/articles?q=, following its Link headers."""
    rows: list[dict] = []
    response = client.get("/api/articles", query_string={"q": query, "limit": 1})
    while True:
        assert response.status_code == 200
        rows += json.loads(response.data)
        link = response.headers.get("Link")
        if not link:
            return rows
        response = client.get(re.match(r"<([^>]+)>", link).group(1))


@pytest.mark.parametrize("query", ["ก.พ.ร.", "ประชาชน", '"ศูนย์บริการประชาชน"', "อนุรักษ์ ขาเทียม"])
def test_page_api_and_command_line_answer_alike(client, web_db, query):
    from_page = [int(h.rsplit("/", 1)[1]) for h in _page_hrefs(client, query)]
    from_api = _api(client, query)
    result = CliRunner().invoke(cli, ["search", query, "--json", "--db", web_db])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.stdout)
    assert from_page and [r["id"] for r in from_api] == from_page
    assert from_cli == from_api
    assert all(set(r["match"]) == {"version", "in_title", "excerpt"} for r in from_cli)


def test_search_results_are_titles_first_and_hold_the_query(client, web_db):
    rows = _api(client, "ก.พ.ร.")
    flags = [r["match"]["in_title"] for r in rows]
    assert flags == sorted(flags, reverse=True) and True in flags
    assert all("ก.พ.ร." in (r["title"] or "") for r in rows if r["match"]["in_title"])


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_no_query_gives_an_error_page(client, query):
    # past the query's bounds (a NUL, kilobytes of text) is a clear 400, anything else a page
    refused = "\x00" in query or len(query.strip()) > MAX_QUERY_CHARS
    response = client.get("/articles", query_string={"q": query})
    assert response.status_code == (400 if refused else 200)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "<script>alert" not in body
    assert len(body) < 20_000, "the query must not be echoed back whole"
    answer = client.get("/api/articles", query_string={"q": query})
    assert answer.status_code == (400 if refused else 200)


def test_hostile_queries_on_the_command_line_are_one_line_at_worst(web_db):
    for query in ['"', "NEAR(ประชาชน", "ประชาชน OR *", "ประชาชน " * 4_000]:  # 88 KB: argv's limit
        result = opdcwatch("search", query, "--db", web_db.removeprefix("sqlite:///"))
        assert result.returncode in (0, 2), result.stderr
        assert "Traceback" not in result.stderr
        if result.returncode == 2:
            assert result.stderr.startswith("opdcwatch: error: ")


def test_the_excerpt_highlights_the_match_and_escapes_the_page_around_it(client):
    doc = lxml_html.fromstring(client.get("/articles", query_string={"q": "หลอกลวง"}).data)
    (excerpt,) = doc.xpath("//div[@class='excerpt']")
    assert excerpt.xpath("string(mark)") == "หลอกลวง"
    assert "<script>document.title" in excerpt.text_content()  # shown as text...
    raw = client.get("/articles", query_string={"q": "<script>"}).get_data(as_text=True)
    assert "<mark>&lt;script&gt;</mark>" in raw  # ...and the match escaped too
    assert "<script>" not in raw


def test_command_line_search_prints_results_and_refuses_an_empty_query(web_db):
    result = CliRunner().invoke(cli, ["search", "ขาเทียม", "--db", web_db])
    assert result.exit_code == 0 and "ขาเทียม" in result.output
    assert "/content/Nzk4Mw" in result.output
    result = CliRunner().invoke(cli, ["search", "ฟุตบอลโลก", "--db", web_db])
    assert result.exit_code == 0 and result.output == ""
    everywhere = CliRunner().invoke(cli, ["search", "อนุรักษ์", "--json", "--db", web_db])
    on_site = CliRunner().invoke(
        cli, ["search", "อนุรักษ์", "--site", "prnews", "--json", "--db", web_db]
    )
    assert len(json.loads(everywhere.stdout)) == 2  # the original and its repost
    assert [r["site"] for r in json.loads(on_site.stdout)] == ["prnews"]
    since = ["--since", "2569-11-22", "--json", "--db", web_db]  # a Buddhist-era date
    recent = CliRunner().invoke(cli, ["search", "อนุรักษ์", *since])
    assert [r["url"] for r in json.loads(recent.stdout)] == [
        "https://www.opdc.go.th/content/Nzk4Mw"
    ]
    result = opdcwatch("search", ' " , ', "--db", web_db.removeprefix("sqlite:///"))
    assert result.returncode == 2
    assert result.stderr.startswith("opdcwatch: error: ") and "no word" in result.stderr
    limited = CliRunner().invoke(
        cli, ["search", "ก.พ.ร.", "--limit", "1", "--json", "--db", web_db]
    )
    assert len(json.loads(limited.stdout)) == 1


def test_articles_json_streams_exactly_what_one_json_list_would_be(web_db):
    from archive import Archive, queries

    with Archive.open(web_db) as arch:
        listed = queries.list_articles(arch)
    result = CliRunner().invoke(cli, ["articles", "--json", "--db", web_db])
    assert result.stdout == json.dumps(listed, ensure_ascii=False, indent=2) + "\n"
    # nothing changed since (an unknown --site is an error now, not an empty list)
    later = ["--changed-since", "2999-01-01"]
    empty = CliRunner().invoke(cli, ["articles", "--json", *later, "--db", web_db])
    assert empty.stdout == "[]\n"
