"""Every bad request parameter of the web page is a 400 with one clear line, on both databases;
503 only when the database is really gone; no server banner; Cache-Control on every answer.

The archive is built the real way (tests/web_helpers.py: saved Thai pages through
``Archive.record_page``); the probes are the table in tests/input_probes.py.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import urllib.request
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy import text

from archive import Archive, queries
from archive.exceptions import InvalidInputError, VersionNotFoundError
from archive.web import create_app
from archive.web.server import start_server
from tests.archive_fixtures import postgres_database
from tests.input_probes import WEB_BAD, WEB_GOOD
from tests.web_helpers import build_web_archive


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def web(request, tmp_path_factory):
    """A client of the web page over the recorded corpus, and the id of its 3-version article."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('inputs') / 'archive.db'}"
        ids = build_web_archive(url)
        yield _client(url), ids["v1"]
        return
    with postgres_database() as url:
        ids = build_web_archive(url)
        yield _client(url), ids["v1"]


def _client(url: str):
    app = create_app(url)
    app.config["OPDCWATCH_PAGE_SIZE"] = 2
    return app.test_client()


def _message(response) -> str:
    """The error line of a 400: the JSON ``error`` under /api/, else the page's card."""
    if response.mimetype == "application/json":
        return json.loads(response.data)["error"]
    return lxml_html.fromstring(response.data).xpath("string(//main/p[@class='card'])")


@pytest.mark.parametrize(("path", "expected"), WEB_BAD, ids=[p[:50] for p, _ in WEB_BAD])
def test_a_bad_parameter_is_a_400_with_one_clear_line(web, path, expected):
    client, article_id = web
    response = client.get(path.replace("{id}", str(article_id)))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    message = _message(response)
    assert expected in message and "\n" not in message
    assert len(message) < 200  # a bad value is quoted cut short, never echoed whole
    assert response.headers["Cache-Control"] == "no-store"
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", WEB_GOOD)
def test_good_parameters_still_answer(web, path):
    client, article_id = web
    response = client.get(path.replace("{id}", str(article_id)))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_next_link_carries_only_known_parameters(web):
    client, _ = web
    response = client.get("/api/articles?limit=1&junk=" + "j" * 5000)
    assert response.status_code == 200
    link = response.headers["Link"]
    assert "junk" not in link and "limit=1" in link and len(link) < 200


def test_the_archive_refuses_out_of_range_numbers_without_asking_the_database(web):
    client, article_id = web
    arch = client.application.extensions["opdcwatch"].archive
    with pytest.raises(VersionNotFoundError, match="there is no version 2147483648"):
        queries.get_version(arch, article_id, 2**31)
    with pytest.raises(Exception, match="no article with id 9223372036854775808"):
        queries.get_article(arch, "9223372036854775808")


@pytest.mark.postgres
def test_a_value_postgresql_refuses_is_bad_input_not_an_outage(postgres_url):
    # below the edge's checks: a NUL reaching PostgreSQL is the caller's fault, not a 503
    with Archive.open(postgres_url) as arch, pytest.raises(InvalidInputError, match="NUL"):
        list(queries.iter_articles(arch, site="opdc\x00"))


@pytest.mark.postgres
def test_a_statement_the_database_refuses_is_a_500_not_an_outage(postgres_url):
    # neither the request's fault nor an outage: a schema out of step (a table dropped by hand)
    with Archive.open(postgres_url):
        pass
    app = create_app(postgres_url)
    with app.extensions["opdcwatch"].archive.writing() as conn:
        conn.execute(text("DROP TABLE articles CASCADE"))
    response = app.test_client().get("/api/articles")
    assert response.status_code == 500, response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    app.extensions["opdcwatch"].archive.close()


def test_a_database_that_is_gone_is_a_503_and_bad_input_still_a_400(archive_url, tmp_path):
    with Archive.open(archive_url):
        pass  # an empty, migrated archive
    app = create_app(archive_url)
    client = app.test_client()
    assert client.get("/articles").status_code == 200
    _take_away(archive_url, app)
    for path in ("/articles", "/api/articles", "/articles/1"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").status_code == 503
    assert client.get(f"/articles/{2**31}").status_code == 400  # checked before the database
    app.extensions["opdcwatch"].archive.close()


def _take_away(url: str, app) -> None:
    """Make the archive's database unreachable under the running app."""
    app.extensions["opdcwatch"].archive.engine.dispose()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.unlink()
        for extra in path.parent.glob(path.name + "-*"):
            extra.unlink()
        path.mkdir()  # sqlite3: "unable to open database file"
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_the_server_names_no_software_or_version(tmp_path):
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Archive.open(url):
        pass
    app = create_app(url)
    server = start_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=5) as r:
            assert r.headers["Server"] == "opdcwatch"
            assert r.headers["Cache-Control"] == "no-cache"
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
            # 101 headers: refused (431) by the HTTP layer itself, before the app
            raw.sendall(b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 101 + b"\r\n")
            answer = raw.recv(4096).decode("latin-1")
        assert answer.startswith("HTTP/1.") and "Server: opdcwatch\r\n" in answer
        assert "Werkzeug" not in answer and "Python" not in answer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        app.extensions["opdcwatch"].archive.close()
        shutil.rmtree(tmp_path, ignore_errors=True)
