"""The user's config file (TOML), laid over the defaults shipped in ``config_defaults.toml``.

Which file: ``--config FILE``, else ``$OPDCWATCH_CONFIG``, else ``./opdcwatch.toml`` when it
exists, else ``opdcwatch.toml`` in the user's config folder (XDG: ``~/.config/opdcwatch/``) when
it exists, else the defaults alone. A file named explicitly must exist; the others are
optional. ``$OPDCWATCH_NOTIFY`` replaces ``[notify] urls`` so that a container or a systemd
unit can pass secrets without writing them into a file. Every key of the user's file must
exist in the defaults: a misspelt key is an error rather than a setting silently ignored.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archive.constants import APP_NAME
from crawler.exceptions import ConfigError
from crawler.monitor.templates import DEFAULT_TEMPLATE, check_template

logger = logging.getLogger(__name__)

DEFAULTS_RESOURCE = "config_defaults.toml"
LOCAL_CONFIG = "opdcwatch.toml"
CONFIG_ENV = "OPDCWATCH_CONFIG"
NOTIFY_ENV = "OPDCWATCH_NOTIFY"
WEB_URL_ENV = "OPDCWATCH_WEB_URL"
QUEUE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


@dataclass(frozen=True)
class NotifyConfig:
    """Where notifications go and how long they are."""

    urls: tuple[str, ...]
    excerpt_words: int
    max_items: int
    health: bool
    origin: str = "notify.urls"  # where the URLs came from, for error messages
    web_url: str = ""
    template: str = DEFAULT_TEMPLATE


@dataclass(frozen=True)
class SchedulerConfig:
    """How the daemon runs crawls; durations in seconds."""

    timezone: str
    misfire_grace_time: int
    crawl_timeout: int
    stop_timeout: int
    poll_interval: float
    max_parallel: int

    def tzinfo(self) -> dt.tzinfo:
        """Return the zone cron lines are read in: the configured one, else the machine's."""
        if self.timezone:
            return ZoneInfo(self.timezone)
        from tzlocal import get_localzone

        return get_localzone()


@dataclass(frozen=True)
class HealthConfig:
    """Thresholds of the health rules (see ``crawler.monitor.health``)."""

    failures_in_a_row: int
    unreachable_runs: int
    baseline_runs: int
    empty_body_chars: int
    shrink_ratio: float
    empty_share: float


@dataclass(frozen=True)
class ClusterConfig:
    """The crawl queue of a cluster (``crawler.monitor.queue``); durations in seconds."""

    queue: str = "opdcwatch"
    visibility_timeout: int = 30


@dataclass(frozen=True)
class Config:
    """The whole configuration and the file it came from (None: defaults only)."""

    notify: NotifyConfig
    scheduler: SchedulerConfig
    health: HealthConfig
    source: str | None = None
    cluster: ClusterConfig = ClusterConfig()


def _defaults() -> dict[str, Any]:
    text = resources.files("crawler").joinpath(DEFAULTS_RESOURCE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _overlay(base: dict[str, Any], user: Mapping[str, Any], source: str, prefix: str = "") -> None:
    for key, value in user.items():
        name = f"{prefix}{key}"
        if key not in base:
            known = ", ".join(sorted(base))
            raise ConfigError(f"{source}: unknown key {name!r} (known here: {known})")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: {name!r} must be a table")
            _overlay(base[key], value, source, f"{name}.")
        else:
            base[key] = value


def find_config_file(
    explicit: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
) -> Path | None:
    """Return the config file to read: ``explicit``, ``$OPDCWATCH_CONFIG``, ``./opdcwatch.toml``.

    Raises :class:`ConfigError` when a file named by the first two does not exist.
    """
    env = os.environ if env is None else env
    named = explicit or env.get(CONFIG_ENV) or None
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            origin = "--config" if explicit else f"${CONFIG_ENV}"
            raise ConfigError(f"config file {path} (from {origin}) does not exist")
        return path
    local = Path(cwd or Path.cwd()) / LOCAL_CONFIG
    if local.is_file():
        return local
    from platformdirs import user_config_path

    user = user_config_path(APP_NAME) / LOCAL_CONFIG
    return user if user.is_file() else None


def read_user_file(file: Path) -> dict[str, Any]:
    """Return the TOML table of the user's config file; ConfigError if it cannot be read."""
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {file}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc


def archive_setting(
    path: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
) -> tuple[str, Path] | None:
    """Return the config file's ``[archive] db`` and the file, or None when it sets none.

    Only that table is read, so a command that merely reads the archive does not pay for
    checking the scheduler's settings. A relative SQLite path is taken from the file's folder:
    the same archive whichever folder the command runs in.
    """
    file = find_config_file(path, env=env, cwd=cwd)
    if file is None:
        return None
    table = read_user_file(file).get("archive", {})
    value = _archive_db(table.get("db", "") if isinstance(table, dict) else None, str(file))
    if not value:
        return None
    if "://" not in value:
        value = str((file.parent / Path(value).expanduser()).absolute())
    return value, file


def _archive_db(value: Any, source: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source}: archive.db must be a database URL or a file path")
    return value.strip()


def _duration(section: Mapping[str, Any], key: str, source: str) -> int:
    from crawler.monitor.triggers import parse_duration  # APScheduler: only when it is needed

    try:
        return parse_duration(section[key])
    except ValueError as exc:
        raise ConfigError(f"{source}: {key}: {exc}") from exc


def _number(
    section: Mapping[str, Any],
    key: str,
    source: str,
    kind: type,
    low: float,
    high: float | None = None,
) -> Any:
    value = section[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (kind is int and not isinstance(value, int))
    ):
        raise ConfigError(f"{source}: {key} must be a {kind.__name__}, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{source}: {key} must be {bound}, not {value!r}")
    return kind(value)


def _urls(value: Any, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise ConfigError(f"{source}: notify.urls must be a list of apprise URLs")
    return tuple(u.strip() for u in value if u.strip())


def _visibility_timeout(cluster: Mapping[str, Any], source: str) -> int:
    seconds = _duration(cluster, "visibility_timeout", source)
    if seconds < 3:  # its worker refreshes a running crawl's message every third of it
        raise ConfigError(f"{source}: cluster.visibility_timeout must be at least 3 s")
    return seconds


def split_urls(text: str) -> tuple[str, ...]:
    """Split ``$OPDCWATCH_NOTIFY`` into apprise URLs as apprise itself does.

    Apprise starts a new URL only where a ``scheme://`` begins, so the comma-separated
    recipients of one URL (``mailto://…?to=a@x.org,b@y.org``) stay in it; spaces, newlines
    and commas before a scheme separate URLs.
    """
    try:
        from apprise.utils.parse import parse_urls
    except ImportError:  # apprise 1.x
        from apprise.utils import parse_urls  # type: ignore[attr-defined,no-redef]  # 1.x
    return tuple(part for part in parse_urls(text) if part)


def check_web_url(value: str, source: str = "--web-url") -> str:
    """Return an http(s) base URL without its trailing slash; ConfigError otherwise."""
    value = (value or "").strip()
    if value and not re.match(r"^https?://[^/\s]+", value):
        raise ConfigError(f"{source}: the web page's URL must start with http:// or https://")
    return value.rstrip("/")


def load_config(
    path: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
) -> Config:
    """Return the defaults with the user's file and ``$OPDCWATCH_NOTIFY`` laid over them."""
    env = os.environ if env is None else env
    data = _defaults()
    file = find_config_file(path, env=env, cwd=cwd)
    source = str(file) if file else "defaults"
    if file is not None:
        _overlay(data, read_user_file(file), source)
        logger.debug("config read from %s", file)
    _archive_db(data["archive"]["db"], source)
    notify, sched, health = data["notify"], data["scheduler"], data["health"]
    cluster = data["cluster"]
    if not isinstance(cluster["queue"], str) or not QUEUE_RE.match(cluster["queue"]):
        raise ConfigError(f"{source}: cluster.queue must be a name such as 'opdcwatch'")
    urls, origin = _urls(notify["urls"], source), f"{source}: notify.urls"
    if env.get(NOTIFY_ENV, "").strip():
        urls, origin = split_urls(env[NOTIFY_ENV]), f"${NOTIFY_ENV}"
    if not isinstance(notify["health"], bool):
        raise ConfigError(f"{source}: notify.health must be true or false")
    if not isinstance(notify["web_url"], str):
        raise ConfigError(f"{source}: notify.web_url must be a URL string")
    web_url = check_web_url(notify["web_url"], f"{source}: notify.web_url")
    if env.get(WEB_URL_ENV, "").strip():
        web_url = check_web_url(env[WEB_URL_ENV], WEB_URL_ENV)
    try:
        template = check_template(notify["template"])
    except ValueError as exc:
        raise ConfigError(f"{source}: notify.template: {exc}") from exc
    if not isinstance(sched["timezone"], str):
        raise ConfigError(f"{source}: scheduler.timezone must be a string such as 'Asia/Bangkok'")
    if sched["timezone"].strip():
        try:
            ZoneInfo(sched["timezone"].strip())
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"{source}: scheduler.timezone: unknown time zone {sched['timezone']!r}"
            ) from exc
    return Config(
        notify=NotifyConfig(
            urls=urls,
            excerpt_words=_number(notify, "excerpt_words", source, int, 1, 200),
            max_items=_number(notify, "max_items", source, int, 1, 1000),
            health=notify["health"],
            origin=origin,
            web_url=web_url,
            template=template,
        ),
        scheduler=SchedulerConfig(
            timezone=sched["timezone"].strip(),
            misfire_grace_time=_duration(sched, "misfire_grace_time", source),
            crawl_timeout=_duration(sched, "crawl_timeout", source),
            stop_timeout=_duration(sched, "stop_timeout", source),
            poll_interval=float(_number(sched, "poll_interval", source, float, 0.1, 3600))
            if isinstance(sched["poll_interval"], int | float)
            else float(_duration(sched, "poll_interval", source)),
            max_parallel=_number(sched, "max_parallel", source, int, 1, 64),
        ),
        health=HealthConfig(
            failures_in_a_row=_number(health, "failures_in_a_row", source, int, 1, 1000),
            unreachable_runs=_number(health, "unreachable_runs", source, int, 1, 1000),
            baseline_runs=_number(health, "baseline_runs", source, int, 1, 1000),
            empty_body_chars=_number(health, "empty_body_chars", source, int, 0),
            shrink_ratio=_number(health, "shrink_ratio", source, float, 0.0, 1.0),
            empty_share=_number(health, "empty_share", source, float, 0.0, 1.0),
        ),
        source=str(file) if file else None,
        cluster=ClusterConfig(
            queue=cluster["queue"],
            visibility_timeout=_visibility_timeout(cluster, source),
        ),
    )
