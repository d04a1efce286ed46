"""``opdcwatch schedule``: the crawling daemon and the commands that steer it while it runs."""

from __future__ import annotations

import json
import logging
import sys

import click

from crawler.cli.common import broker_option, config_option, db_option, json_option, print_json


def _when(moment) -> str:
    return "-" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


@click.group("schedule")
def schedule() -> None:
    """Crawl every profile on its own schedule, unattended, and steer it while it runs.

    \b
    Example:
      opdcwatch schedule run --sites ./sites --db sqlite:///data/opdcwatch.db
      opdcwatch schedule list
      opdcwatch schedule pause opdc-news
    """


@schedule.command("run")
@click.argument("names", nargs=-1)
@click.option(
    "--profile",
    "profile_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A site profile (TOML) to add; repeatable.",
)
@click.option(
    "--sites",
    "sites_dir",
    type=click.Path(exists=True, file_okay=False),
    help="A folder of site profiles (*.toml) to add.",
)
@db_option
@config_option
@broker_option()
@click.pass_context
def run(
    ctx: click.Context,
    names: tuple[str, ...],
    profile_files: tuple[str, ...],
    sites_dir: str | None,
    db_url: str | None,
    config_path: str | None,
    broker_url: str | None,
) -> None:
    """Run the scheduler in the foreground until SIGTERM or Ctrl-C (exit 0).

    Schedules every profile that has a `schedule` (or only the NAMEs given; with --profile or
    --sites and no NAME, only those profiles). Each crawl runs
    in its own subprocess with a time limit; on SIGTERM no new crawl starts and the running
    ones stop cleanly, their progress archived. With --broker, due crawls are queued for
    `opdcwatch worker` processes instead (on any machines; see docs/scaling.md).

    \b
    Example:
      opdcwatch schedule run --profile mysite.toml --db sqlite:///data/opdcwatch.db
      opdcwatch schedule run opdc-news thaipr
      export OPDCWATCH_BROKER=redis://127.0.0.1:6379/0
      opdcwatch schedule run --db postgresql+psycopg://opdcwatch@db.example/opdcwatch
    """
    from archive.db import resolve_url
    from archive.store import Archive
    from crawler.config import load_config
    from crawler.exceptions import SchedulerError
    from crawler.monitor.daemon import Daemon
    from crawler.monitor.notify import check_urls
    from crawler.profiles import load_registry, select_profiles

    config = load_config(config_path)
    check_urls(config.notify.urls, config.notify.origin)
    registry = load_registry(profile_files, sites_dir)
    profiles = select_profiles(registry, names, user_only=bool(profile_files or sites_dir))
    unscheduled = [p.name for p in profiles if not p.schedule]
    if names and unscheduled:
        raise SchedulerError(
            f'profile {unscheduled[0]!r} has no schedule (add e.g. schedule = "every 6h")'
        )
    for profile in profiles:
        if profile.notify:
            check_urls(profile.notify, f"profile {profile.name}: notify")
    if (ctx.find_root().params.get("verbose") or 0) == 0:
        # a daemon's log is its record: crawls started and ended, notifications sent
        logging.getLogger("crawler").setLevel(logging.INFO)
    url = resolve_url(db_url)
    queue = None
    if broker_url:
        from crawler.monitor.queue import CrawlQueue, require_postgres

        require_postgres(url)
        queue = CrawlQueue(broker_url, config.cluster)
        queue.check()
    with Archive.open(url) as archive:
        daemon = Daemon(
            archive,
            config,
            [p for p in profiles if p.schedule],
            db_url=url,
            crawl_options={"profile_files": profile_files, "sites_dir": sites_dir},
            queue=queue,
        )
        code = daemon.serve()
    sys.exit(code)


def _control(db_url: str | None, config_path: str | None):
    from archive.store import Archive
    from crawler.config import load_config
    from crawler.monitor.jobstore import ScheduleControl

    config = load_config(config_path)
    archive = Archive.open(db_url, create=False)
    return archive, ScheduleControl(archive, config)


def _daemon_note(archive) -> str:
    from crawler.monitor.jobstore import daemon_status

    status = daemon_status(archive)
    if status is None or not status.alive:
        return "no scheduler is running: it takes effect when `opdcwatch schedule run` starts"
    return f"the running scheduler (pid {status.pid}) picks it up within seconds"


def _steered(archive, site: str, action: str, next_run=None) -> None:
    """Print what ``pause``, ``resume`` or ``run-now --json`` did, as JSON."""
    from crawler.monitor.jobstore import daemon_status

    status = daemon_status(archive)
    running = status is not None and status.alive
    result = {"site": site, "action": action, "scheduler_running": running}
    if action == "resumed":
        result["next_run"] = next_run.isoformat() if next_run else None
    print_json(result)


@schedule.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@db_option
@config_option
def list_(as_json: bool, db_url: str | None, config_path: str | None) -> None:
    """List scheduled sites: schedule, next run, last run and its outcome, health.

    \b
    Example:
      opdcwatch schedule list --db sqlite:///data/opdcwatch.db
    """
    from archive.store import Archive
    from crawler.config import load_config
    from crawler.monitor.jobstore import daemon_status, scheduled_sites

    config = load_config(config_path)
    with Archive.open(db_url, create=False) as archive:
        sites = scheduled_sites(archive, config)
        status = daemon_status(archive)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "daemon": None
                    if status is None
                    else {
                        "host": status.host,
                        "pid": status.pid,
                        "alive": status.alive,
                        "started_at": status.started_at.isoformat(),
                        "heartbeat_at": status.heartbeat_at.isoformat(),
                    },
                    "sites": [s.to_dict() for s in sites],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if status is not None and status.alive:
        click.echo(
            f"scheduler: running (pid {status.pid} on {status.host}, since "
            f"{_when(status.started_at)})"
        )
    else:
        click.echo("scheduler: not running")
    if not sites:
        click.echo("no scheduled site yet: start `opdcwatch schedule run`")
        return
    for site in sites:
        nxt = "paused" if site.paused else _when(site.next_run)
        if site.run_now_pending:
            nxt += " (run-now pending)"
        last = site.last_run
        last_text = (
            "never"
            if last is None
            else (
                f"{last['started_at'][:19]} {last['outcome'] or 'running'} "
                f"(pages {last['pages']}, new {last['new']}, changed {last['changed']}, "
                f"errors {last['errors']})"
            )
        )
        state = "ok" if not site.warnings else "UNHEALTHY"
        click.echo(
            f"{site.site}  [{site.schedule}]  next: {nxt}  last: {last_text}  health: {state}"
        )
        for warning in site.warnings:
            click.echo(f"    ! {warning.rule}: {warning.message}")


@schedule.command("pause")
@click.argument("name")
@db_option
@config_option
@json_option
def pause(name: str, db_url: str | None, config_path: str | None, as_json: bool) -> None:
    """Stop scheduling the site NAME (a crawl already running finishes).

    \b
    Example:
      opdcwatch schedule pause opdc-news
    """
    archive, control = _control(db_url, config_path)
    with archive, control:
        control.pause(name)
        if as_json:
            _steered(archive, name, "paused")
        else:
            click.echo(f"paused {name}; {_daemon_note(archive)}")


@schedule.command("resume")
@click.argument("name")
@db_option
@config_option
@json_option
def resume(name: str, db_url: str | None, config_path: str | None, as_json: bool) -> None:
    """Schedule the paused site NAME again.

    \b
    Example:
      opdcwatch schedule resume opdc-news
    """
    archive, control = _control(db_url, config_path)
    with archive, control:
        next_run = control.resume(name)
        if as_json:
            _steered(archive, name, "resumed", next_run)
        else:
            click.echo(f"resumed {name}, next run {_when(next_run)}; {_daemon_note(archive)}")


@schedule.command("run-now")
@click.argument("name")
@db_option
@config_option
@json_option
def run_now(name: str, db_url: str | None, config_path: str | None, as_json: bool) -> None:
    """Crawl the site NAME once, as soon as the scheduler polls (paused or not).

    \b
    Example:
      opdcwatch schedule run-now opdc-news
    """
    archive, control = _control(db_url, config_path)
    with archive, control:
        control.run_now(name)
        if as_json:
            _steered(archive, name, "queued")
        else:
            click.echo(f"queued a crawl of {name}; {_daemon_note(archive)}")
