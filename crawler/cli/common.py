"""Options and helpers shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
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
