"""The user config file (crawler/config.py): where it is found, how it overlays the defaults."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.config import find_config_file, load_config, split_urls
from crawler.exceptions import ConfigError

CONFIGS = Path(__file__).parent / "fixtures" / "scheduler" / "config"


def test_defaults_alone_when_no_file_is_found(tmp_path):
    config = load_config(env={}, cwd=tmp_path)
    assert config.source is None
    assert config.notify.urls == ()
    assert config.scheduler.misfire_grace_time == 12 * 3600
    assert config.scheduler.crawl_timeout == 2 * 3600
    assert config.scheduler.max_parallel >= 1
    assert config.health.failures_in_a_row == 3


def test_a_user_file_is_laid_over_the_defaults_key_by_key(tmp_path):
    config = load_config(CONFIGS / "full.toml", env={}, cwd=tmp_path)
    assert config.source == str(CONFIGS / "full.toml")
    assert config.notify.urls[0] == "json://127.0.0.1:9/hook" and len(config.notify.urls) == 2
    assert config.notify.max_items == 5 and config.notify.excerpt_words == 12  # default kept
    assert config.scheduler.tzinfo() == ZoneInfo("Asia/Bangkok")
    assert config.scheduler.misfire_grace_time == 6 * 3600
    assert config.scheduler.crawl_timeout == 5400
    assert config.scheduler.poll_interval == 1.0
    assert config.health.failures_in_a_row == 2 and config.health.baseline_runs == 5


def test_lookup_order_flag_then_env_then_local_file(tmp_path, monkeypatch):
    local = tmp_path / "opdcwatch.toml"
    local.write_text("[notify]\nmax_items = 7\n", encoding="utf-8")
    assert find_config_file(env={}, cwd=tmp_path) == local
    env = {"OPDCWATCH_CONFIG": str(CONFIGS / "full.toml")}
    assert find_config_file(env=env, cwd=tmp_path) == CONFIGS / "full.toml"
    assert find_config_file(local, env=env, cwd=tmp_path) == local
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPDCWATCH_CONFIG", raising=False)
    monkeypatch.delenv("OPDCWATCH_NOTIFY", raising=False)
    assert load_config().notify.max_items == 7


def test_opdcwatch_notify_replaces_the_files_urls(tmp_path):
    env = {"OPDCWATCH_NOTIFY": "json://127.0.0.1:1/a, tgram://bot/chat\njson://127.0.0.1:2/b"}
    config = load_config(CONFIGS / "full.toml", env=env, cwd=tmp_path)
    assert config.notify.urls == (
        "json://127.0.0.1:1/a",
        "tgram://bot/chat",
        "json://127.0.0.1:2/b",
    )
    assert split_urls("  ") == ()


def test_opdcwatch_notify_is_split_where_a_new_url_begins(tmp_path):
    # the comma inside a mailto URL separates its recipients, not two URLs
    text = "mailto://user:pw@example.org?to=a@example.org,b@example.org, json://127.0.0.1:1/a"
    config = load_config(CONFIGS / "full.toml", env={"OPDCWATCH_NOTIFY": text}, cwd=tmp_path)
    assert config.notify.urls == (
        "mailto://user:pw@example.org?to=a@example.org,b@example.org",
        "json://127.0.0.1:1/a",
    )
    assert config.notify.origin == "$OPDCWATCH_NOTIFY"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("typo.toml", "unknown key 'notify.url'"),
        ("bad-duration.toml", "crawl_timeout: not a duration: 'two hours'"),
        ("bad-timezone.toml", "unknown time zone 'Asia/Bangkock'"),
        ("not-toml.toml", "not valid TOML"),
        ("bad-type.toml", "failures_in_a_row must be a int, not 'three'"),
        ("bad-archive.toml", "archive.db must be a database URL or a file path"),
    ],
)
def test_a_bad_file_is_one_clear_error_naming_file_and_key(tmp_path, name, message):
    with pytest.raises(ConfigError) as caught:
        load_config(CONFIGS / name, env={}, cwd=tmp_path)
    assert message in str(caught.value)
    assert name in str(caught.value)
    assert "\n" not in str(caught.value).split(": ", 1)[0]


def test_the_archive_setting_reads_only_its_table(tmp_path):
    from crawler.config import archive_setting

    found = archive_setting(CONFIGS / "archive.toml", env={}, cwd=tmp_path)
    assert found == (str(CONFIGS / "archives" / "news.db"), CONFIGS / "archive.toml")
    assert archive_setting(CONFIGS / "full.toml", env={}, cwd=tmp_path) is None
    with pytest.raises(ConfigError, match=r"bad-archive\.toml: archive\.db must be"):
        archive_setting(CONFIGS / "bad-archive.toml", env={}, cwd=tmp_path)


def test_a_named_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match=r"from --config\) does not exist"):
        load_config(tmp_path / "missing.toml", env={}, cwd=tmp_path)
    with pytest.raises(ConfigError, match=r"from \$OPDCWATCH_CONFIG\) does not exist"):
        load_config(env={"OPDCWATCH_CONFIG": str(tmp_path / "gone.toml")}, cwd=tmp_path)
