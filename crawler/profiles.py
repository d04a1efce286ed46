"""Site profiles: what to crawl on one site, as data (TOML) rather than code.

A profile names its start sources (start pages, RSS/Atom feeds, sitemaps), which links to
follow and which are articles, an optional keyword filter, selectors, Scrapy settings and how
often known articles are fetched again (``[revisit]``, see ``crawler.revisit``) and which
pages need a browser (``[render]``, see ``crawler.rendering``). The
bundled profiles live in ``crawler/sites/``; users add theirs with ``--profile FILE`` or
``--sites DIR``. A user profile with a bundled profile's name replaces it.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger

from crawler.exceptions import (
    CrawlerError,
    DuplicateSiteError,
    NoSuchSiteError,
    ProfileError,
    ScheduleError,
)
from crawler.monitor.templates import check_template
from crawler.monitor.triggers import parse_duration, parse_schedule
from crawler.rendering import RenderSpec, parse_render
from crawler.revisit import DEFAULT_POLICY, RevisitPolicy
from crawler.urls import host_matches
from parsers import ParseOptions
from parsers.exceptions import SelectorError, SiteRuleError

logger = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
SETTING_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
SELECTOR_KEYS = ("title", "body", "date")
LIST_FIELDS = (
    "start_urls",
    "feeds",
    "sitemaps",
    "allowed_domains",
    "follow",
    "articles",
    "keywords",
    "ignore",
    "remove",
    "notify",
)
KNOWN_FIELDS = frozenset(
    {
        "name",
        "description",
        "schedule",
        "jitter",
        "notify_template",
        "max_pages",
        "selectors",
        "settings",
        "revisit",
        "min_interval_ok",
        "render",
        *LIST_FIELDS,
    }
)
# a shorter `every` interval needs `min_interval_ok = true`: "every 5s" hammers a site
MIN_INTERVAL = 60
# [revisit] keys -> (lowest, highest) accepted value; see crawler.revisit
REVISIT_BOUNDS = {
    "recent_days": (0.0, 3650.0),
    "max_days": (0.0, 3650.0),
    "quiet_share": (0.0, 10.0),
    "crawl_share": (0.0, 1.0),
}


@dataclass(frozen=True)
class SiteProfile:
    """One site's crawl description, validated; built only by :func:`load_profile`."""

    name: str
    source: str
    description: str = ""
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    follow: tuple[re.Pattern[str], ...] = ()
    articles: tuple[re.Pattern[str], ...] = ()
    keywords: tuple[str, ...] = ()
    schedule: str | None = None
    jitter: int | None = None
    max_pages: int | None = None
    selectors: Mapping[str, str] | None = None
    ignore: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    notify_template: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    revisit: RevisitPolicy = DEFAULT_POLICY
    render: RenderSpec | None = None
    bundled: bool = False

    @cached_property
    def parse_options(self) -> ParseOptions:
        """What the parsers need of this profile (selectors and noise rules), one hashable value."""
        selectors = tuple((self.selectors or {}).items())
        return ParseOptions(selectors=selectors, remove=self.remove, ignore=self.ignore)

    def is_article(self, url: str) -> bool:
        """Return True when ``url`` matches one of the ``articles`` patterns."""
        return any(p.search(url) for p in self.articles)

    def is_listing(self, url: str) -> bool:
        """Return True when ``url`` matches one of the ``follow`` patterns."""
        return any(p.search(url) for p in self.follow)

    def matches_keywords(self, text: str) -> bool:
        """Return True when there is no keyword filter or ``text`` mentions a keyword."""
        if not self.keywords:
            return True
        folded = text.casefold()
        return any(k.casefold() in folded for k in self.keywords)


def every_seconds(schedule: str) -> int | None:
    """Return the interval of an ``every 6h`` schedule in seconds, or None for a cron one.

    Goes through ``crawler.monitor.triggers.parse_schedule``, so it agrees with the scheduler.
    """
    trigger = parse_schedule(schedule, profile="?")
    if isinstance(trigger, IntervalTrigger):
        return int(trigger.interval_length)
    return None


def _string_list(data: dict[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(source, "must be a list of non-empty strings", key)
    return tuple(v.strip() for v in value)


def _patterns(values: tuple[str, ...], key: str, source: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for value in values:
        try:
            compiled.append(re.compile(value))
        except re.error as exc:
            raise ProfileError(source, f"invalid regular expression '{value}': {exc}", key) from exc
    return tuple(compiled)


def _urls(values: tuple[str, ...], key: str, source: str) -> tuple[str, ...]:
    for value in values:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ProfileError(source, f"{value!r} is not an http(s) URL", key)
    return values


def _schedule(data: dict[str, Any], source: str) -> str | None:
    """Check ``schedule`` with the scheduler's parser: a profile that loads also schedules."""
    value = data.get("schedule")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProfileError(source, "must be a string (cron or 'every 6h')", "schedule")
    name = data["name"] if isinstance(data.get("name"), str) else source
    try:
        trigger = parse_schedule(value, profile=name)
    except ScheduleError as exc:
        raise ProfileError(source, str(exc), "schedule") from exc
    allowed = data.get("min_interval_ok", False)
    if not isinstance(allowed, bool):
        raise ProfileError(source, "must be true or false", "min_interval_ok")
    short = isinstance(trigger, IntervalTrigger) and trigger.interval_length < MIN_INTERVAL
    if short and not allowed:
        raise ProfileError(
            source,
            f"{value.strip()!r} crawls the site more than once a minute; use at least "
            f"'every 1m', or add min_interval_ok = true if that is what you mean",
            "schedule",
        )
    return value.strip()


def _jitter(data: dict[str, Any], source: str) -> int | None:
    """``jitter``: a duration ("5m", "90s") or a number of seconds; 0 means none."""
    value = data.get("jitter")
    if value is None or value == 0:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ProfileError(source, f"{exc} (a duration such as '5m' or seconds)", "jitter") from exc


def _notify_template(data: dict[str, Any], source: str) -> str | None:
    """``notify_template``: this site's message template (crawler.monitor.templates)."""
    value = data.get("notify_template")
    if value is None:
        return None
    try:
        return check_template(value)
    except ValueError as exc:
        raise ProfileError(source, str(exc), "notify_template") from exc


def _selectors(data: dict[str, Any], source: str) -> Mapping[str, str] | None:
    value = data.get("selectors")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ProfileError(source, "must be a table", "selectors")
    for key, selector in value.items():
        if key not in SELECTOR_KEYS:
            raise ProfileError(
                source, f"unknown key (known: {', '.join(SELECTOR_KEYS)})", f"selectors.{key}"
            )
        if not isinstance(selector, str) or not selector.strip():
            raise ProfileError(source, "must be a non-empty CSS selector", f"selectors.{key}")
    try:
        ParseOptions(selectors=tuple(value.items()))
    except SelectorError as exc:
        raise ProfileError(source, str(exc), "selectors") from exc
    return dict(value)


def _site_rules(lists: Mapping[str, tuple[str, ...]], source: str) -> None:
    """Check ``ignore`` (regular expressions) and ``remove`` (CSS) before any page is read."""
    for key in ("ignore", "remove"):
        try:
            rules: dict[str, Any] = {key: lists[key]}
            ParseOptions(**rules)
        except SiteRuleError as exc:
            raise ProfileError(source, str(exc), key) from exc


def _settings(data: dict[str, Any], source: str) -> Mapping[str, Any]:
    value = data.get("settings", {})
    if not isinstance(value, dict):
        raise ProfileError(source, "must be a table", "settings")
    for key in value:
        if not SETTING_NAME_RE.match(key):
            raise ProfileError(source, "Scrapy setting names are UPPER_CASE", f"settings.{key}")
    return dict(value)


def _revisit(data: dict[str, Any], source: str) -> RevisitPolicy:
    value = data.get("revisit", {})
    if not isinstance(value, dict):
        raise ProfileError(source, "must be a table", "revisit")
    chosen: dict[str, float] = {}
    for key, number in value.items():
        if key not in REVISIT_BOUNDS:
            known = ", ".join(REVISIT_BOUNDS)
            raise ProfileError(source, f"unknown key (known: {known})", f"revisit.{key}")
        low, high = REVISIT_BOUNDS[key]
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ProfileError(source, "must be a number", f"revisit.{key}")
        if not low <= number <= high:
            raise ProfileError(source, f"must be between {low:g} and {high:g}", f"revisit.{key}")
        chosen[key] = float(number)
    return RevisitPolicy(**chosen)


def build_profile(data: dict[str, Any], source: str, *, bundled: bool = False) -> SiteProfile:
    """Validate a parsed TOML table and return the profile; ProfileError names the field."""
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        raise ProfileError(
            source, f"unknown field (known: {', '.join(sorted(KNOWN_FIELDS))})", unknown[0]
        )
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ProfileError(source, "required; lower-case letters, digits, '.', '_' or '-'", "name")
    lists = {key: _string_list(data, key, source) for key in LIST_FIELDS}
    for key in ("start_urls", "feeds", "sitemaps"):
        _urls(lists[key], key, source)
    if not (lists["start_urls"] or lists["feeds"] or lists["sitemaps"]):
        raise ProfileError(
            source, "a profile needs at least one of start_urls, feeds, sitemaps", "start_urls"
        )
    _site_rules(lists, source)
    for url in lists["notify"]:
        if "://" not in url:
            raise ProfileError(source, f"{url!r} is not an apprise URL (scheme://...)", "notify")
    max_pages = data.get("max_pages")
    if max_pages is not None and (
        not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1
    ):
        raise ProfileError(source, "must be a positive integer", "max_pages")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ProfileError(source, "must be a string", "description")
    return SiteProfile(
        name=name,
        source=source,
        description=description.strip(),
        start_urls=lists["start_urls"],
        feeds=lists["feeds"],
        sitemaps=lists["sitemaps"],
        allowed_domains=tuple(d.lower().lstrip(".") for d in lists["allowed_domains"]),
        follow=_patterns(lists["follow"], "follow", source),
        articles=_patterns(lists["articles"], "articles", source),
        keywords=lists["keywords"],
        schedule=_schedule(data, source),
        jitter=_jitter(data, source),
        max_pages=max_pages,
        selectors=_selectors(data, source),
        ignore=lists["ignore"],
        remove=lists["remove"],
        notify=lists["notify"],
        notify_template=_notify_template(data, source),
        settings=_settings(data, source),
        revisit=_revisit(data, source),
        render=parse_render(data.get("render"), source),
        bundled=bundled,
    )


def parse_profile(text: str, source: str, *, bundled: bool = False) -> SiteProfile:
    """Parse TOML text into a profile; a syntax error is a ProfileError with the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(source, f"not valid TOML: {exc}") from exc
    return build_profile(data, source, bundled=bundled)


def load_profile(path: str | Path) -> SiteProfile:
    """Read one user profile file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(str(path), f"cannot read: {exc}") from exc
    return parse_profile(text, str(path))


def bundled_profiles() -> dict[str, SiteProfile]:
    """Return the profiles shipped in ``crawler/sites/``, keyed by name."""
    found: dict[str, SiteProfile] = {}
    for entry in sorted(resources.files("crawler.sites").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            profile = parse_profile(
                entry.read_text(encoding="utf-8"), f"crawler/sites/{entry.name}", bundled=True
            )
            found[profile.name] = profile
    return found


def load_registry(
    profile_files: Iterable[str | Path] = (),
    sites_dir: str | Path | None = None,
    *,
    include_bundled: bool = True,
) -> dict[str, SiteProfile]:
    """Return every profile by name: the bundled ones, then ``sites_dir``, then the files.

    A user profile replaces a bundled one of the same name; two user profiles with one name
    are an error, since which one runs would depend on the order of the arguments.
    """
    registry = bundled_profiles() if include_bundled else {}
    user: dict[str, SiteProfile] = {}
    paths: list[Path] = []
    if sites_dir is not None:
        directory = Path(sites_dir)
        if not directory.is_dir():
            raise ProfileError(str(directory), "not a directory")
        paths.extend(sorted(directory.glob("*.toml")))
    paths.extend(Path(p) for p in profile_files)
    for path in paths:
        profile = load_profile(path)
        if profile.name in user:
            raise DuplicateSiteError(
                str(path),
                f"name {profile.name!r} is already used by {user[profile.name].source}",
                "name",
            )
        if profile.name in registry:
            logger.info("profile %s from %s replaces the bundled one", profile.name, path)
        user[profile.name] = profile
    registry.update(user)
    return registry


def options_resolver(
    registry: Mapping[str, SiteProfile],
) -> Callable[[str, str], ParseOptions]:
    """Return ``(site, url) -> ParseOptions``: the options of the profile a page belongs to.

    The profile named ``site`` (the crawler files articles under the profile's name), else
    the one whose ``allowed_domains`` hold the URL's host, else the defaults. ``ingest`` and
    ``import-warc`` parse with it, so a saved page reads as the crawler would read it.
    """

    def resolve(site: str, url: str) -> ParseOptions:
        profile = registry.get(site)
        if profile is None:
            holders = (p for p in registry.values() if p.allowed_domains)
            profile = next((p for p in holders if host_matches(url, p.allowed_domains)), None)
        return profile.parse_options if profile is not None else ParseOptions()

    return resolve


def select_profiles(
    registry: Mapping[str, SiteProfile], names: Iterable[str], *, user_only: bool = False
) -> list[SiteProfile]:
    """Return the named profiles in the given order, or all of them when no name is given.

    ``user_only``: with no name, only the user's profiles (``--profile``, ``--sites``), not the
    bundled ones: ``opdcwatch crawl --profile mysite.toml`` means "crawl my site".
    """
    wanted = list(dict.fromkeys(names))
    if not wanted:
        chosen = [registry[n] for n in sorted(registry) if not (user_only and registry[n].bundled)]
        if not chosen:
            raise CrawlerError("the --sites folder holds no site profile (*.toml)")
        return chosen
    for name in wanted:
        if name not in registry:
            raise NoSuchSiteError(name, sorted(registry))
    return [registry[name] for name in wanted]
