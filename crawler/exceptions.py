"""Errors raised by the crawler, the site profiles and the replica site.

Each is an :class:`~parsers.exceptions.OpdcwatchError`, so the command line reports it as one
line on stderr with a non-zero exit code instead of a traceback.
"""

from __future__ import annotations

from typing import Any

from parsers.exceptions import OpdcwatchError


class CrawlerError(OpdcwatchError):
    """Base of the crawler's errors; raised as such when a crawl cannot start or report."""


class ProfileError(CrawlerError):
    """Raised by ``crawler.profiles`` when a TOML profile is unreadable or a field is invalid.

    The message always names the file and, when there is one, the offending field.
    """

    def __init__(self, source: str, message: str, field: str | None = None) -> None:
        self.source = source
        self.field = field
        where = f"{source}: field '{field}'" if field else source
        super().__init__(f"bad site profile {where}: {message}")


class NoSuchSiteError(CrawlerError):
    """Raised when a command names a site that no loaded profile defines."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        listed = ", ".join(known) if known else "none"
        super().__init__(f"no such site '{name}' (known sites: {listed})")


class DuplicateSiteError(ProfileError):
    """Raised when two profiles loaded together use the same name."""


class SettingError(CrawlerError):
    """Raised for a ``-s NAME=VALUE`` override that is not of that form."""


class CrawlProcessError(CrawlerError):
    """Raised by ``crawler.runner.run_crawl_subprocess`` when the child crawl fails to report."""


class ScheduleError(CrawlerError):
    """Raised by ``crawler.monitor.triggers.parse_schedule`` when a profile's ``schedule`` is
    neither a cron line (or ``@daily`` style macro) nor ``every <duration>``; the message names the
    profile and shows the accepted forms, so a typo is one clear line, not a site that never
    runs. ``crawler.profiles`` turns it into a :class:`ProfileError` naming the file."""


class ConfigError(CrawlerError):
    """Raised by ``crawler.config.load_config`` for a config file that is missing (when named),
    not TOML, or holds an unknown key or a value of the wrong kind; the message names the file
    and the key."""


class SchedulerError(CrawlerError):
    """Raised by the scheduling daemon (``crawler.monitor.daemon``) and ``opdcwatch schedule``: no
    such scheduled site, a second daemon on the same database, a job store that cannot be read,
    no profile with a schedule."""


class NotifyError(CrawlerError):
    """Raised by ``crawler.monitor.notify.check_urls`` when the daemon or a worker starts with a
    notification URL apprise cannot use: the daemon does not start (a typo found at the first
    news would lose that news)."""


class CrawlTimeoutError(CrawlProcessError):
    """Raised by ``crawler.runner.run_crawl_subprocess`` when its time limit stopped the child.

    The child was asked to stop (SIGTERM) and normally archived what it had: ``summary`` is
    its report when it gave one, so the caller can record the run as failed with its counts.
    """

    def __init__(self, label: str, limit: float, summary: Any = None) -> None:
        self.limit = limit
        self.summary = summary
        super().__init__(f"{label}: the crawl was stopped after its time limit of {limit:g} s")


class ClusterError(CrawlerError):
    """Raised by ``crawler.monitor.queue`` and ``crawler.monitor.worker`` when a cluster cannot
    run: Celery not installed, a broker URL of an unknown kind or that does not answer, an
    archive that is not PostgreSQL, a crawl the broker would not take."""


class RenderUnavailableError(CrawlerError):
    """Raised by ``crawler.rendering.check_renderable`` before a crawl starts, when a profile
    has a ``[render]`` table but Chromium (``/usr/bin/chromium``) or scrapy-playwright
    (``opdcwatch[render]``) is missing: the crawl would archive empty JavaScript shells."""


class ProbeError(CrawlerError):
    """Raised by ``crawler.probe`` when a site cannot be probed: its home page does not answer
    (or answers with an error, or is not HTML), or robots.txt forbids it."""
