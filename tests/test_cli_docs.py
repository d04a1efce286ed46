"""Every command is documented: listed in the README, with an example in its --help."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from crawler.cli import COMMANDS, cli
from tests.conftest import ROOT


def _all_commands() -> list[str]:
    found: list[str] = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, f"command {name!r} is registered but cannot be imported"
        if isinstance(command, click.Group):
            found.extend(f"{name} {sub}" for sub in command.commands)
        else:
            found.append(name)
    return found


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_is_in_the_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"opdcwatch {re.escape(name)}\b", readme), f"README lacks `opdcwatch {name}`"


def test_each_command_help_shows_an_example() -> None:
    missing = []
    for name in _all_commands():
        result = CliRunner().invoke(cli, [*name.split(), "--help"])
        assert result.exit_code == 0, (name, result.output)
        if "opdcwatch " + name.split()[0] not in result.output:
            missing.append(name)
    assert not missing, f"--help without an example invocation: {missing}"
