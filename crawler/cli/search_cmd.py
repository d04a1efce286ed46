"""``opdcwatch search``: the web page's search on the command line, same results, same order."""

from __future__ import annotations

from itertools import islice

import click

from crawler.cli.common import db_option, open_archive, safe_text, stream_json

RESULTS_PER_READ = 100  # results turned into rows at once while printing


@click.command()
@click.argument("query")
@click.option("--site", metavar="S", help="Only articles of this site.")
@click.option(
    "--since",
    metavar="DATE",
    help="Only articles changed since DATE (ISO 8601; Buddhist-era years are converted).",
)
@click.option("--changed", is_flag=True, help="Only articles with more than one version.")
@click.option(
    "--gone", is_flag=True, help="Only articles removed from their site, as articles --gone."
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many results.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, as /api/articles?q= does.")
@db_option
def search(
    query: str,
    site: str | None,
    since: str | None,
    changed: bool,
    gone: bool,
    limit: int | None,
    as_json: bool,
    db_url: str | None,
) -> None:
    """Find the articles any version of which holds QUERY, in Thai or English.

    Several words mean all of them; "a phrase in quotes" means the phrase as written. A Thai
    word is found on its own or inside a compound ("สาธารณะ" in "บริการสาธารณะ"). Articles
    whose title holds the query come first, then the most recently changed: the same results,
    in the same order, as the web page and /api/articles?q=.

    \b
    Example:
      opdcwatch search สาธารณะ --site opdc-news --since 2024-11-01
      opdcwatch search '"บริการสาธารณะ" ท้องถิ่น' --json
    """
    from archive.exceptions import InvalidInputError
    from archive.inputs import parse_timestamp
    from archive.queries import check_site
    from archive.search import Filters, SearchIndex, iter_search, result_rows
    from archive.search_terms import parse_query

    parsed = parse_query(query)
    if not parsed:
        raise InvalidInputError(f"the query {query[:60]!r} holds no word to search for")
    moment = parse_timestamp(since) if since else None
    filters = Filters(site, moment, 2 if changed else 1, True if gone else None)
    with open_archive(db_url) as arch:
        if site is not None:
            check_site(arch, site)
        index = SearchIndex(arch.engine)
        index.refresh()  # the page indexes what is new before it answers; so does this
        with arch.reading() as conn:
            hits = islice(iter_search(index, conn, parsed, filters), limit)
            rows = _rows(arch, hits, result_rows)
            if as_json:
                stream_json(rows)
                return
            for row in rows:
                _print(row)


def _rows(arch, hits, result_rows):
    """Yield result rows a few at a time, as the ranking produces the hits."""
    while chunk := list(islice(hits, RESULTS_PER_READ)):
        yield from result_rows(arch, chunk)


def _print(row: dict) -> None:
    click.echo(
        f"{row['id']:>6}  v{row['versions']:<3} {row['last_changed'][:16]}  "
        f"{safe_text(row['title'], one_line=True)}  {row['url']}"
        + (f"  [gone {row['gone_at'][:10]}]" if row["gone_at"] else "")
    )
    excerpt = row["match"]["excerpt"]
    if excerpt:
        before, match, after = (safe_text(part, one_line=True) for part in excerpt)
        click.echo(f"        {before}{click.style(match, bold=True)}{after}")
