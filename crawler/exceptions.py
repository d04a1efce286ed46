"""Errors raised by the crawler, the site profiles and the replica site.

Each is an :class:`~parsers.exceptions.OpdcwatchError`, so the command line reports it as one
line on stderr with a non-zero exit code instead of a traceback.
"""

from __future__ import annotations

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
