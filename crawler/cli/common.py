"""Options and helpers shared by several commands."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from archive import Archive

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

db_option = click.option(
    "--db",
    "db_url",
    envvar="OPDCWATCH_DB",
    default=None,
    metavar="URL",
    help="Archive database URL (default: sqlite under ./data/; env OPDCWATCH_DB). "
    "Example: postgresql+psycopg://user@127.0.0.1/opdcwatch",
)


def safe_text(text: str | None, *, one_line: bool = False) -> str:
    """Return scraped text fit for a terminal: no escape sequences or bidi overrides."""
    text = _CONTROL_RE.sub("\ufffd", text or "")
    return " ".join(text.split()) if one_line else text


def print_json(value: Any) -> None:
    """Print ``value`` as the JSON every ``--json`` option prints: UTF-8 Thai, indent 2."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def stream_json(rows: Iterable[Any], chunk: int = 500) -> None:
    """Print rows as one JSON array, byte for byte what :func:`print_json` prints for the
    list, but ``chunk`` rows at a time as they are read: 100,000 articles never sit in memory
    at once."""
    rows = iter(rows)
    opened = False
    while batch := list(islice(rows, chunk)):
        items = (json.dumps(row, ensure_ascii=False, indent=2) for row in batch)
        text = ",\n  ".join(item.replace("\n", "\n  ") for item in items)
        click.echo(("[\n  " if not opened else ",\n  ") + text, nl=False)
        opened = True
    click.echo("\n]" if opened else "[]")


def open_archive(db_url: str | None, *, create: bool = False) -> Archive:
    """Open the archive; read-only commands never create one (a typo is an error)."""
    from archive import Archive

    return Archive.open(db_url, create=create)
