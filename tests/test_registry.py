"""The one registry helper: lookup and its error, descriptions, order, and the CLI built on it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from archive.diff_render import RENDERERS
from archive.exceptions import SchemaError, UnknownFormatError
from archive.export import EXPORTERS
from archive.migrations import MIGRATIONS
from archive.registry import Registry
from crawler.cli import cli
from crawler.monitor.health import HEALTH_RULES


def test_lookup_error_names_the_known_entries_sorted() -> None:
    colours: Registry[int] = Registry("colour", KeyError)
    colours.add("แดง", 1, "red")
    colours.add("blue", 2, "blue")
    assert colours.lookup("blue") == 2
    with pytest.raises(KeyError, match="unknown colour 'green': use one of blue, แดง"):
        colours.lookup("green")


def test_a_name_declared_twice_is_refused_and_the_first_kept() -> None:
    rules: Registry[object] = Registry("rule")

    @rules.entry("first")
    def one() -> None:
        """Checks one thing.

        More words that are not the description.
        """

    with pytest.raises(ValueError, match="rule 'first' is declared twice"):
        rules.entry("first")(lambda: None)
    assert rules["first"] is one
    assert rules.described() == [("first", "Checks one thing.")]


def test_migration_versions_are_registration_positions() -> None:
    names = list(MIGRATIONS)
    assert names[0] == "0001_initial_tables"
    assert [int(name[:4]) for name in names] == list(range(1, len(names) + 1))
    with pytest.raises(SchemaError, match="declared twice"):
        MIGRATIONS.entry(names[0])(lambda conn: None)


@pytest.mark.parametrize(
    ("registry", "error"),
    [(RENDERERS, UnknownFormatError), (EXPORTERS, UnknownFormatError), (HEALTH_RULES, ValueError)],
)
def test_every_registry_entry_has_a_one_line_description(registry: Registry, error: type) -> None:
    assert registry.described()
    for name, description in registry.described():
        assert description and "\n" not in description, name
    with pytest.raises(error, match=f"unknown {registry.kind} 'nope'"):
        registry.lookup("nope")


@pytest.mark.parametrize(
    ("command", "registry"),
    [("diff", RENDERERS), ("export", EXPORTERS), ("health", HEALTH_RULES)],
)
def test_help_lists_each_entry_with_its_description(command: str, registry: Registry) -> None:
    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name, description in registry.described():
        assert f"\n  {name} " in result.stdout, name  # one entry per line, then its description
        assert description in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["diff", "1", "--format", "pdf"],
            "unknown diff format 'pdf': use one of html, json, text",
        ),
        (["export", "--format", "xml"], "unknown export format 'xml': use one of csv, jsonl, warc"),
    ],
)
def test_a_bad_format_is_one_line_before_the_archive_is_opened(
    tmp_path, args: list[str], message: str
) -> None:
    db = tmp_path / "never-created.db"
    result = CliRunner().invoke(cli, [*args, "--db", f"sqlite:///{db}"])
    assert result.exit_code == 2
    assert result.stderr == f"opdcwatch: error: {message}\n"
    assert not db.exists()
