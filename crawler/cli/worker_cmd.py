"""``opdcwatch worker``: run the crawls a cluster's scheduler queues (docs/scaling.md)."""

from __future__ import annotations

import logging
import sys

import click

from crawler.cli.common import broker_option, config_option, db_option


@click.command("worker")
@broker_option(required=True)
@db_option
@config_option
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=None,
    help="Sites this worker crawls at once (default: [scheduler] max_parallel of the config).",
)
@click.pass_context
def worker(
    ctx: click.Context,
    broker_url: str,
    db_url: str | None,
    config_path: str | None,
    concurrency: int | None,
) -> None:
    """Take crawls from the queue and run them, each in its own process with its time limit.

    Start as many as you like, on as many machines, all with the same broker, the same
    PostgreSQL archive and the same [cluster] queue; `opdcwatch schedule run --broker URL`
    fills the queue. A site is crawled by one worker at a time. SIGTERM: the running crawls
    stop, archive what they have and go back on the queue; exit 0.

    \b
    Example:
      opdcwatch worker --broker redis://queue.example:6379/0 --db postgresql+psycopg://db.example/opdcwatch
      opdcwatch worker --broker amqp://USER:PASSWORD@queue.example:5672// --concurrency 4
    """
    from archive.db import resolve_url
    from crawler.config import load_config
    from crawler.monitor.notify import check_urls
    from crawler.monitor.queue import broker_kind, require_celery, require_postgres
    from crawler.monitor.worker import run_worker

    config = load_config(config_path)
    check_urls(config.notify.urls, config.notify.origin)
    url = resolve_url(db_url)
    require_postgres(url)
    broker_kind(broker_url)
    require_celery()
    verbose = ctx.find_root().params.get("verbose") or 0
    if verbose == 0:  # a worker's log is its record, as the daemon's is
        logging.getLogger("crawler").setLevel(logging.INFO)
    code = run_worker(
        broker_url,
        url,
        config,
        concurrency=concurrency or config.scheduler.max_parallel,
        loglevel="DEBUG" if verbose > 1 else "INFO" if verbose else "WARNING",
    )
    sys.exit(code)
