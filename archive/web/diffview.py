"""Turn the archive's word-diff ops into what the diff page draws: inline and side by side.

The ops are the same JSON the command line prints (``archive.diff``); this module only lays
them out. Each piece is a ``(kind, text)`` pair with kind ``equal``, ``insert`` or ``delete``;
the templates escape the text and wrap insertions in ``<ins>`` and deletions in ``<del>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Piece = tuple[str, str]


@dataclass
class Row:
    """One row of the side-by-side view: the old text on the left, the new on the right.

    Rows break at newlines both versions share, so an edited paragraph sits beside the
    paragraph it replaced.
    """

    old: list[Piece] = field(default_factory=list)
    new: list[Piece] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True if either side holds an insertion or a deletion."""
        return any(kind != "equal" for kind, _ in self.old + self.new)


def inline_pieces(ops: Iterable[Mapping[str, Any]]) -> list[Piece]:
    """Return the inline view: equal text once, a replacement as a deletion then an insertion."""
    pieces: list[Piece] = []
    for op in ops:
        kind, old, new = op["op"], op.get("old") or "", op.get("new") or ""
        if kind == "equal":
            pieces.append(("equal", old or new))
            continue
        if old and kind in ("delete", "replace"):
            pieces.append(("delete", old))
        if new and kind in ("insert", "replace"):
            pieces.append(("insert", new))
    return pieces


def side_by_side_rows(ops: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Return the side-by-side view as rows aligned on the paragraph breaks both sides share."""
    rows = [Row()]
    for kind, text in inline_pieces(ops):
        if kind != "equal":
            side = rows[-1].old if kind == "delete" else rows[-1].new
            side.append((kind, text))
            continue
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if index:
                rows.append(Row())
            if line:
                rows[-1].old.append(("equal", line))
                rows[-1].new.append(("equal", line))
    return [row for row in rows if row.old or row.new]
