"""``scrapy crawl site -a profile=NAME``: Scrapy's string arguments made into what
``opdcwatch crawl`` hands the spider (crawler.spider_args)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler, get_reactor_settings

from archive import Archive
from crawler.exceptions import CrawlerError, NoSuchSiteError, RenderUnavailableError
from crawler.spider_args import spider_arguments
from crawler.spiders.site import SiteSpider
from tests.unit.scrapy_helpers import FIXTURES, UNIT, project_settings_dict

USER_SITES = FIXTURES / "crawler" / "user-sites"


def _crawler(**settings: Any) -> Crawler:
    """A crawler as ``scrapy crawl`` has it when it builds the spider: settings not yet
    frozen (``get_crawler`` hands them frozen, as they are once the crawl has started)."""
    runner = AsyncCrawlerRunner({**get_reactor_settings(), **project_settings_dict(**settings)})
    return runner.create_crawler(SiteSpider)


def _started(crawler: Crawler) -> Settings:
    """The settings the crawl runs with: what Crawler.crawl does after building the spider."""
    crawler._apply_settings()
    return crawler.settings


def _arguments(crawler: Any, **kwargs: Any) -> dict[str, Any]:
    """The spider's arguments, with an archive already open (as ``opdcwatch crawl`` gives)."""
    return spider_arguments(crawler, {"archive": "an open archive", **kwargs})


def test_a_bundled_profile_by_name_lays_its_settings_over_the_projects() -> None:
    crawler = _crawler()
    kwargs = _arguments(crawler, profile="thaipr")
    assert kwargs["profile"].name == "thaipr"
    assert _started(crawler).getfloat("DOWNLOAD_DELAY") == 2.0  # thaipr's [settings]


def test_a_setting_given_with_dash_s_beats_the_profiles() -> None:
    crawler = _crawler()
    crawler.settings.set("DOWNLOAD_DELAY", 7, priority="cmdline")
    _arguments(crawler, profile="thaipr")
    assert _started(crawler).getfloat("DOWNLOAD_DELAY") == 7.0


def test_a_profile_file_by_path_and_a_zero_delay_raised_to_the_floor() -> None:
    crawler = _crawler(OPDCWATCH_MIN_DOWNLOAD_DELAY=0.25)
    kwargs = _arguments(crawler, profile=str(UNIT / "zero-delay-site.toml"))
    assert kwargs["profile"].name == "ocsc-news"
    settings = _started(crawler)
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.25
    assert settings.getfloat("DOWNLOAD_TIMEOUT") == 12.0


def test_a_profile_file_without_the_toml_suffix(tmp_path: Path) -> None:
    copy = tmp_path / "ocsc.profile"
    shutil.copy(UNIT / "zero-delay-site.toml", copy)
    assert _arguments(_crawler(), profile=str(copy))["profile"].name == "ocsc-news"


def test_a_profile_from_a_sites_folder() -> None:
    kwargs = _arguments(_crawler(), profile="prd-news", sites=str(USER_SITES))
    assert kwargs["profile"].name == "prd-news"
    assert "sites" not in kwargs  # consumed: the spider takes no such argument


def test_an_unknown_site_is_one_line_naming_the_known_ones() -> None:
    with pytest.raises(NoSuchSiteError) as raised:
        _arguments(_crawler(), profile="opdc-newz")
    message = str(raised.value)
    assert message.startswith("no such site 'opdc-newz' (known sites: ")
    assert "opdc-news" in message and "\n" not in message


def test_a_missing_profile_file_is_a_crawler_error() -> None:
    with pytest.raises(CrawlerError):
        _arguments(_crawler(), profile=str(UNIT / "no-such-site.toml"))


def test_no_profile_says_how_to_name_one() -> None:
    for kwargs in ({}, {"profile": ""}):
        with pytest.raises(CrawlerError, match=r"scrapy crawl site -a profile=NAME"):
            _arguments(_crawler(), **kwargs)


@pytest.mark.parametrize(("given", "pages"), [("25", 25), ("๒๕", 25)])
def test_max_pages_is_made_a_number(given: str, pages: int) -> None:
    assert _arguments(_crawler(), profile="thaipr", max_pages=given)["max_pages"] == pages


@pytest.mark.parametrize("bad", ["0", "-3", "ten", "2.5", "", "²", "๐"])
def test_max_pages_must_be_a_positive_number(bad: str) -> None:
    with pytest.raises(CrawlerError, match="max_pages must be a positive number"):
        _arguments(_crawler(), profile="thaipr", max_pages=bad)


def test_frozen_settings_are_left_alone() -> None:
    crawler = get_crawler(SiteSpider, project_settings_dict())  # frozen
    assert _arguments(crawler, profile="thaipr")["profile"].name == "thaipr"
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 1.0  # the project's


def test_the_archive_setting_is_opened_and_closed_when_the_engine_stops(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawler = _crawler(OPDCWATCH_DB=sqlite_url)
    spider = SiteSpider.from_crawler(crawler, profile="opdc-news", max_pages="3")
    assert spider.profile.name == "opdc-news" and spider.max_pages == 3
    assert isinstance(spider.archive, Archive)
    assert spider.archive.cached_robots("https://www.opdc.go.th") is None  # a usable archive
    closed: list[bool] = []
    monkeypatch.setattr(spider.archive, "close", lambda: closed.append(True))
    crawler.signals.send_catch_log(signal=signals.engine_stopped)
    assert closed == [True]


def test_without_the_setting_the_archive_is_the_one_opdcwatch_would_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("OPDCWATCH_DB", str(db))
    kwargs = spider_arguments(_crawler(), {"profile": "thaipr"})
    with kwargs["archive"] as archive:
        archive.save_robots("https://www.thaipr.net", "User-agent: *\nDisallow:\n")
    assert db.is_file()


def test_a_render_profile_routes_its_pages_through_the_chromium_named_with_dash_s(
    tmp_path: Path,
) -> None:
    chromium = tmp_path / "chromium"
    chromium.write_bytes(b"")  # a file is all the check asks of it
    crawler = _crawler()
    crawler.settings.set("OPDCWATCH_CHROMIUM", str(chromium), priority="cmdline")
    _arguments(crawler, profile=str(UNIT / "render-site.toml"))
    settings = _started(crawler)
    assert settings.getdict("DOWNLOAD_HANDLERS")["https"] == "crawler.browser.RenderingHandler"
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == str(chromium)


def test_a_render_profile_without_chromium_is_one_line() -> None:
    crawler = _crawler()
    crawler.settings.set("OPDCWATCH_CHROMIUM", "/nonexistent/chromium", priority="cmdline")
    with pytest.raises(RenderUnavailableError) as raised:
        _arguments(crawler, profile=str(UNIT / "render-site.toml"))
    assert str(raised.value) == (
        "dga-news: [render] needs Chromium at /nonexistent/chromium, which is missing "
        "(apt-get install chromium)"
    )
