"""``opdcwatch runs``, ``health`` and ``feed``: what the scheduler did, and how the sites are."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from archive.constants import RUN_COUNT_KEYS
from crawler.cli.choices import RegistryCommand
from crawler.cli.common import config_option, db_option
from crawler.cli.params import POSITIVE, SITE

EVENTS_PER_RUN = 5  # removed / restored articles listed under a run in the table
# exit code of `opdcwatch health` when a site is unhealthy (2 is kept for errors)
UNHEALTHY_EXIT = 1


def _short(stamp: str | None) -> str:
    return "-" if not stamp else stamp[:19].replace("T", " ")


@click.command("runs")
@click.option("--site", default=None, type=SITE, metavar="S", help="Only the runs of this site.")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=POSITIVE,
    help="How many runs, newest first.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@db_option
def runs(site: str | None, limit: int, as_json: bool, db_url: str | None) -> None:
    """Show the crawl run history: start, end, outcome, counts, errors.

    Times are UTC. "gone" counts the articles a run found removed (404, 410, redirected to the
    home page), each listed under its run with its date; "restored" the gone ones that came
    back. A failed run shows its error text (and, when the site never answered, why:
    DNS, refused, timeout, TLS); a notification that could not be delivered is shown too.
    "without a page" counts, by kind, why requests ended without one (timeout, redirect
    loop, too many redirects, off-site redirect, too large, truncated, too complex, robots,
    robots unavailable, rate limited, HTTP 5xx ...); JSON: "reasons".

    \b
    Example:
      opdcwatch runs --site opdc-news
      opdcwatch runs --json | jq '.[0].outcome'
    """
    from archive import queries
    from archive.events import events_for_runs
    from archive.store import Archive
    from crawler.fetch_errors import format_reasons
    from crawler.monitor.notify import deliveries_for_runs

    with Archive.open(db_url, create=False) as archive:
        if site is not None:
            queries.check_site(archive, site)
        found = queries.list_runs(archive, site=site, limit=limit)
        with archive.reading() as conn:
            sent = deliveries_for_runs(conn, [r["id"] for r in found])
            happened = events_for_runs(conn, [r["id"] for r in found])
    for run in found:
        run["notifications"] = [
            {"target": d.target, "ok": d.ok, "error": d.error} for d in sent.get(run["id"], [])
        ]
        events = happened.get(run["id"], [])
        for kind in ("removed", "restored"):
            run[f"{kind}_articles"] = [
                {key: e[key] for key in ("article_id", "url", "title", "happened_at", "how")}
                for e in events
                if e["kind"] == kind
            ]
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no runs yet" + (f" for {site}" if site else ""))
        return
    clustered = any(r["worker"] for r in found)  # crawled by `opdcwatch worker`s: say which
    header = ["id", "site", "started", "ended", "outcome", *RUN_COUNT_KEYS]
    header += ["worker"] if clustered else []
    rows = [
        [
            str(r["id"]),
            r["site"],
            _short(r["started_at"]),
            _short(r["finished_at"]),
            r["outcome"] or "running",
            *(str(r[key]) for key in RUN_COUNT_KEYS),
            *([r["worker"] or "-"] if clustered else []),
        ]
        for r in found
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for run, row in zip(found, rows, strict=True):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if run["unreachable"]:
            click.echo(f"    unreachable: {run['unreachable']}")
        if run["reasons"]:
            click.echo(f"    without a page: {format_reasons(run['reasons'])}")
        if run["error_text"] and run["outcome"] != "ok":
            for line in run["error_text"].splitlines()[:5]:
                click.echo(f"    error: {line}")
        listed = [("removed ", e) for e in run["removed_articles"]]
        listed += [("restored", e) for e in run["restored_articles"]]
        for kind, event in listed[:EVENTS_PER_RUN]:
            click.echo(f"    {kind} {event['happened_at'][:10]}: {event['url']} ({event['how']})")
        if len(listed) > EVENTS_PER_RUN:
            click.echo(f"    … and {len(listed) - EVENTS_PER_RUN} more (--json lists them all)")
        for note in run["notifications"]:
            if not note["ok"]:
                click.echo(f"    notification to {note['target']} failed: {note['error']}")


def _site_names(archive) -> list[str]:
    from archive import queries

    return queries.sites_with_runs(archive)


def _intervals(archive, config) -> dict[str, float | None]:
    """Seconds between scheduled runs per site that the job store holds (not paused)."""
    from crawler.monitor.jobstore import JOB_PREFIX, read_jobs
    from crawler.monitor.triggers import interval_seconds

    jobs = read_jobs(archive, config)
    return {
        job.id[len(JOB_PREFIX) :]: interval_seconds(job.trigger)
        for job in jobs
        if job.id.startswith(JOB_PREFIX) and job.next_run_time is not None
    }


@click.command(
    "health",
    cls=RegistryCommand,
    registry="crawler.monitor.health:HEALTH_RULES",
    registry_title="Rules",
)
@click.option("--site", default=None, type=SITE, metavar="S", help="Only this site.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@db_option
@config_option
def health(site: str | None, as_json: bool, db_url: str | None, config_path: str | None) -> None:
    """Judge each crawled site by its run history; exit 1 when any is unhealthy.

    Unhealthy: N failed crawls in a row, a site that gave no answer at all in its last runs
    (unreachable, naming the error: DNS, refused, timeout, TLS), a crawl that suddenly found
    no article, pages that suddenly extract to (near) empty bodies or fail, or a scheduled
    site not crawled for several intervals. Thresholds live in the config file's [health]
    table. Made for cron and monitoring checks: exit 0 healthy, 1 unhealthy, 2 error.

    \b
    Example:
      opdcwatch health || echo "a site needs attention"
    """
    from archive.queries import check_site
    from archive.store import Archive
    from crawler.config import load_config
    from crawler.monitor import health as rules

    config = load_config(config_path)
    with Archive.open(db_url, create=False) as archive:
        names = _site_names(archive)
        if site is not None:
            check_site(archive, site)
            if site not in names:
                from crawler.exceptions import SchedulerError

                listed = ", ".join(names) or "none"
                raise SchedulerError(f"no runs of site {site!r} (sites with runs: {listed})")
            names = [site]
        intervals = _intervals(archive, config)
        report = {}
        for name in names:
            history = rules.load_history(archive, name, config.health, interval=intervals.get(name))
            report[name] = rules.check_site(history, config.health)
    unhealthy = [name for name, warnings in report.items() if warnings]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "healthy": not unhealthy,
                    "sites": [
                        {
                            "site": name,
                            "healthy": not warnings,
                            "warnings": [w.to_dict() for w in warnings],
                        }
                        for name, warnings in report.items()
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for name, warnings in report.items():
            click.echo(f"{'UNHEALTHY' if warnings else 'ok':9}  {name}")
            for warning in warnings:
                click.echo(f"           ! {warning.rule}: {warning.message}")
        click.echo(f"{len(report)} site(s), {len(unhealthy)} unhealthy")
    if unhealthy:
        sys.exit(UNHEALTHY_EXIT)


@click.command("feed")
@click.option(
    "--out",
    "out_path",
    default=None,
    metavar="FILE",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the feed to FILE (atomically) instead of standard output.",
)
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=POSITIVE,
    help="How many of the newest changes (new, changed, removed, restored).",
)
@click.option(
    "--web-url",
    envvar="OPDCWATCH_WEB_URL",
    metavar="URL",
    help="Where `opdcwatch serve` is reached (env OPDCWATCH_WEB_URL): entries then link to "
    "its word diff of each change, not to the original page.",
)
@db_option
def feed(out_path: str | None, limit: int, web_url: str | None, db_url: str | None) -> None:
    """Write an Atom feed of the newest new, changed, removed and restored articles.

    Thai intact; a change's entry holds the words removed and added; a removal or a return
    is an entry of its own, dated.

    \b
    Example:
      opdcwatch feed --out /var/www/opdcwatch/feed.atom --web-url https://watch.example.org/
    """
    from archive.feed import recent_changes, render_atom, web_link
    from archive.store import Archive
    from crawler.config import check_web_url

    page_url = web_link(check_web_url(web_url)) if web_url else None
    with Archive.open(db_url, create=False) as archive:
        xml = render_atom(recent_changes(archive, limit=limit), page_url=page_url)
    data = xml.encode("utf-8")
    if out_path is None:
        click.echo(xml)
        return
    target = Path(out_path)
    handle, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # readable like any file we write, not mkstemp's 0600
        os.replace(tmp, target)  # a reader never sees half a feed
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    click.echo(f"wrote {target} ({len(data)} bytes)", err=True)
