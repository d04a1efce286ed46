"""Notifications and the Atom feed carry the changed words and link to the web page's diff.

A real crawl of the agency page (tests/fixtures/site-rules/) through ``SiteCrawl`` (the
scheduler's and the workers' crawl: Scrapy in a child process, the parser, the archive), then
its real edit; the profile's own ``notify`` URL is apprise's ``json://`` to a local sink and
its ``notify_template`` writes the message. The link in the message is opened on the web app.
"""

from __future__ import annotations

import threading
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.web import create_app
from crawler.cli import cli
from crawler.config import load_config, split_urls
from crawler.exceptions import ConfigError, ProfileError
from crawler.monitor import notify
from crawler.monitor.crawljob import SiteCrawl
from crawler.monitor.notify import ChangedArticle
from crawler.profiles import load_profile, parse_profile
from tests.cli_helpers import opdcwatch
from tests.page_server import PageSite, fixture_page, write_site_profile
from tests.scheduler_helpers import NotificationSink

WEB = "http://watch.example.org/opdcwatch"
TEMPLATE = (
    "{label} {site}: {title}{note}\\n  ลบ: {removed} | เพิ่ม: {added}\\n  ดู: {link}\\n  ต้นฉบับ: {url}"
)


def _config(tmp_path: Path):
    path = tmp_path / "opdcwatch.toml"
    path.write_text(f'[notify]\nweb_url = "{WEB}/"\nexcerpt_words = 4\n', encoding="utf-8")
    return load_config(path, env={})


def test_a_change_is_notified_with_its_words_and_the_web_diff(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    with NotificationSink() as sink, PageSite({7: fixture_page("article-v3.html")}) as site:
        rules = f'notify = ["{sink.url}"]\nnotify_template = "{TEMPLATE}"\n'
        profile = write_site_profile(tmp_path, site.base_url, rules)
        url = f"{site.base_url}news/7.html"
        with Archive.open(db, create=True) as archive:
            archive.record_page(  # version 1, as an earlier crawl archived it
                url=url, status=200, headers={}, body=fixture_page("article-v2.html"),
                site="agency", options=load_profile(profile).parse_options,
            )  # fmt: skip
            crawl = SiteCrawl(
                archive, _config(tmp_path), db_url=db, stop_event=threading.Event(),
                profile_files=[str(profile)],
            )  # fmt: skip
            assert crawl.run("agency") == "finished"
        (message,) = sink.received()
    body = message["message"]
    assert message["title"] == "opdcwatch agency: 1 แก้ไข (changed)"
    assert "แก้ไข (changed) agency: ก.พ.ร. จัดประชุมชี้แจงแนวทางการประเมินส่วนราชการ" in body
    assert "(v2)" in body and "ลบ: 5 | เพิ่ม: 6" in body
    assert f"ดู: {WEB}/articles/1/diff?from=1&to=2" in body
    assert f"ต้นฉบับ: {url}" in body
    page = create_app(db).test_client().get("/articles/1/diff?from=1&to=2")
    assert page.status_code == 200 and "ห้องประชุมชั้น" in page.get_data(as_text=True)


def test_a_new_article_links_its_version_on_the_web_page(tmp_path: Path) -> None:
    config = _config(tmp_path).notify
    new = ChangedArticle(4, 1, "https://www.opdc.go.th/content/4", "ก.พ.ร. เปิดรับสมัครรางวัล")
    _, body = notify.build_message("opdc-news", [new], [], config)
    assert body.splitlines() == [
        "ใหม่ (new):",
        "- ก.พ.ร. เปิดรับสมัครรางวัล",
        f"  {WEB}/articles/4/versions/1",
    ]


def _cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_the_feed_holds_the_changed_words_and_links_the_diff(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'archive.db'}"
    for n in (2, 3):
        page = tmp_path / f"v{n}.html"
        page.write_bytes(fixture_page(f"article-v{n}.html"))
        ingested = _cli(
            "ingest", str(page), "--url", "https://www.opdc.go.th/content/7", "--db", db
        )
        assert ingested.exit_code == 0, ingested.output
    ns = {"a": "http://www.w3.org/2005/Atom"}
    fed = _cli("feed", "--db", db, env={"OPDCWATCH_WEB_URL": WEB})
    assert fed.exit_code == 0, fed.output
    change = ET.fromstring(fed.stdout.encode()).find("a:entry", ns)
    assert change.findtext("a:title", namespaces=ns).startswith("[แก้ไข (changed, v2)]")
    assert change.findtext("a:summary", namespaces=ns) == "ลบ (removed): 5\nเพิ่ม (added): 6"
    links = {link.get("rel"): link.get("href") for link in change.findall("a:link", ns)}
    assert links == {
        "alternate": f"{WEB}/articles/1/diff?from=1&to=2",
        "via": "https://www.opdc.go.th/content/7",
    }
    web = create_app(db).test_client().get("/feed.atom", base_url="http://127.0.0.1:8000")
    entry = ET.fromstring(web.data).find("a:entry", ns)
    alternate = entry.find("a:link[@rel='alternate']", ns).get("href")
    assert alternate == "http://127.0.0.1:8000/articles/1/diff?from=1&to=2"
    assert entry.findtext("a:summary", namespaces=ns) == "ลบ (removed): 5\nเพิ่ม (added): 6"
    bad = opdcwatch("feed", "--db", db, "--web-url", "watch.example.org", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("opdcwatch: error: --web-url: ")
    assert bad.stderr.count("\n") == 1


def test_opdcwatch_notify_is_split_by_apprise_keeping_a_urls_recipients() -> None:
    text = "mailto://user:pass@example.org?to=a@x.org,b@y.org json://127.0.0.1:1/a,\ntgram://b/c"
    urls = split_urls(text)
    assert urls == (
        "mailto://user:pass@example.org?to=a@x.org,b@y.org",
        "json://127.0.0.1:1/a",
        "tgram://b/c",
    )
    import apprise

    sender = apprise.Apprise()
    assert sender.add(urls[0]) and [t for _, t in sender[0].targets] == ["a@x.org", "b@y.org"]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("- {titel}", "unknown field 'titel'"),
        ("- {title", "not a valid template"),
        ("- {title.__class__}", "unknown field 'title.__class__'"),
        ("- {url[0]}", "unknown field 'url\\[0\\]'"),
        ("", "non-empty"),
    ],
)
def test_a_bad_template_is_caught_when_it_loads(
    tmp_path: Path, template: str, message: str
) -> None:
    path = tmp_path / "opdcwatch.toml"
    path.write_text(f'[notify]\ntemplate = "{template}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path, env={})
    text = f'name = "x"\nstart_urls = ["https://a.go.th/"]\nnotify_template = "{template}"\n'
    with pytest.raises(ProfileError, match=f"field 'notify_template': .*{message}"):
        parse_profile(text, "x.toml")
