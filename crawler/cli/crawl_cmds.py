"""``opdcwatch crawl`` and ``opdcwatch sites``: the one-off crawl and the profile list."""

from __future__ import annotations

import click

from crawler.cli import EXIT_INTERRUPTED
from crawler.cli.common import db_option, json_option, print_json, with_profile_options


@click.command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@with_profile_options
@db_option
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Fetch at most N pages per site (overrides the profiles' max_pages).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the last crawl of these sites that was stopped (Ctrl-C, SIGTERM).",
)
@click.option(
    "-s",
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a Scrapy setting for this run, over the profile's [settings]; repeatable.",
)
@json_option
def crawl(names, profile_files, sites_dir, db_url, max_pages, resume, settings, as_json) -> None:
    """Crawl the named sites into the archive (no NAME: the profiles of --profile and
    --sites when given, else every bundled profile).

    Each article page is parsed and recorded as new, changed or unchanged; known articles are
    fetched again as the profile's revisit policy says, and one that answers 404/410 or
    redirects to the home page is recorded as gone (removed). Re-fetches send If-None-Match /
    If-Modified-Since so unchanged articles cost a 304. Pages a profile's [render] table names
    are rendered by Debian's Chromium when their HTML is not enough (opdcwatch[render]; exit 2
    when Chromium is missing). A progress line is shown on a
    terminal, and at the end a summary line per site with its removed and restored articles.
    Ctrl-C stops cleanly; run again with --resume to continue. Exit 0 when the crawl ran,
    1 with one line per site when a site's every start request failed (unreachable: DNS,
    refused, timeout, TLS), 130 when it was stopped. Scrapy's own log: -v.

    \b
    Example:
      opdcwatch crawl opdc-news --max-pages 50
      opdcwatch crawl mysite --profile mysite.toml --db data/test.db -s DOWNLOAD_DELAY=0
    """
    from archive import Archive
    from crawler.profiles import load_registry, select_profiles
    from crawler.runner import parse_setting_overrides, run_crawl

    registry = load_registry(profile_files, sites_dir)
    profiles = select_profiles(registry, names, user_only=bool(profile_files or sites_dir))
    overrides = parse_setting_overrides(settings)
    archive = Archive.open(db_url)
    summary = run_crawl(
        profiles, archive, db_url=db_url, max_pages=max_pages, resume=resume, overrides=overrides
    )
    if as_json:
        print_json(summary.to_dict())
    else:
        for line in summary.lines():
            click.echo(line)
    if summary.outcome == "interrupted":
        click.echo("opdcwatch: crawl stopped; run it again with --resume to continue", err=True)
        raise SystemExit(EXIT_INTERRUPTED)
    if summary.outcome == "failed":
        for problem in summary.problems():
            click.echo(f"opdcwatch: error: {problem}", err=True)
        raise SystemExit(1)


@click.command()
@with_profile_options
@click.option(
    "-l",
    "--long",
    "long_format",
    is_flag=True,
    help="Also show each profile's start sources, rendering, schedule and file.",
)
@json_option
def sites(profile_files, sites_dir, long_format, as_json) -> None:
    """List the site profiles a crawl can use: the bundled ones and yours.

    \b
    Example:
      opdcwatch sites
      opdcwatch sites --sites ~/opdcwatch-sites -l
    """
    from crawler.profiles import load_registry

    registry = load_registry(profile_files, sites_dir)
    if as_json:
        print_json([_profile_dict(registry[name]) for name in sorted(registry)])
        return
    width = max((len(name) for name in registry), default=0)
    for name in sorted(registry):
        profile = registry[name]
        origin = "bundled" if profile.bundled else "user"
        click.echo(f"{name:<{width}}  {origin:<7}  {profile.description}")
        if long_format:
            for label, values in (
                ("start", profile.start_urls),
                ("feeds", profile.feeds),
                ("sitemaps", profile.sitemaps),
            ):
                if values:
                    click.echo(f"{'':<{width}}    {label}: {' '.join(values)}")
            if profile.keywords:
                click.echo(f"{'':<{width}}    keywords: {', '.join(profile.keywords)}")
            if profile.render is not None:
                click.echo(f"{'':<{width}}    render: {profile.render.describe()}")
            click.echo(
                f"{'':<{width}}    schedule: {profile.schedule or '-'}, max_pages: "
                f"{profile.max_pages or '-'}, file: {profile.source}"
            )


def _profile_dict(profile) -> dict:
    """What ``sites --json`` prints of a profile: everything ``sites -l`` shows."""
    return {
        "name": profile.name,
        "origin": "bundled" if profile.bundled else "user",
        "description": profile.description,
        "start_urls": list(profile.start_urls),
        "feeds": list(profile.feeds),
        "sitemaps": list(profile.sitemaps),
        "allowed_domains": list(profile.allowed_domains),
        "keywords": list(profile.keywords),
        "schedule": profile.schedule,
        "max_pages": profile.max_pages,
        "render": profile.render.describe() if profile.render is not None else None,
        "file": profile.source,
    }
