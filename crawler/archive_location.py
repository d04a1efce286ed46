"""Which archive a command uses, found the same way from whichever folder it runs in.

In order: ``--db``, ``$OPDCWATCH_DB``, the config file's ``[archive] db`` (``crawler.config``),
``./data/opdcwatch.db`` when it exists (archives made before there was a default folder), else
``opdcwatch.db`` in the user's data folder (``archive.db.default_archive``; XDG on Linux:
``~/.local/share/opdcwatch/``). When the archive was not named by ``--db`` or
``$OPDCWATCH_DB``, the command line says on stderr which one it uses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from archive.constants import DB_ENV_VAR
from archive.db import as_url, default_archive, sqlite_path

EXPLICIT = ("--db", f"${DB_ENV_VAR}")


@dataclass(frozen=True)
class ArchiveLocation:
    """An archive's URL and where it came from: ``--db``, ``$OPDCWATCH_DB``, a config file,
    "found in this folder" or "the default"."""

    url: str
    origin: str

    @property
    def explicit(self) -> bool:
        """True when the user named it for this command (``--db``, ``$OPDCWATCH_DB``)."""
        return self.origin in EXPLICIT

    def note(self) -> str:
        """One short line for stderr: which archive, and why this one."""
        path = sqlite_path(self.url)
        shown = _home_relative(path) if path is not None else _hide_password(self.url)
        return f"opdcwatch: archive {shown} ({self.origin})"


def _home_relative(path: Path) -> str:
    try:
        return f"~/{path.relative_to(Path.home())}"
    except ValueError:
        return str(path)


def _hide_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def locate_archive(
    db_url: str | None = None,
    *,
    origin: str = "--db",
    config_path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
) -> ArchiveLocation:
    """Return the archive to use (see the module doc); ``db_url`` came from ``origin``.

    Raises ``ConfigError`` for a config file that is named but missing, or unreadable.
    """
    from crawler.config import archive_setting

    env = os.environ if env is None else env
    if db_url:
        return ArchiveLocation(as_url(db_url), origin)
    if env.get(DB_ENV_VAR):
        return ArchiveLocation(as_url(env[DB_ENV_VAR]), f"${DB_ENV_VAR}")
    configured = archive_setting(config_path, env=env, cwd=cwd)
    if configured is not None:
        value, file = configured
        return ArchiveLocation(as_url(value), f"from {_home_relative(file)}")
    path, why = default_archive(cwd)
    return ArchiveLocation(f"sqlite:///{path}", why)
