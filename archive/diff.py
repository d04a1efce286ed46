"""Word-level diffs between two versions of an article.

Thai has no spaces between words, so a character diff is unreadable and a whitespace diff
marks whole sentences. Paragraphs are matched first (most are untouched). In a changed
paragraph, the runs of phrases both versions share (``parsers.segment.split_phrases``) are
found with rapidfuzz's ``Indel``, a bit-parallel longest common subsequence, linear in
practice; the long ones anchor the diff, and only the stretches between anchors are segmented
with pythainlp (``parsers.segment.split_words``) and diffed word by word with difflib.
difflib's matcher over one 3,000-word paragraph took 370 ms and segmenting it whole 300 ms
more; now such a paragraph diffs in a few milliseconds, with difflib's ops (its choices where
a common subsequence leaves them open are kept, see ``_to_anchors`` and ``_slid``).
Whitespace is kept, so the concatenated "old" sides give back the old text exactly, and the
"new" sides the new one.
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
# a run of phrases both versions share anchors the word diff when it is at least this long
MIN_ANCHOR_CHARS = 40


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


def merge_ops(ops: list[DiffOp]) -> list[DiffOp]:
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


def _shared_runs(a: Sequence[str], b: Sequence[str]) -> Iterator[tuple[int, int, int, int]]:
    """Yield ``(i1, i2, j1, j2)`` for each run of pieces ``a`` and ``b`` share, in order.

    rapidfuzz's Indel matching: a bit-parallel longest common subsequence, linear in practice.
    The pieces are numbered first, equal strings alike: rapidfuzz would otherwise compare them
    by hash, and two pieces must never be "equal" by a collision.
    """
    numbers: dict[str, int] = {}
    a_ids = [numbers.setdefault(piece, len(numbers)) for piece in a]
    b_ids = [numbers.setdefault(piece, len(numbers)) for piece in b]
    for op in Indel.opcodes(a_ids, b_ids):
        if op.tag == "equal":
            yield op.src_start, op.src_end, op.dest_start, op.dest_end


def _phrases(text: str) -> list[str]:
    """The phrases of ``text``, each with the spaces before it (a space alone matches nothing)."""
    phrases: list[str] = []
    spaces = ""
    for piece in split_phrases(text):
        if not piece.strip(" \t"):
            spaces = piece
            continue
        phrases.append(spaces + piece)
        spaces = ""
    if spaces:
        if phrases:
            phrases[-1] += spaces
        else:
            phrases.append(spaces)
    return phrases


def _difflib_words(a: list[str], b: list[str]) -> list[DiffOp]:
    """Word-level ops between two stretches' words: difflib's matcher, as it always was."""
    return [
        DiffOp(tag, "".join(a[i1:i2]), "".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    ]


def _longer(first: str, second: str) -> bool:
    """True when ``first`` has at least as many words and spaces as ``second``.

    Judged by characters when one is half as long again as the other, else by segmenting.
    """
    if len(first) >= 1.5 * len(second) or len(second) >= 1.5 * len(first):
        return len(first) >= len(second)
    return len(split_words(first)) >= len(split_words(second))


def _common(a: list[str], b: list[str], from_end: bool = False) -> int:
    """How many words ``a`` and ``b`` share at their start (or end)."""
    n = 0
    while n < min(len(a), len(b)) and (a[-1 - n] == b[-1 - n] if from_end else a[n] == b[n]):
        n += 1
    return n


def _slid(before: str, words: list[str], after: str) -> tuple[str, list[str], str]:
    """Place words added (or removed) between two anchors where difflib places them.

    "X เพิ่มวลี Y" from "X Y" reads as " เพิ่มวลี" added after "X" or as "เพิ่มวลี " after
    "X ": difflib's matcher takes the longer of the two unchanged blocks first (the earlier
    on a tie), and that block keeps the words both readings share. Returns the anchors and
    the change moved so; the old and new texts they make up are the same.
    """
    head, tail = split_words(after[:200]), split_words(before[-200:])
    right, left = _common(words, head), _common(words, tail, from_end=True)
    if not right and not left:
        return before, words, after
    to_right, to_left = "".join(words[:right]), "".join(words[len(words) - left :])
    if _longer(before + to_right, to_left + after):
        return before + to_right, words[right:] + head[:right], after[len(to_right) :]
    moved = tail[len(tail) - left :]
    return before[: len(before) - len(to_left)], moved + words[: len(words) - left], to_left + after


def _to_anchors(
    k: int, gone: list[str], added: list[str], anchors: list[str]
) -> tuple[list[str], list[str]]:
    """Give the words a changed stretch's two sides begin (end) with to the anchor before
    (after) it, as difflib's matcher does when it meets that anchor first, being longer than
    anything the stretch holds. Returns the stretch's words left; ``anchors`` is updated."""
    shorter = min("".join(gone), "".join(added), key=len)
    start = _common(gone, added)
    if start and k > 0 and _longer(anchors[k - 1], shorter):
        anchors[k - 1] += "".join(gone[:start])
        gone, added = gone[start:], added[start:]
    end = _common(gone, added, from_end=True)
    if end and k < len(anchors) and _longer(anchors[k], shorter):
        anchors[k] = "".join(gone[len(gone) - end :]) + anchors[k]
        gone, added = gone[: len(gone) - end], added[: len(added) - end]
    return gone, added


def _word_ops(old: str, new: str) -> list[DiffOp]:
    """Diff changed paragraphs: anchored on the long runs of phrases both share, word by word
    with difflib between the anchors.

    Shared runs shorter than MIN_ANCHOR_CHARS (a common word, "ก.พ.ร.") are left inside the
    change, where difflib's longest-block matching decides about them as it always did; only
    the stretches between anchors are segmented. Where difflib would have let an anchor take
    words at its edge, it takes them (see :func:`_to_anchors` and :func:`_slid`).
    """
    a, b = _phrases(old), _phrases(new)
    gaps: list[tuple[list[str], list[str]]] = []  # words of the stretches; anchors between
    anchors: list[str] = []
    i = j = 0
    for i1, i2, j1, j2 in _shared_runs(a, b):
        shared = "".join(a[i1:i2])
        if len(shared) >= MIN_ANCHOR_CHARS:
            gaps.append((split_words("".join(a[i:i1])), split_words("".join(b[j:j1]))))
            anchors.append(shared)
            i, j = i2, j2
    gaps.append((split_words("".join(a[i:])), split_words("".join(b[j:]))))
    for k, (gone, added) in enumerate(gaps):
        if gone and added:
            gone, added = _to_anchors(k, gone, added, anchors)
        if 0 < k < len(anchors) and bool(gone) != bool(added):
            anchors[k - 1], change, anchors[k] = _slid(anchors[k - 1], gone or added, anchors[k])
            gone, added = (change, []) if gone else ([], change)
        gaps[k] = (gone, added)
    ops: list[DiffOp] = []
    for k, (gone, added) in enumerate(gaps):
        ops += _difflib_words(gone, added)
        if k < len(anchors):
            ops.append(DiffOp("equal", anchors[k], anchors[k]))
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
    return merge_ops(ops)


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
