"""Site profiles: the bundled ones load, user ones override, bad ones name file and field."""

from __future__ import annotations

import pytest

from crawler.exceptions import (
    CrawlerError,
    DuplicateSiteError,
    NoSuchSiteError,
    ProfileError,
    ScheduleError,
)
from crawler.monitor.triggers import parse_schedule
from crawler.profiles import (
    build_profile,
    bundled_profiles,
    every_seconds,
    load_profile,
    load_registry,
    select_profiles,
)

BUNDLED = {"opdc-news", "thaipr", "ryt9", "okmass"}


def test_bundled_profiles_load_and_are_valid():
    profiles = bundled_profiles()
    assert set(profiles) == BUNDLED
    for profile in profiles.values():
        assert profile.bundled
        assert profile.description
        assert profile.start_urls or profile.feeds or profile.sitemaps
        assert profile.allowed_domains
        assert profile.schedule
        assert profile.settings.get("DOWNLOAD_DELAY", 0) >= 2  # polite to real servers


@pytest.mark.parametrize(
    ("name", "article", "not_article"),
    [
        ("ryt9", "https://www.ryt9.com/s/prg/3038567", "https://www.ryt9.com/s/prg?page=2"),
        ("thaipr", "https://www.thaipr.net/general/1183012", "https://www.thaipr.net/general/feed"),
        (
            "opdc-news",
            "https://www4.opdc.go.th/content.php?content_id=1234",
            "https://www.opdc.go.th/content.php?menu_id=3",
        ),
        ("opdc-news", "https://www4.opdc.go.th/page.php?cat=5&id=77", "https://www.opdc.go.th/"),
        # the 2018 home page's shapes, as written and as canonical_url sorts them
        (
            "opdc-news",
            "https://www.opdc.go.th/page.php?url=tab_view&cat=D&id=1385",
            "https://www.opdc.go.th/page.php?url=tab_more&cat=D",
        ),
        (
            "opdc-news",
            "https://www.opdc.go.th/page.php?cat=V&id=1385&url=tab_view",
            "https://www.opdc.go.th/page.php?cat=V&page=2&url=tab_more",
        ),
        (
            "opdc-news",
            "https://www.opdc.go.th/news.php?catid=16&menu_id=8&news_id=2797",
            "https://www.opdc.go.th/_rss.php?cat=M",
        ),
        ("opdc-news", "https://www.opdc.go.th/content/NDQyMw", "https://www.opdc.go.th/category/x"),
        ("okmass", "https://www.okmass.com/news/15", "https://www.okmass.com/news?page=3"),
    ],
)
def test_bundled_article_patterns_match_the_known_url_shapes(name, article, not_article):
    profile = bundled_profiles()[name]
    assert profile.is_article(article)
    assert not profile.is_article(not_article)


def test_opdc_news_follows_its_news_lists():
    opdc = bundled_profiles()["opdc-news"]
    for url in (
        "https://www.opdc.go.th/page.php?url=tab_more&cat=D",
        "https://www.opdc.go.th/page.php?cat=1&page=2&url=tab_more",
        "https://www.opdc.go.th/content.php?menu_id=3",
    ):
        assert opdc.is_listing(url) and not opdc.is_article(url)
    assert not opdc.is_listing("https://www.opdc.go.th/page.php?cat=D&id=1385&url=tab_view")
    assert len(opdc.feeds) == 3 and all("_rss.php?cat=" in f for f in opdc.feeds)


def test_listing_patterns_follow_pagination():
    ryt9 = bundled_profiles()["ryt9"]
    assert ryt9.is_listing("https://www.ryt9.com/s/prg?page=2")
    assert not ryt9.is_listing("https://www.ryt9.com/s/prg/3038567")


def test_keyword_filter_is_thai_aware_and_case_insensitive():
    ryt9 = bundled_profiles()["ryt9"]
    assert ryt9.matches_keywords("สำนักงาน ก.พ.ร. จัดประชุม")
    assert ryt9.matches_keywords("the opdc announced")
    assert not ryt9.matches_keywords("TK Park ชวนผู้สนใจร่วมฟังบรรยาย")
    assert bundled_profiles()["opdc-news"].matches_keywords("anything at all")


def test_user_sites_add_and_replace_bundled(fixtures_dir):
    registry = load_registry(sites_dir=fixtures_dir / "crawler" / "user-sites")
    assert set(registry) == BUNDLED | {"prd-news"}
    assert not registry["ryt9"].bundled
    assert registry["ryt9"].max_pages == 25
    assert registry["prd-news"].schedule == "every 30m"
    assert every_seconds(registry["prd-news"].schedule) == 1800


def test_same_user_profile_twice_is_an_error(fixtures_dir):
    prd = fixtures_dir / "crawler" / "user-sites" / "prd.toml"
    with pytest.raises(DuplicateSiteError, match="prd-news"):
        load_registry([prd, prd])


@pytest.mark.parametrize(
    ("file", "field"),
    [
        ("bad-regex.toml", "articles"),
        ("no-start.toml", "start_urls"),
        ("unknown-field.toml", "artciles"),
        ("bad-schedule.toml", "schedule"),
        ("bad-cron-minute.toml", "schedule"),
        ("bad-max-pages.toml", "max_pages"),
        ("bad-selector.toml", "selectors.headline"),
        ("bad-url.toml", "start_urls"),
        ("bad-setting.toml", "settings.download_delay"),
        ("bad-revisit-key.toml", "revisit.recent_day"),
        ("bad-revisit-share.toml", "revisit.crawl_share"),
        ("bad-render-regex.toml", "render.articles"),
        ("bad-render-wait-for.toml", "render.wait_for"),
        ("bad-render-timeout.toml", "render.timeout"),
        ("bad-render-block.toml", "render.block"),
        ("bad-render-key.toml", "render.wait_until"),
        ("bad-render-empty.toml", "render"),
    ],
)
def test_bad_profile_names_file_and_field(fixtures_dir, file, field):
    path = fixtures_dir / "crawler" / "bad-profiles" / file
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert info.value.field == field
    message = str(info.value)
    assert file in message and f"'{field}'" in message
    assert "\n" not in message


def test_not_toml_names_the_file_and_line(fixtures_dir):
    path = fixtures_dir / "crawler" / "bad-profiles" / "not-toml.toml"
    with pytest.raises(ProfileError, match=r"not-toml\.toml: not valid TOML.*line 1"):
        load_profile(path)


def test_missing_file_and_folder_are_profile_errors(tmp_path):
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "missing.toml")
    with pytest.raises(ProfileError, match="not a directory"):
        load_registry(sites_dir=tmp_path / "nowhere")


def test_every_schedule_forms():
    assert every_seconds("every 30s") == 30
    assert every_seconds("every 6h") == 21600
    assert every_seconds("every 1h30m") == 5400
    assert every_seconds("0 */6 * * *") is None
    assert every_seconds("@daily") is None


@pytest.mark.parametrize(
    "schedule",
    ["@daily", "@hourly", "every 1h30m", "every 2 days", "0 6,18 * * 1-5", "*/15 * * * *"],
)
def test_profiles_accept_every_schedule_the_scheduler_accepts(schedule):
    profile = build_profile(
        {"name": "opdc", "start_urls": ["https://www.opdc.go.th/"], "schedule": f" {schedule} "},
        "opdc.toml",
    )
    assert profile.schedule == schedule
    parse_schedule(profile.schedule, profile=profile.name)  # the daemon will take it too


@pytest.mark.parametrize(
    "schedule", ["61 * * * *", "@fortnightly", "every 0s", "every 6 parsecs", "every 1"]
)
def test_profiles_refuse_what_the_scheduler_refuses(schedule):
    data = {"name": "opdc", "start_urls": ["https://www.opdc.go.th/"], "schedule": schedule}
    with pytest.raises(ProfileError) as info:
        build_profile(data, "sites/opdc.toml")
    assert info.value.field == "schedule"
    assert str(info.value).startswith("bad site profile sites/opdc.toml: field 'schedule':")
    with pytest.raises(ScheduleError):
        parse_schedule(schedule, profile="opdc")


def test_an_interval_under_a_minute_needs_min_interval_ok():
    data = {"name": "opdc", "start_urls": ["https://www.opdc.go.th/"], "schedule": "every 30s"}
    with pytest.raises(ProfileError) as info:
        build_profile(data, "sites/opdc.toml")
    assert info.value.field == "schedule"
    assert "'every 30s' crawls the site more than once a minute" in str(info.value)
    assert "add min_interval_ok = true" in str(info.value)
    assert build_profile(data | {"min_interval_ok": True}, "opdc.toml").schedule == "every 30s"
    assert build_profile(data | {"schedule": "every 1m"}, "opdc.toml").schedule == "every 1m"
    with pytest.raises(ProfileError, match="must be true or false"):
        build_profile(data | {"min_interval_ok": "yes"}, "opdc.toml")


def test_select_profiles_order_default_and_unknown():
    registry = bundled_profiles()
    assert [p.name for p in select_profiles(registry, [])] == sorted(BUNDLED)
    assert [p.name for p in select_profiles(registry, ["ryt9", "thaipr", "ryt9"])] == [
        "ryt9",
        "thaipr",
    ]
    with pytest.raises(NoSuchSiteError, match=r"no such site 'opdc'.*okmass, opdc-news"):
        select_profiles(registry, ["opdc"])


def test_select_profiles_user_only_leaves_the_bundled_ones_out(fixtures_dir, tmp_path):
    registry = load_registry([], fixtures_dir / "crawler" / "user-sites")
    chosen = select_profiles(registry, [], user_only=True)
    assert [p.name for p in chosen] == ["prd-news", "ryt9"]  # ryt9: the user's, replacing ours
    assert [p.name for p in select_profiles(registry, ["thaipr"], user_only=True)] == ["thaipr"]
    with pytest.raises(CrawlerError, match="holds no site profile"):
        select_profiles(load_registry([], tmp_path), [], user_only=True)


def test_render_table_is_read_with_its_contract_names(fixtures_dir):
    profile = load_profile(fixtures_dir / "crawler" / "render" / "app-news.toml")
    render = profile.render
    assert render is not None
    assert render.wait_for == "article .body" and render.timeout == 15.0
    assert render.block == ("image", "font", "media")
    article = "https://news.example.go.th/news/app/20261"
    assert render.wants(article, "article")
    assert not render.wants(article, "listing")  # listings = []: fetched as today
    assert not render.wants("https://news.example.go.th/news/app/?page=2", "listing")
    assert not render.wants("https://news.example.go.th/about", "article")
    assert render.describe() == (  # opdcwatch sites -l
        "articles /news/app/\\d+; wait_for 'article .body'; timeout 15 s; block image, font, media"
    )


def test_profiles_without_render_table_render_nothing(fixtures_dir):
    assert all(p.render is None for p in load_registry().values())


def test_opdc_news_reads_the_old_php_replica_as_written_and_canonical():
    """The replica's opdc-php style serves the shapes of the 2018 home page."""
    from crawler.demo import ReplicaSite
    from crawler.demo.styles import make_style
    from parsers.urls import canonical_url

    style = make_style("opdc-php")
    site = ReplicaSite(12, specials=False, style=style)
    opdc = bundled_profiles()["opdc-news"]
    for article in site.articles():
        url = "https://www.opdc.go.th" + article.path
        assert opdc.is_article(url) and opdc.is_article(canonical_url(url))
    for section in (0, 1):
        for page in (1, 2):
            url = "https://www.opdc.go.th" + style.listing_path(section, page)
            for form in (url, canonical_url(url)):
                assert opdc.is_listing(form) and not opdc.is_article(form)
