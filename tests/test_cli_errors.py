"""The command line's error boundary: every error is one ``opdcwatch: error: …`` line and
exit 2, click's usage errors included; Ctrl-C is one line and exit 130 in every command."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess

import pytest

from tests.cli_helpers import OPDCWATCH, child_env, opdcwatch

THAI_PAGE = "archive/opdc_v1.html"  # a saved OPDC article: HTML, not a WARC


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["crawl", "--bogus"],
            "opdcwatch: error: No such option '--bogus' (see 'opdcwatch crawl --help')",
        ),
        (["nope"], "opdcwatch: error: No such command 'nope' (see 'opdcwatch --help')"),
        (
            ["ingest", "page.html"],
            "opdcwatch: error: Missing option '--url' (see 'opdcwatch ingest --help')",
        ),
        (
            ["articles", "--limit", "0"],
            "opdcwatch: error: Invalid value for '--limit': 0 is not in the range x>=1 "
            "(see 'opdcwatch articles --help')",
        ),
        (
            ["schedule", "pause"],
            "opdcwatch: error: Missing argument 'NAME' (see 'opdcwatch schedule pause --help')",
        ),
        (["crawl", "--max-pages"], "opdcwatch: error: Option '--max-pages' requires an argument."),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(tmp_path, args, line):
    proc = opdcwatch(*args, cwd=tmp_path, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr == line + "\n"
    assert proc.stdout == ""


def test_a_group_without_a_command_prints_its_help(tmp_path):
    proc = opdcwatch("schedule", cwd=tmp_path, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: opdcwatch schedule [OPTIONS] COMMAND")


def test_ctrl_c_in_the_demo_is_one_line_and_exit_130(tmp_path):
    proc = subprocess.Popen(
        [str(OPDCWATCH), "demo"],
        cwd=tmp_path,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        while "crawl 1:" not in (line := proc.stdout.readline()):
            assert line, proc.stderr.read()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert err == "opdcwatch: interrupted\n"


def test_import_warc_of_a_page_that_is_not_a_warc_is_one_line(tmp_path, fixtures_dir):
    page = fixtures_dir / THAI_PAGE
    zipped = tmp_path / "page.warc.gz"
    zipped.write_bytes(gzip.compress(page.read_bytes()))
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    db = str(tmp_path / "archive.db")
    expected = "is not a WARC file (a WARC starts with 'WARC/', an ARC with 'filedesc://'"
    for path, message in ((page, expected), (zipped, expected), (empty, "is empty")):
        proc = opdcwatch("import-warc", str(path), "--db", db, cwd=tmp_path, timeout=60)
        assert proc.returncode == 2, proc.stdout
        assert proc.stderr.startswith(f"opdcwatch: error: {path} {message}")
        assert proc.stderr.count("\n") == 1 and proc.stdout == ""  # no warcio warnings
    assert not (tmp_path / "archive.db").exists()  # refused before an archive was made


def test_import_warc_of_a_damaged_record_is_one_line(tmp_path, fixtures_dir):
    broken = fixtures_dir / "archive" / "damaged-no-uri.warc"
    proc = opdcwatch("import-warc", str(broken), "--db", str(tmp_path / "a.db"), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"opdcwatch: error: {broken} is not a WARC file: unreadable record (AttributeError)\n"
    )
