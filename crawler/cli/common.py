"""Options and helpers shared by several commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any

import click

from parsers.constants import TERMINAL_UNSAFE_RE

if TYPE_CHECKING:
    from archive import Archive
    from parsers import ParseOptions



# notes about an archive that did not exist yet, printed when the command succeeds
PENDING_NOTES: list[str] = []
_DB_ORIGINS: dict[click.core.ParameterSource | None, str] = {
    click.core.ParameterSource.COMMANDLINE: "--db",
    click.core.ParameterSource.ENVIRONMENT: "$OPDCWATCH_DB",
}


def _locate_archive(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """Turn ``--db`` (or ``$OPDCWATCH_DB``, the config file, the default) into the archive's
    URL, saying on stderr which archive it is unless the user named it for this command."""
    from archive.db import sqlite_path
    from crawler.archive_location import locate_archive

    origin = _DB_ORIGINS.get(ctx.get_parameter_source(param.name))
    location = locate_archive(
        value if origin else None,
        origin=origin or "--db",
        config_path=ctx.params.get("config_path"),
    )
    if not location.explicit:
        path = sqlite_path(location.url)
        if path is None or path.exists():
            click.echo(location.note(), err=True)
        else:  # said once the command made it; if it fails, the error names the file
            PENDING_NOTES.append(location.note())
    return location.url


db_option = click.option(
    "--db",
    "db_url",
    envvar="OPDCWATCH_DB",
    metavar="URL",
    callback=_locate_archive,
    help="Archive database: a SQLite file or a URL such as "
    "postgresql+psycopg://user@127.0.0.1/opdcwatch (env OPDCWATCH_DB; else the config "
    "file's [archive] db; else ./data/opdcwatch.db if it exists; else the user's data "
    "folder, ~/.local/share/opdcwatch/ on Linux).",
)

config_option = click.option(
    "--config",
    "config_path",
    default=None,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    is_eager=True,  # read before --db, whose default it may set ([archive] db)
    help="Config file (TOML; default $OPDCWATCH_CONFIG, else ./opdcwatch.toml, else "
    "opdcwatch.toml in the user's config folder, ~/.config/opdcwatch/ on Linux).",
)

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON (UTF-8 Thai, indent 2)."
)

profile_options = [
    click.option(
        "--profile",
        "profile_files",
        multiple=True,
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="A site profile (TOML) to add; repeatable. Replaces a bundled profile "
        "of the same name.",
    ),
    click.option(
        "--sites",
        "sites_dir",
        metavar="DIR",
        type=click.Path(file_okay=False),
        help="A folder of site profiles (*.toml) to add.",
    ),
]


def with_profile_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--profile FILE`` and ``--sites DIR`` to a command."""
    for option in reversed(profile_options):
        func = option(func)
    return func


def options_resolver(
    profile_files: tuple[str, ...], sites_dir: str | None
) -> Callable[[str, str], ParseOptions]:
    """Return how pages are parsed: by the site profile they belong to (bundled or given)."""
    from crawler import profiles

    return profiles.options_resolver(profiles.load_registry(profile_files, sites_dir))


def broker_option(*, required: bool = False):
    """``--broker URL`` (env OPDCWATCH_BROKER): the cluster's Redis or RabbitMQ."""
    return click.option(
        "--broker",
        "broker_url",
        envvar="OPDCWATCH_BROKER",
        required=required,  # no default=None: Click 8.3+ takes it as a value given
        metavar="URL",
        help="The cluster's broker (env OPDCWATCH_BROKER): redis://HOST:6379/0 or "
        "amqp://USER:PASSWORD@HOST:5672//. See docs/scaling.md.",
    )


def safe_text(text: str | None, *, one_line: bool = False) -> str:
    """Return scraped text fit for a terminal: no escape sequences or bidi overrides."""
    text = TERMINAL_UNSAFE_RE.sub("\ufffd", text or "")
    return " ".join(text.split()) if one_line else text


def print_json(value: Any) -> None:
    """Print ``value`` as the JSON every ``--json`` option prints: UTF-8 Thai, indent 2."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def stream_json(rows: Iterable[Any], chunk: int = 500) -> None:
    """Print rows as one JSON array, byte for byte what :func:`print_json` prints for the
    list, but ``chunk`` rows at a time as they are read: 100,000 articles never sit in memory
    at once."""
    rows = iter(rows)
    opened = False
    while batch := list(islice(rows, chunk)):
        items = (json.dumps(row, ensure_ascii=False, indent=2) for row in batch)
        text = ",\n  ".join(item.replace("\n", "\n  ") for item in items)
        click.echo(("[\n  " if not opened else ",\n  ") + text, nl=False)
        opened = True
    click.echo("\n]" if opened else "[]")


def open_archive(db_url: str | None, *, create: bool = False, **kwargs: Any) -> Archive:
    """Open the archive; read-only commands never create one (a typo is an error).

    ``kwargs`` go to ``Archive.open`` (``options_for``: how pages handed over are parsed).
    """
    from archive import Archive

    return Archive.open(db_url, create=create, **kwargs)
