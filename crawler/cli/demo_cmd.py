"""``opdcwatch demo``: the whole job offline, on a bundled replica of a news site."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

PHASE2_NOTE = (
    "The replica site now edits a sentence in one article, retitles another and publishes a "
    "new one; and of three older articles that no listing links any more, it corrects one, "
    "deletes one (404) and redirects one to its home page."
)


@click.command()
@click.option(
    "--db",
    "db_url",
    default=None,
    metavar="URL",
    help="Keep the demo's archive in this database (default: a temporary SQLite file "
    "removed at the end). Not read from OPDCWATCH_DB, so the demo never writes "
    "127.0.0.1 pages into your real archive by accident.",
)
@click.option(
    "--articles",
    "n_articles",
    type=click.IntRange(10, 500),
    default=10,
    show_default=True,
    help="Number of OPDC articles on the replica site.",
)
def demo(db_url: str | None, n_articles: int) -> None:
    """Serve a replica news site on 127.0.0.1, crawl it, change it, crawl again, show the diffs.

    No internet needed: the replica is built from real OPDC news texts with the boilerplate,
    view counters, windows-874 pages and traps of the real sites. The second crawl revisits
    the known articles, so it also notices the edit, the deletion and the redirect of
    articles no listing links any more. Takes about 15 seconds.

    \b
    Example:
      opdcwatch demo
      opdcwatch demo --db data/demo.db && opdcwatch articles --db data/demo.db
    """
    from archive import Archive
    from archive.diff import diff_versions
    from archive.diff_render import render
    from archive.queries import list_articles
    from crawler.demo import ReplicaServer, ReplicaSite
    from crawler.demo.profile import write_replica_profile
    from crawler.runner import run_crawl_subprocess

    with (
        tempfile.TemporaryDirectory(prefix="opdcwatch-demo-") as tmp,
        ReplicaServer(ReplicaSite(n_articles)) as server,
    ):
        folder = Path(tmp)
        target = db_url or f"sqlite:///{folder / 'demo.db'}"
        profile = write_replica_profile(folder, server.base_url)
        click.echo(f"replica news site at {server.base_url} ({n_articles} OPDC articles)")
        click.echo(f"archive: {db_url or 'a temporary SQLite file (use --db to keep it)'}")
        for phase in (1, 2):
            if phase == 2:
                server.site.set_phase(2)
                click.echo(PHASE2_NOTE)
            click.echo(f"crawl {phase}:")
            summary = run_crawl_subprocess(
                ["replica"], profile_files=[profile], db_url=target, timeout=120
            )
            for line in summary.lines():
                click.echo(f"  {line}")
        archive = Archive.open(target)
        changed = [a for a in list_articles(archive, site="replica") if a["versions"] > 1]
        for article in changed:
            click.echo("")
            click.echo(render(diff_versions(archive, article["id"]), "text").rstrip("\n"))
        if not changed:
            click.echo("no article changed (unexpected: the replica edits three)")
