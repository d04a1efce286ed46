"""``opdcwatch probe`` on every URL style the replica speaks: the profile it writes, crawled
as it is, archives the style's articles and nothing else."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.queries import list_articles
from crawler.cli import cli
from crawler.demo import ReplicaServer, ReplicaSite
from crawler.demo.styles import STYLES, make_style
from crawler.probe.fetch import PoliteFetcher
from crawler.probe.site import SiteProbe, probe_site
from crawler.probe.toml_out import profile_toml
from crawler.profiles import load_profile
from crawler.runner import run_crawl_subprocess
from parsers.urls import canonical_url

N_ARTICLES = 24  # and the replica's two off-topic releases: 26 a site
VARIANTS = [(name, extras) for name in STYLES for extras in (False, True)]
# the crawl as fast as the replica allows; the profiles themselves are left as written
FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=false"]


def _name(style: str, extras: bool) -> str:
    return f"{style}-{'feeds' if extras else 'plain'}"


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """Every style, with and without feeds and sitemap: probed, then crawled in one run."""
    folder = tmp_path_factory.mktemp("probe")
    servers, results = {}, {}
    for style, extras in VARIANTS:
        site = ReplicaSite(
            N_ARTICLES,
            per_page=5,
            specials=False,
            style=make_style(style, feeds=extras, sitemap=extras, per_page=5),
        )
        servers[_name(style, extras)] = ReplicaServer(site).start()
    try:
        files = []
        for name, server in servers.items():
            started = time.monotonic()
            result = probe_site(server.base_url, name=name, delay=0)
            hits = sum(server.site.stats()["hits"].values())
            results[name] = (result, time.monotonic() - started, hits)
            path = folder / f"{name}.toml"
            path.write_text(profile_toml(result), encoding="utf-8")
            files.append(path)
            server.site.reset_stats()
        db = f"sqlite:///{folder / 'a.db'}"
        summary = run_crawl_subprocess(
            list(servers), profile_files=files, db_url=db, settings=FAST, timeout=120
        )
    finally:  # all at once: each waits up to half a second for its serving loop
        stoppers = [threading.Thread(target=server.stop) for server in servers.values()]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
    archived: dict[str, set[str]] = {}
    for row in list_articles(Archive.open(db)):
        archived.setdefault(row["site"], set()).add(row["url"])
    return servers, results, summary, archived


@pytest.mark.parametrize(("style", "extras"), VARIANTS, ids=[_name(*v) for v in VARIANTS])
def test_the_probed_profile_crawls_the_style(probed, style, extras):
    servers, results, summary, archived = probed
    name = _name(style, extras)
    server, (result, seconds, requests) = servers[name], results[name]
    assert requests < 60 and result.requests == requests and seconds < 30
    assert bool(result.feeds) is extras and bool(result.sitemaps) is extras
    assert len(result.samples) >= 2
    for sample in result.samples:  # dated Thai articles with their whole body
        assert sample.published and sample.body_chars > 1000 and "ก.พ.ร." in sample.title
    base = server.base_url.rstrip("/")
    expected = {canonical_url(base + a.path) for a in server.site.articles()}
    got = archived.get(name, set())
    site_result = next(s for s in summary.sites if s.site == name)
    assert site_result.outcome == "ok"
    assert len(got & expected) >= 0.95 * len(expected)
    assert got <= expected  # no listing, no undated page, no feed archived as an article


def test_probe_command_writes_a_loadable_profile_and_prints_json(tmp_path):
    site = ReplicaSite(12, specials=False, style=make_style("opdc-php", per_page=5), per_page=5)
    out = tmp_path / "opdc-old.toml"
    with ReplicaServer(site) as server:
        runner = CliRunner()
        args = ["probe", server.base_url, "--name", "opdc-old", "--out", str(out), "--delay", "0"]
        shown = runner.invoke(cli, [*args, "--json"])
        again = runner.invoke(cli, args)
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["profile"] == str(out) and data["requests"] < 60
    assert data["feeds"] and all("_rss.php?cat=" in f for f in data["feeds"])
    profile = load_profile(out)
    assert profile.name == "opdc-old" and profile.is_article(
        server.base_url + "page.php?cat=D&id=1385&url=tab_view"
    )
    assert not profile.is_article(server.base_url + "content.php?content_id=3594&menu_id=4")
    text = Path(out).read_text(encoding="utf-8")
    assert re.search(r"^# .*page\.php\?cat=\*&id=\*&url=tab_view .* article$", text, re.M)
    assert again.exit_code == 2 and again.output.startswith("opdcwatch: error: ")
    assert "exists" in again.output and "Traceback" not in again.output


def test_probe_of_the_classic_replica_is_polite_and_skips_copies():
    """The classic replica: windows-874 pages, print versions naming their article canonical,
    a robots.txt-disallowed /private/ link, a PDF behind an article link, an endless calendar."""
    site = ReplicaSite(16, slow_seconds=0.1)
    with ReplicaServer(site) as server:
        result = probe_site(server.base_url, delay=0)
        stats = site.stats()
    assert result.articles == [r"^https?://[^/]+/content\.php\?content_id=\d+$"]
    # the calendar lists articles too: a listing (the crawl's trap rule ends its walk)
    assert r"^https?://[^/]+/news\.php\?page=\d+$" in result.follow
    assert result.feeds == [server.base_url + "rss.xml"]
    assert result.sitemaps == [server.base_url + "sitemap.xml"]
    assert not [p for p in stats["hits"] if p.startswith("/private/")]
    assert all(ua.startswith("opdcwatch/") for ua in stats["user_agents"])
    assert sum(stats["hits"].values()) == result.requests < 60
    kinds = {g.shape: g.kind for g in result.groups}
    assert kinds.get("/content.php?content_id=*&print=*", "other") == "other"


def test_probe_errors_are_one_line(tmp_path):
    runner = CliRunner()
    for args in (
        ["http://127.0.0.1:9/"],
        ["ftp://example.org/"],
        ["http://127.0.0.1:9/", "--name", "Bad Name"],
    ):
        result = runner.invoke(cli, ["probe", *args, "--out", str(tmp_path / "p.toml")])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("opdcwatch: error: ") and result.output.count("\n") == 1
    assert not (tmp_path / "p.toml").exists()


def test_a_slow_site_is_probed_within_the_time_limit():
    site = ReplicaSite(10, specials=False, latency=0.4, style=make_style("drupal"))
    with ReplicaServer(site) as server:
        started = time.monotonic()
        result = SiteProbe(server.base_url, fetcher=PoliteFetcher(delay=0, seconds=2)).run()
        elapsed = time.monotonic() - started
    assert elapsed < 3 and result.requests <= 6
    assert result.start_urls == [server.base_url]  # what it saw, however little
