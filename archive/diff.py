"""Word-level diffs between two versions of an article.

Thai has no spaces between words, so a character diff is unreadable and a whitespace diff
marks whole sentences. Paragraphs are matched first (most are untouched); in the changed
ones, the phrases between spaces (``parsers.segment.split_phrases``); only the changed
phrases are segmented with pythainlp (``parsers.segment.split_words``, the same tokens as
segmenting the whole paragraph) and diffed word by word. Below the paragraphs the matching
is rapidfuzz's ``Indel`` (a bit-parallel longest common subsequence, linear in practice):
difflib's matcher took 370 ms on one 3,000-word paragraph, segmenting it whole 300 ms more;
now such a paragraph diffs in a few milliseconds, with the same ops. Whitespace is kept, so
the concatenated "old" sides give back the old text exactly, and the "new" sides the new one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from typing import Any

from rapidfuzz.distance import Indel

from archive import queries
from archive.exceptions import VersionNotFoundError
from parsers.segment import is_word, split_phrases, split_words

OPS = ("equal", "insert", "delete", "replace")


@dataclass(frozen=True)
class DiffOp:
    """One run of the diff: ``old`` is "" for an insert, ``new`` is "" for a delete."""

    op: str
    old: str
    new: str

    def to_dict(self) -> dict[str, str]:
        return {"op": self.op, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Diff:
    """The difference between versions ``from_version`` and ``to_version`` of one article."""

    article_id: int
    url: str
    from_version: int
    to_version: int
    from_fetched_at: str | None
    to_fetched_at: str | None
    ops: list[DiffOp] = field(default_factory=list)

    @cached_property
    def words_added(self) -> int:
        return sum(_count_words(op.new) for op in self.ops if op.op in ("insert", "replace"))

    @cached_property
    def words_removed(self) -> int:
        return sum(_count_words(op.old) for op in self.ops if op.op in ("delete", "replace"))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: ``{"from": N, "to": M, "ops": [...]}`` plus context."""
        return {
            "from": self.from_version,
            "to": self.to_version,
            "ops": [op.to_dict() for op in self.ops],
            "article_id": self.article_id,
            "url": self.url,
            "from_fetched_at": self.from_fetched_at,
            "to_fetched_at": self.to_fetched_at,
            "words_added": self.words_added,
            "words_removed": self.words_removed,
        }


def _count_words(text: str) -> int:
    return sum(1 for token in split_words(text) if is_word(token)) if text else 0


def document(version: dict[str, Any]) -> str:
    """Return what a reader sees of a version: the title, a blank line, the body."""
    title = version.get("title") or ""
    return f"{title}\n\n{version['text']}" if title else version["text"]


def _merge(ops: list[DiffOp]) -> list[DiffOp]:
    """Join neighbouring ops so that a run of changes reads as one replacement."""
    merged: list[DiffOp] = []
    for op in ops:
        if not op.old and not op.new:
            continue
        same_kind = (merged[-1].op == "equal") == (op.op == "equal") if merged else False
        if same_kind:
            prev = merged[-1]
            old, new = prev.old + op.old, prev.new + op.new
            kind = (
                "equal"
                if op.op == "equal"
                else ("replace" if old and new else "insert" if new else "delete")
            )
            merged[-1] = DiffOp(kind, old, new)
        else:
            merged.append(op)
    return merged


def _runs(a: Sequence[str], b: Sequence[str]) -> Iterator[tuple[bool, int, int, int, int]]:
    """Yield ``(equal, i1, i2, j1, j2)``: the runs ``a`` and ``b`` share, and what lies between.

    rapidfuzz's Indel matching (a bit-parallel longest common subsequence) knows only
    insertions and deletions; a deletion next to an insertion is one changed run here. The
    pieces are numbered first, equal strings alike: rapidfuzz would otherwise compare them
    by hash, and two pieces must never be "equal" by a collision.
    """
    numbers: dict[str, int] = {}
    a_ids = [numbers.setdefault(piece, len(numbers)) for piece in a]
    b_ids = [numbers.setdefault(piece, len(numbers)) for piece in b]
    changed: list[int] | None = None
    for op in Indel.opcodes(a_ids, b_ids):
        if op.tag != "equal":
            if changed is None:
                changed = [op.src_start, op.src_end, op.dest_start, op.dest_end]
            else:
                changed[1], changed[3] = op.src_end, op.dest_end
            continue
        if changed is not None:
            yield (False, *changed)
            changed = None
        yield True, op.src_start, op.src_end, op.dest_start, op.dest_end
    if changed is not None:
        yield (False, *changed)


def _word_ops(old: str, new: str) -> list[DiffOp]:
    """Diff changed paragraphs: phrase by phrase, then word by word inside changed phrases."""
    a, b = split_phrases(old), split_phrases(new)
    ops: list[DiffOp] = []
    for equal, i1, i2, j1, j2 in _runs(a, b):
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if equal:
            ops.append(DiffOp("equal", old_part, new_part))
            continue
        words_a, words_b = split_words(old_part), split_words(new_part)
        for same, k1, k2, l1, l2 in _runs(words_a, words_b):
            gone, added = "".join(words_a[k1:k2]), "".join(words_b[l1:l2])
            kind = (
                "equal"
                if same
                else "replace"
                if gone and added
                else "insert"
                if added
                else "delete"
            )
            ops.append(DiffOp(kind, gone, added))
    return ops


def word_diff(old: str, new: str) -> list[DiffOp]:
    """Return the word-level ops turning ``old`` into ``new``, whitespace included."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "replace":
            ops.extend(_word_ops(old_part, new_part))
        else:
            ops.append(DiffOp(tag, old_part, new_part))
    return _merge(ops)


def diff_versions(
    source: queries.Source,
    id_or_url: str | int,
    *,
    from_version: int | None = None,
    to_version: int | None = None,
) -> Diff:
    """Diff two versions of an article; by default the last two."""
    with queries.connection(source) as conn:
        article_id = queries.resolve_article_id(conn, id_or_url)
        new = queries.get_version(conn, article_id, to_version)
        to_n = new["version"]
        if from_version is None and to_n < 2:
            raise VersionNotFoundError(
                f"article {article_id} has no version before version {to_n}: nothing to "
                "compare yet (see it with show)"
            )
        from_n = to_n - 1 if from_version is None else from_version
        old = queries.get_version(conn, article_id, from_n)
        url = queries.article_row(conn, article_id).url
    return Diff(
        article_id=article_id,
        url=url,
        from_version=from_n,
        to_version=to_n,
        from_fetched_at=old["fetched_at"],
        to_fetched_at=new["fetched_at"],
        ops=word_diff(document(old), document(new)),
    )
