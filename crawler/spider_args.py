"""``scrapy crawl site -a profile=NAME``: the spider's arguments as Scrapy's own command gives
them (strings), turned into what ``opdcwatch crawl`` hands it (a profile, an open archive).

``profile`` is a profile's name (bundled, or in ``-a sites=DIR``) or the path of a profile
file; ``max_pages`` a number. The profile's ``[settings]`` (and its ``[render]`` table) are
laid over the project's, under ``-s``, as in ``opdcwatch crawl``. The archive is the
``OPDCWATCH_DB`` setting when set (``-s OPDCWATCH_DB=URL``), else the one ``opdcwatch`` itself
would use (``crawler.archive_location``), opened here and closed when the engine stops.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.exceptions import CrawlerError

logger = logging.getLogger(__name__)

PROFILE_SUFFIX = ".toml"


def _profile(name: str, sites_dir: str | None) -> Any:
    from crawler.profiles import load_profile, load_registry, select_profiles

    if name.endswith(PROFILE_SUFFIX) or Path(name).is_file():
        return load_profile(name)
    return select_profiles(load_registry((), sites_dir), [name])[0]


def _open_archive(crawler: Crawler) -> Any:
    from archive import Archive
    from crawler.archive_location import locate_archive

    location = locate_archive(crawler.settings.get("OPDCWATCH_DB") or None, origin="OPDCWATCH_DB")
    logger.info("%s", location.note().removeprefix("opdcwatch: "))
    archive = Archive.open(location.url)
    crawler.signals.connect(lambda: archive.close(), signal=signals.engine_stopped, weak=False)
    return archive


def _apply_profile_settings(settings: Any, profile: Any) -> None:
    """Lay the profile's settings (and its rendering, as ``opdcwatch crawl`` does) over the
    project's, under ``-s``."""
    from crawler.runner import raise_zero_delays

    if profile.render is not None:
        from crawler.rendering import check_renderable, chromium_path, render_settings

        chosen = {"OPDCWATCH_CHROMIUM": settings.get("OPDCWATCH_CHROMIUM")}
        overrides = {k: v for k, v in chosen.items() if v}
        check_renderable([profile], overrides)
        chromium = chromium_path(profile, overrides)
        settings.setdict(render_settings(profile.render, chromium), priority="project")
    settings.setdict(dict(profile.settings), priority="spider")
    raise_zero_delays(settings)


def spider_arguments(crawler: Crawler, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Return the spider's keyword arguments with ``profile``, ``archive`` and ``max_pages``
    made from ``-a`` strings; apply the profile's settings to ``crawler.settings``.

    Raises :class:`CrawlerError` (or a ``ProfileError``) for a missing or unknown profile.
    """
    kwargs = dict(kwargs)
    name = kwargs.pop("profile", None)
    if not name:
        raise CrawlerError("name the site: scrapy crawl site -a profile=NAME (or =FILE.toml)")
    profile = _profile(str(name), kwargs.pop("sites", None))
    if not crawler.settings.frozen:
        _apply_profile_settings(crawler.settings, profile)
    max_pages = kwargs.get("max_pages")
    if isinstance(max_pages, str):
        if not max_pages.isdecimal() or int(max_pages) < 1:  # isdigit() passes "²"
            raise CrawlerError(f"max_pages must be a positive number, not {max_pages!r}")
        kwargs["max_pages"] = int(max_pages)
    if kwargs.get("archive") is None:
        kwargs["archive"] = _open_archive(crawler)
    return kwargs | {"profile": profile}
