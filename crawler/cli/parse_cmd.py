"""``opdcwatch parse``: saved pages and text dumps to clean articles, one process for many."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from pathlib import Path

import click

from crawler.cli.common import with_profile_options
from parsers import Article, ParseOptions, parse_bytes
from parsers.constants import TERMINAL_UNSAFE_RE
from parsers.exceptions import InputFileError, OpdcwatchError

logger = logging.getLogger(__name__)

KIND_BY_SUFFIX = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text"}


def json_for_terminal(record: Mapping[str, object]) -> str:
    """Return ``record`` as one JSON line whose unsafe characters are ``\\uXXXX`` escapes.

    The data is unchanged (``json.loads`` gives the same text back), but a bidi override or a C1
    control inside a string can no longer reorder or drive the terminal that shows the line.
    """
    line = json.dumps(record, ensure_ascii=False)
    return TERMINAL_UNSAFE_RE.sub(lambda match: f"\\u{ord(match.group()):04x}", line)


def read_input(path: str) -> tuple[bytes, str | None]:
    """Return the bytes of PATH (``-`` is stdin) and the kind its suffix implies."""
    if path == "-":
        return sys.stdin.buffer.read(), None
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, not a page") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return data, KIND_BY_SUFFIX.get(file.suffix.lower())


def _options(
    site: str | None, url: str | None, profile_files: tuple[str, ...], sites_dir: str | None
) -> ParseOptions:
    """Return the options of the profile named ``site``, else of the one that holds ``url``."""
    if not (site or url):
        return ParseOptions()
    from crawler.profiles import load_registry, options_resolver, select_profiles

    registry = load_registry(profile_files, sites_dir)
    if site:
        return select_profiles(registry, [site])[0].parse_options
    return options_resolver(registry)("", url or "")


def render(article: Article) -> str:
    """Return the readable form: headline, dates, then paragraphs separated by blank lines."""
    lines = [article.title or "(no title)"]
    for label, value in (
        ("published", article.published),
        ("modified", article.modified),
        ("url", article.url),
    ):
        if value:
            lines.append(f"{label}: {value}")
    lines.append(f"content_hash: {article.content_hash}")
    lines.append("")
    lines.append("\n\n".join(article.text.split("\n")))
    return TERMINAL_UNSAFE_RE.sub("", "\n".join(lines))


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--url", default=None, metavar="URL", help="The page's address, kept in the output.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per PATH (JSON Lines).")
@click.option("--site", metavar="NAME", help="Parse with the selectors of this site profile.")
@with_profile_options
def parse(
    paths: tuple[str, ...],
    url: str | None,
    as_json: bool,
    site: str | None,
    profile_files: tuple[str, ...],
    sites_dir: str | None,
) -> None:
    """Print the article in saved pages or text dumps, boilerplate removed.

    PATH is an .html/.htm file, a .txt dump, or - for stdin; HTML or text is sniffed when the
    suffix does not say. With several PATHs and --json, one object per line, in order, each
    with a "path" field; a PATH that fails is reported on stderr and the others go on (exit 2).
    Pages are read as the crawler reads them: with the selectors of the site profile named by
    --site, else of the one whose domains hold --url.

    \b
    Examples:
      opdcwatch parse ../shared/seeds/000_ead1ab253e5448c1.txt
      opdcwatch parse --json --url https://www.opdc.go.th/content/1 page.html
      opdcwatch parse --site mysite --profile mysite.toml page.html
      cat page.html | opdcwatch parse --json -
    """
    options = _options(site, url, profile_files, sites_dir)
    failures: list[OpdcwatchError] = []
    for index, path in enumerate(paths):
        try:
            data, kind = read_input(path)
            article = parse_bytes(data, url=url, kind=kind, options=options)
        except OpdcwatchError as exc:
            if len(paths) == 1:
                raise
            failures.append(exc)
            click.echo(f"opdcwatch: error: {path}: {exc}", err=True)
            continue
        if as_json:
            record = {**article.to_dict(), "path": path}
            click.echo(json_for_terminal(record))
        else:
            if index:
                click.echo("\n" + "=" * 72 + "\n")
            click.echo(render(article))
    if failures:
        logger.info("%d of %d inputs failed", len(failures), len(paths))
        sys.exit(OpdcwatchError.exit_code)
