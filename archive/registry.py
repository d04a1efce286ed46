"""Named registries of the parts a user or a release chooses: one lookup, one error text.

Diff renderers, export formats, migrations and health rules are each a :class:`Registry`:
entries register under a short name with a one-line description (the first line of their
docstring), keep their registration order (a migration's version is its position), and an
unknown name is one clear error that lists the known ones. The command line builds its
choices and its ``--help`` lists from the same registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def first_line(doc: str | None) -> str:
    """Return the first line of a docstring, stripped ("" for none)."""
    lines = (doc or "").strip().splitlines()
    return lines[0].strip() if lines else ""


class Registry(dict[str, T]):
    """Entries by name, in registration order, each with a one-line description.

    A dict, so ``name in registry``, iteration and ``len`` read as usual; register through
    :meth:`entry` (or :meth:`add`) so a name taken twice is refused.
    """

    def __init__(self, kind: str, error: type[Exception] = ValueError) -> None:
        super().__init__()
        self.kind = kind  # what an entry is, in messages: "diff format", "health rule"
        self.error = error
        self.descriptions: dict[str, str] = {}

    def add(self, name: str, entry: T, description: str) -> None:
        """Register ``entry`` under ``name``; a name declared twice raises the registry's error."""
        if name in self:
            raise self.error(f"{self.kind} {name!r} is declared twice")
        self[name] = entry
        self.descriptions[name] = description

    def entry(self, name: str, description: str | None = None) -> Callable[[T], T]:
        """Decorator: register the function under ``name``, described by its docstring."""

        def register(func: T) -> T:
            self.add(name, func, description or first_line(func.__doc__) or name)
            return func

        return register

    def lookup(self, name: str) -> T:
        """Return the entry named ``name``; an unknown name raises the error listing the known."""
        try:
            return self[name]
        except KeyError:
            known = ", ".join(sorted(self))
            raise self.error(f"unknown {self.kind} {name!r}: use one of {known}") from None

    def described(self) -> list[tuple[str, str]]:
        """Return (name, one-line description) of every entry, in registration order."""
        return [(name, self.descriptions.get(name, "")) for name in self]
