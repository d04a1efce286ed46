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


db_option = click.option(
    "--db",
    "db_url",
    envvar="OPDCWATCH_DB",
    default=None,
    metavar="URL",
    help="Archive database URL (default: sqlite under ./data/; env OPDCWATCH_DB). "
    "Example: postgresql+psycopg://user@127.0.0.1/opdcwatch",
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
