"""Archive commands: ingest, import-warc, articles, show, diff and export.

Thin wrappers: each opens the archive, calls one library function and prints. Scraped text is
printed with control characters neutralised, so a page cannot drive the user's terminal.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click

from crawler.cli.choices import RegistryChoice, RegistryCommand
from crawler.cli.common import (
    db_option,
    json_option,
    open_archive,
    options_resolver,
    print_json,
    safe_text,
    stream_json,
    with_profile_options,
)
from crawler.cli.params import ARTICLE, POSITIVE, SITE, TIMESTAMP


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The URL the page was fetched from.")
@click.option(
    "--fetched-at",
    "fetched_at",
    type=TIMESTAMP,
    metavar="ISO",
    help="When it was fetched (default now).",
)
@click.option(
    "--site", type=SITE, help="Site name to file a new article under (default: the URL's host)."
)
@with_profile_options
@db_option
@json_option
def ingest(
    file: Path,
    url: str,
    fetched_at: datetime | None,
    site: str | None,
    profile_files: tuple[str, ...],
    sites_dir: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Archive a saved page FILE as if it had just been fetched from URL.

    The page is parsed as the crawler would parse it: with the selectors of the site profile
    it belongs to (the one named like its site, else the one whose domains hold URL).

    \b
    Example:
      opdcwatch ingest saved/news-1234.html --url https://www.opdc.go.th/content/1234 \\
          --fetched-at 2024-11-23T09:30:00+07:00
    """
    from archive.exceptions import InvalidInputError

    try:
        body = file.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {file}: {exc.strerror or exc}") from exc
    resolver = options_resolver(profile_files, sites_dir)
    with open_archive(db_url, create=True, options_for=resolver) as arch:
        result = arch.record_page(
            url=url, status=200, headers={}, body=body, site=site, fetched_at=fetched_at
        )
    if as_json:
        print_json({"url": url, **asdict(result)})
        return
    line = f"{result.outcome}: article {result.article_id} version {result.version}"
    if result.revert_of:
        line += f" (back to the content of version {result.revert_of})"
    if result.rebaselined:
        line += " (re-baselined: read anew by this opdcwatch, the stored version is the same)"
    click.echo(f"{line}  {url}")


@click.command("import-warc")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--site", type=SITE, help="Site name to file new articles under (default: each URL's host)."
)
@with_profile_options
@db_option
@json_option
def import_warc(
    file: Path,
    site: str | None,
    profile_files: tuple[str, ...],
    sites_dir: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Import the HTML responses of a WARC file, each as a capture at its WARC date.

    Safe to run again: records already in the archive add nothing. Pages are parsed with
    the selectors of the site profile they belong to, as in ``ingest``.

    \b
    Example:
      opdcwatch import-warc crawl-2024-11.warc.gz --db sqlite:///data/opdcwatch.db
    """
    from archive.warc_import import check_warc_file
    from archive.warc_import import import_warc as run_import

    check_warc_file(file)  # before the archive is opened (or made) for nothing
    resolver = options_resolver(profile_files, sites_dir)
    with open_archive(db_url, create=True, options_for=resolver) as arch:
        report = run_import(arch, file, site=site)
    if as_json:
        print_json({"file": str(file), **report.to_dict()})
        return
    for error in report.errors:
        click.echo(f"opdcwatch: warning: {safe_text(error, one_line=True)}", err=True)
    click.echo(f"{file}: {report.summary()}")


@click.command()
@click.option("--site", type=SITE, help="Only articles of this site.")
@click.option(
    "--changed-since",
    "changed_since",
    type=TIMESTAMP,
    metavar="DATE",
    help="Only articles changed since.",
)
@click.option("--limit", type=POSITIVE, help="At most this many articles.")
@click.option(
    "--gone",
    is_flag=True,
    help="Only articles removed from their site (404, 410, redirected to the home page), "
    "the most recently removed first, with the date.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def articles(
    site: str | None,
    changed_since: datetime | None,
    limit: int | None,
    gone: bool,
    as_json: bool,
    db_url: str | None,
) -> None:
    """List archived articles, the most recently changed first.

    A removed article is never deleted: it is marked [gone] with its date, and --gone lists
    only those.

    \b
    Example:
      opdcwatch articles --site opdc --changed-since 2024-11-01 --json
      opdcwatch articles --gone
    """
    from archive import queries

    with open_archive(db_url) as arch:
        if site is not None:
            queries.check_site(arch, site)
        rows = queries.iter_articles(
            arch, site=site, changed_since=changed_since, limit=limit, gone=True if gone else None
        )
        if as_json:
            stream_json(rows)
            return
        width = max(map(len, [site] if site else queries.site_names(arch)), default=4)
        shown = 0
        for row in rows:
            if not shown:
                when = "gone" if gone else "last changed"
                click.echo(f"{'id':>6}  {'site':<{width}}  ver  {when:<16}  title  url")
            stamp = row["gone_at"][:10] if gone else row["last_changed"][:16].replace("T", " ")
            click.echo(
                f"{row['id']:>6}  {row['site']:<{width}}  v{row['versions']:<3} {stamp:<16}  "
                f"{safe_text(row['title'], one_line=True) or '(no title)'}  {row['url']}"
                + (f"  [gone {row['gone_at'][:10]}]" if row["gone_at"] and not gone else "")
            )
            shown += 1
    if not shown:
        what = "no article is gone" if gone else "no article"
        period = " in this period" if changed_since else ""
        click.echo(what + (f" on {site}" if site else "") + period)


@click.command()
@click.argument("id_or_url", type=ARTICLE)
@click.option("--version", "version", type=POSITIVE, help="Version number (default the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
def show(id_or_url: int | str, version: int | None, as_json: bool, db_url: str | None) -> None:
    """Show one version of an article (by id or URL), and where else it appears.

    \b
    Example:
      opdcwatch show 12 --version 1
      opdcwatch show https://www.opdc.go.th/content/1234 --json
    """
    from archive import queries

    with open_archive(db_url) as arch:
        art = queries.get_article(arch, id_or_url, version=version)
    if as_json:
        print_json(art)
        return
    click.echo(safe_text(art["title"], one_line=True) or "(no title)")
    click.echo(art["url"])
    details = f"version {art['version']} of {art['versions']}, fetched {art['fetched_at']}"
    if art["published"]:
        details = f"published {safe_text(art['published'], one_line=True)}; {details}"
    if art["revert_of"]:
        details += f" (same content as version {art['revert_of']})"
    click.echo(details)
    if art["gone_at"]:
        click.echo(f"gone since {art['gone_at']}")
    for other in art["also_at"]:
        click.echo(f"also at {other}")
    click.echo("")
    click.echo(safe_text(art["text"]))


@click.command(
    cls=RegistryCommand, registry="archive.diff_render:RENDERERS", registry_title="Formats"
)
@click.argument("id_or_url", type=ARTICLE)
@click.option(
    "--from", "from_version", type=POSITIVE, help="Older version (default: the one before --to)."
)
@click.option("--to", "to_version", type=POSITIVE, help="Newer version (default: the latest).")
@click.option(
    "--format",
    "fmt",
    type=RegistryChoice("archive.diff_render:RENDERERS"),
    default="text",
    show_default=True,
    help="The output format (listed below).",
)
@click.option(
    "--context",
    type=click.IntRange(min=0, max=10_000),
    default=1,
    show_default=True,
    metavar="N",
    help="Unchanged paragraphs shown around each changed one (text, html).",
)
@click.option("--full", is_flag=True, help="The whole article with the changes marked.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text diff; auto: on a terminal, unless NO_COLOR is set.",
)
@db_option
def diff(
    id_or_url: int | str,
    from_version: int | None,
    to_version: int | None,
    fmt: str,
    context: int,
    full: bool,
    color: str,
    db_url: str | None,
) -> None:
    """Show what changed between two versions of an article, word by word.

    Thai is segmented into words with pythainlp; text marks [-removed-] and {+added+} (in red
    and green on a terminal). By default only the changed paragraphs, with --context around
    them; --full shows the whole article.

    \b
    Example:
      opdcwatch diff 12
      opdcwatch diff 12 --context 0 --color never
      opdcwatch diff https://www.opdc.go.th/content/1234 --from 1 --to 3 --format html > d.html
    """
    from archive.diff import diff_versions
    from archive.diff_render import RenderOptions, render

    options = RenderOptions(context=None if full else context, color=use_color(color))
    with open_archive(db_url) as arch:
        result = diff_versions(arch, id_or_url, from_version=from_version, to_version=to_version)
    click.echo(render(result, fmt, options), nl=False, color=options.color)


def use_color(choice: str) -> bool:
    """``--color``: always, never, or auto (stdout is a terminal and NO_COLOR is unset)."""
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.command(cls=RegistryCommand, registry="archive.export:EXPORTERS", registry_title="Formats")
@click.option(
    "--format",
    "fmt",
    type=RegistryChoice("archive.export:EXPORTERS"),
    required=True,
    help="The export format (listed below).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default standard output); .warc.gz writes gzipped WARC.",
)
@db_option
def export(fmt: str, out: Path | None, db_url: str | None) -> None:
    """Export every version (jsonl, csv) or every fetch (warc: warcinfo, responses, revisits).

    \b
    Example:
      opdcwatch export --format jsonl --out versions.jsonl
      opdcwatch export --format warc --out archive.warc.gz
    """
    from archive.exceptions import InvalidInputError
    from archive.export import export as run_export

    with open_archive(db_url) as arch:
        if out is None:
            count = run_export(arch, fmt, sys.stdout.buffer)
            sys.stdout.flush()
            return
        partial = out.with_name(out.name + ".partial")  # never a half-written export
        try:
            with partial.open("wb") as stream:
                count = run_export(arch, fmt, stream, str(out))
            partial.replace(out)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise InvalidInputError(f"cannot write {out}: {exc.strerror or exc}") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    click.echo(f"wrote {count} {fmt} records to {out}", err=True)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def backup(file: Path, db_url: str | None) -> None:
    """Copy the archive to FILE, consistently, while it is in use.

    SQLite: the online backup API, FILE is an SQLite database. PostgreSQL: pg_dump's custom
    format (restore with pg_restore); pg_dump must be on PATH.

    \b
    Example:
      opdcwatch backup backups/opdcwatch-2026-12-06.db
      opdcwatch backup archive.dump --db postgresql+psycopg://postgres@127.0.0.1/opdcwatch
    """
    from archive.backup import backup as run_backup

    with open_archive(db_url) as arch:
        how = run_backup(arch, file)
    size = file.stat().st_size
    click.echo(f"wrote {file} ({size} bytes, {'SQLite' if how == 'sqlite' else 'pg_dump'})")
