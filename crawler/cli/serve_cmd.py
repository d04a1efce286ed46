"""``opdcwatch serve``: the read-only web page of the archive."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from crawler.cli.common import db_option

if TYPE_CHECKING:
    from archive.store import Archive
    from crawler.config import Config


def scheduler_status(config: Config) -> Callable[[Archive], dict[str, dict[str, Any]]]:
    """Return the home page's status hook: health and next run as ``schedule list`` sees them.

    Read from the scheduler's job store in the archive database, so it is current whether or
    not a daemon runs; sites that are not scheduled are absent (the page shows "—").
    """

    def status(archive: Archive) -> dict[str, dict[str, Any]]:
        from crawler.monitor.jobstore import scheduled_sites

        return {
            s.site: {
                "health": "unhealthy" if s.warnings else "ok",
                "warnings": [f"{w.rule}: {w.message}" for w in s.warnings],
                "next_run": s.next_run,
                "schedule": s.schedule,
            }
            for s in scheduled_sites(archive, config)
        }

    return status


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback makes the archive public.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one and prints it).",
)
@db_option
def serve(host: str, port: int, db_url: str | None) -> None:
    """Serve the archive as a read-only web page: browse, search in Thai, read diffs.

    Routes: / · /articles?q=&site=&since= · /articles/ID · /articles/ID/diff?from=N&to=M ·
    /feed.atom · /api/articles · /healthz (see docs/web.md).

    \b
    Example:
      opdcwatch serve --db data/opdcwatch.db
      opdcwatch serve --port 8080    # then open http://127.0.0.1:8080/
    """
    from archive.web import create_app
    from archive.web.server import is_loopback, serve_forever, start_server
    from crawler.config import load_config

    app = create_app(db_url, site_status=scheduler_status(load_config(None)))
    server = start_server(app, host, port)
    if not is_loopback(host):
        click.echo(
            f"opdcwatch: warning: listening on {host}: anyone who can reach it can read the "
            "archive",
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"opdcwatch: serving http://{shown}:{server.port}/ (read-only; Ctrl-C stops)")
    serve_forever(server, app, on_stop=lambda: click.echo("opdcwatch: stopped", err=True))
