"""Word-diff benchmark: ``archive.diff.word_diff`` against the difflib diff it replaced.

Run by hand: ``.venv/bin/python bench/diff.py [--runs 5]``. The demo's five seed articles
(``crawler/demo/data``) make one 3,000-word article, edited in 5 places (text inserted inside
a word, a word replaced, a syllable cut); it is diffed as paragraphs and as one paragraph
(a page whose paragraphs are ``<br>``-less ``<span>`` runs gives that). The baseline, in the
same run, is the algorithm before rapidfuzz: difflib's matcher over the lines, then over
newmm's tokens of every changed paragraph whole. Printed: median milliseconds of each, the
ratio, and whether both gave the same ops (goal: < 50 ms for the one paragraph, same ops).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from pythainlp.tokenize import word_tokenize  # noqa: E402

from archive.diff import DiffOp, merge_ops, word_diff  # noqa: E402
from crawler.demo.site import SEED_FILES, load_seed  # noqa: E402
from parsers.segment import phrase_tokens  # noqa: E402


def difflib_word_diff(old: str, new: str) -> list[DiffOp]:
    """The baseline: word_diff as it was before rapidfuzz and phrase-by-phrase segmenting."""
    ops: list[DiffOp] = []
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old_part, new_part = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag != "replace":
            ops.append(DiffOp(tag, old_part, new_part))
            continue
        words_a = word_tokenize(old_part, engine="newmm", keep_whitespace=True)
        words_b = word_tokenize(new_part, engine="newmm", keep_whitespace=True)
        matcher = SequenceMatcher(None, words_a, words_b, autojunk=False)
        ops += [
            DiffOp(t, "".join(words_a[k1:k2]), "".join(words_b[l1:l2]))
            for t, k1, k2, l1, l2 in matcher.get_opcodes()
        ]
    return merge_ops(ops)


def edited(text: str, seed: int = 5, edits: int = 5) -> str:
    rnd = random.Random(seed)
    words = text.split(" ")
    for k in range(edits):
        i = rnd.randrange(len(words))
        word = words[i]
        words[i] = (
            word[: len(word) // 2] + "แก้ไขใหม่" + word[len(word) // 2 :],
            "ข้อความใหม่",
            word.replace("การ", "", 1),
        )[k % 3]
    return " ".join(words)


def median_ms(work: Callable[[], object], runs: int) -> float:
    """Median wall time of ``work``, each run with the phrase segmentation cache emptied."""
    times = []
    for _ in range(runs):
        phrase_tokens.cache_clear()
        started = time.perf_counter()
        work()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    paragraphs = [p for name in SEED_FILES for p in load_seed(name).paragraphs]
    word_diff("ก", "ข")  # load the dictionaries before timing
    difflib_word_diff("ก", "ข")
    for label, joiner in (("paragraphs", "\n"), ("one paragraph", " ")):
        old = joiner.join(paragraphs)
        new = edited(old)
        words = len(word_tokenize(old, engine="newmm", keep_whitespace=False))
        ours = median_ms(lambda old=old, new=new: word_diff(old, new), args.runs)
        base = median_ms(lambda old=old, new=new: difflib_word_diff(old, new), args.runs)
        same = word_diff(old, new) == difflib_word_diff(old, new)
        print(
            f"{label:>13}, {words:,} words, 5 edits: word_diff {ours:6.1f} ms, difflib baseline"
            f" {base:7.1f} ms ({base / ours:.0f}x); same ops: {'yes' if same else 'NO'}"
        )
    print("goal: one paragraph < 50 ms with the same ops")


if __name__ == "__main__":
    main()
