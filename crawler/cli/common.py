"""Options and helpers shared by several commands."""

from __future__ import annotations

import click

db_option = click.option(
    "--db",
    "db_url",
    envvar="OPDCWATCH_DB",
    default=None,
    metavar="URL",
    help="Archive database URL (default: sqlite under ./data/; env OPDCWATCH_DB). "
    "Example: postgresql+psycopg://user@127.0.0.1/opdcwatch",
)
