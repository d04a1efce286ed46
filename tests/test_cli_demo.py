"""``opdcwatch demo``: the offline main job, run as a user would."""

from __future__ import annotations

from tests.cli_helpers import opdcwatch


def test_demo_crawls_twice_and_prints_the_thai_word_diff(tmp_path):
    proc = opdcwatch("demo", "--db", f"sqlite:///{tmp_path / 'demo.db'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "replica: pages" in out and "new 10, changed 0, unchanged 0" in out
    # the removals are reported truly: the deleted and the redirected article, with the date
    assert "new 1, changed 3, unchanged 5, gone 2, restored 0, errors 0 (ok)" in out
    removed = [line.split() for line in out.splitlines() if line.startswith("    removed ")]
    assert len(removed) == 2 and all(len(words[1]) == 11 for words in removed)  # "YYYY-MM-DD:"
    assert removed[0][-2:] == ["(HTTP", "404)"] and removed[1][-3:-1] == ["(redirected", "to"]
    assert "{+รุ่นใหม่ล่าสุด+}" in out  # the edited sentence, segmented into Thai words
    assert "{+(แก้ไข) +}" in out  # the new title
    assert "[-รับมอบมหมาย-]{+รับมอบหมาย+}" in out  # the quiet fix of an unlisted article
    assert out.count("diff article ") == 3
    assert (tmp_path / "demo.db").exists()


def test_demo_help_has_an_example():
    from click.testing import CliRunner

    from crawler.cli import cli

    result = CliRunner().invoke(cli, ["demo", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "opdcwatch demo" in result.output
