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
