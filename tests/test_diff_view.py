"""``opdcwatch diff``: the changed paragraphs with context by default, the whole article with
``--full``, colour only when asked or on a terminal without NO_COLOR."""

from __future__ import annotations

import io
import json

import pytest

from archive.diff import Diff, word_diff
from archive.diff_render import RenderOptions, changed_words, hunks, render
from crawler.cli.archive_cmds import use_color
from crawler.demo.site import load_seed
from tests.test_cli_archive import filled, run  # noqa: F401 (the fixture)

TITLE = "สำนักงาน ก.พ.ร. ยกระดับมาตรฐานการให้บริการสู่ความเป็นเลิศ"
EDIT = "มีราคาถูกลง[-ถึง-]{+กว่า+} [-๗๐-]{+๕๐+} เท่า"
RED, GREEN = "\x1b[31m", "\x1b[32m"


def _seed_diff() -> Diff:
    """A real 3,000-character Thai release, one word changed in its 2nd and its last paragraph."""
    seed = load_seed("seed-002.txt")
    old = [seed.title, *seed.paragraphs]
    new = list(old)
    assert len(old) >= 6
    new[2] = new[2].replace("ก.พ.ร.", "สำนักงาน ก.พ.ร.", 1)
    new[-1] = new[-1] + " (แก้ไขเพิ่มเติม)"
    assert new[2] != old[2]
    return Diff(1, "https://www.opdc.go.th/content/1", 1, 2, None, None,
                word_diff("\n".join(old), "\n".join(new)))  # fmt: skip


def test_hunks_hold_each_change_with_its_context_and_merge_when_they_touch() -> None:
    diff = _seed_diff()
    total = len(hunks(diff, None)[0].paragraphs)
    assert [(h.first, h.last) for h in hunks(diff, 1)] == [(1, 3), (total - 2, total - 1)]
    assert [(h.first, h.last) for h in hunks(diff, 0)] == [(2, 2), (total - 1, total - 1)]
    assert len(hunks(diff, total)) == 1
    text = render(diff, "text")
    assert text.count("@@ ") == 2 and f"@@ paragraphs 2-4 of {total} @@" in text
    assert "{+ สำนักงาน+}" in text and "{+ (แก้ไขเพิ่มเติม)+}" in text


def test_full_is_the_whole_text_and_joins_back_to_the_new_version() -> None:
    diff = _seed_diff()
    full = render(diff, "text", RenderOptions(context=None))
    assert "@@" not in full
    body = full.split("\n", 3)[3].rsplit("\n", 2)[0]
    new = "".join(op.new for op in diff.ops)
    assert body.replace("{+", "").replace("+}", "") == new


def test_changed_words_are_the_insertions_and_deletions() -> None:
    removed, added = changed_words(_seed_diff())
    assert removed == "" and added == "สำนักงาน … (แก้ไขเพิ่มเติม)"


def test_cli_default_is_the_changed_paragraph_with_one_around(filled: str) -> None:  # noqa: F811
    code, out, _ = run(["diff", "1", "--from", "1", "--to", "2"], filled)
    assert code == 0 and EDIT in out
    assert TITLE not in out and "@@ paragraphs 5-7 of 7 @@" in out
    assert RED not in out  # not a terminal
    _, zero, _ = run(["diff", "1", "--from", "1", "--to", "2", "--context", "0"], filled)
    assert "@@ paragraph 6 of 7 @@" in zero and zero.count("\n") == 6
    _, full, _ = run(["diff", "1", "--from", "1", "--to", "2", "--full"], filled)
    assert TITLE in full and EDIT in full and "@@" not in full


def test_cli_colour(filled: str) -> None:  # noqa: F811
    _, out, _ = run(["diff", "1", "--from", "1", "--to", "2", "--color", "always"], filled)
    assert f"{RED}ถึง\x1b[0m{GREEN}กว่า\x1b[0m" in out and "[-" not in out
    _, never, _ = run(["diff", "1", "--from", "1", "--to", "2", "--color", "never"], filled)
    assert "\x1b" not in never and EDIT in never
    _, html, _ = run(["diff", "1", "--from", "1", "--to", "2", "--format", "html"], filled)
    assert "<del>ถึง</del><ins>กว่า</ins>" in html and "paragraphs 5-7 of 7" in html
    _, data, _ = run(["diff", "1", "--format", "json", "--color", "always"], filled)
    assert "\x1b" not in data and json.loads(data)["ops"]
    code, _, _ = run(["diff", "1", "--color", "sometimes"], filled)
    assert code == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("choice", "tty", "no_color", "expected"),
    [
        ("auto", True, None, True),
        ("auto", True, "1", False),
        ("auto", False, None, False),
        ("always", False, "1", True),
        ("never", True, None, False),
    ],
)
def test_auto_colour_is_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch, choice: str, tty: bool, no_color: str | None, expected: bool
) -> None:
    monkeypatch.setattr("sys.stdout", _Terminal() if tty else io.StringIO())
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert use_color(choice) is expected
