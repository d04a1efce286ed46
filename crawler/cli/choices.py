"""Command-line choices and ``--help`` lists built from the archive's and monitor's registries.

A registry is named by ``"module:NAME"`` and imported only when an option's value is checked
or help is shown, so naming it on a command costs nothing at start-up (``opdcwatch show``
must not import the diff renderers).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from archive.registry import Registry


def load_registry(target: str) -> Registry[Any]:
    """Return the registry at ``"module:NAME"``."""
    from archive.registry import Registry  # here: importing archive opens SQLAlchemy

    module, _, name = target.partition(":")
    registry = getattr(importlib.import_module(module), name)
    if not isinstance(registry, Registry):
        raise TypeError(f"{target} is not a Registry")
    return registry


class RegistryChoice(click.Choice):
    """A :class:`click.Choice` of a registry's names; a bad name is the registry's one-line error.

    The error (an ``OpdcwatchError`` for formats) reaches the user as ``opdcwatch: error: …``,
    exit 2, like every other bad input, rather than Click's usage block.
    """

    def __init__(self, target: str) -> None:  # no super().__init__: the names load lazily
        self.target = target
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(load_registry(self.target))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        load_registry(self.target).lookup(value)
        return value


class RegistryCommand(click.Command):
    """A command whose ``--help`` ends with a registry's entries, one line each.

    ``@click.command(cls=RegistryCommand, registry="archive.export:EXPORTERS",
    registry_title="Formats")``.
    """

    def __init__(self, *args: Any, registry: str, registry_title: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registry = registry
        self.registry_title = registry_title

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        with formatter.section(self.registry_title):
            formatter.write_dl(load_registry(self.registry).described())
