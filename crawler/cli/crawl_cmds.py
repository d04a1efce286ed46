"""``opdcwatch crawl`` and ``opdcwatch sites``: the one-off crawl and the profile list."""

from __future__ import annotations

import click

from crawler.cli.common import db_option, with_profile_options

EXIT_INTERRUPTED = 130  # the shell's convention for "stopped by a signal"


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
def crawl(names, profile_files, sites_dir, db_url, max_pages, resume, settings) -> None:
    """Crawl the named sites (default: every bundled and user profile) into the archive.

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
    profiles = select_profiles(registry, names)
    overrides = parse_setting_overrides(settings)
    archive = Archive.open(db_url)
    summary = run_crawl(
        profiles, archive, db_url=db_url, max_pages=max_pages, resume=resume, overrides=overrides
    )
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
def sites(profile_files, sites_dir, long_format) -> None:
    """List the site profiles a crawl can use: the bundled ones and yours.

    \b
    Example:
      opdcwatch sites
      opdcwatch sites --sites ~/opdcwatch-sites -l
    """
    from crawler.profiles import load_registry

    registry = load_registry(profile_files, sites_dir)
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
