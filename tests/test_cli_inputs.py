"""Every bad command-line value is one line, ``opdcwatch: error: …``, and exit 2, on both
databases; good values still work. The probes are the table in tests/input_probes.py."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from tests.archive_fixtures import postgres_database
from tests.cli_helpers import opdcwatch
from tests.input_probes import CLI_BAD, CLI_GOOD, INT64_PAST, YEAR_ZERO
from tests.web_helpers import build_web_archive


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def filled(request, tmp_path_factory):
    """The URL of an archive of the recorded corpus, and the id of its 3-version article."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('cli-inputs') / 'archive.db'}"
        yield url, build_web_archive(url)["v1"]
        return
    with postgres_database() as url:
        yield url, build_web_archive(url)["v1"]


def _run(args: list[str], filled) -> tuple[int, str, str]:
    url, article_id = filled
    args = [a.replace("{id}", str(article_id)) for a in args]
    result = CliRunner().invoke(cli, [*args, "--db", url])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception  # a bug, not refused input: show the traceback
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("args", "expected"), CLI_BAD, ids=[" ".join(a)[:40] for a, _ in CLI_BAD])
def test_a_bad_value_is_one_line_and_exit_2(filled, args, expected):
    code, out, err = _run(args, filled)
    assert code == 2, err
    assert err.startswith("opdcwatch: error: ") and err.count("\n") == 1, err
    assert expected in err and len(err) < 250  # a bad value is quoted cut short
    assert out == ""


@pytest.mark.parametrize("args", CLI_GOOD, ids=[" ".join(a)[:40] for a in CLI_GOOD])
def test_good_values_still_work(filled, args):
    code, out, err = _run(args, filled)
    assert code == 0, err
    assert out.strip()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show", INT64_PAST], "article id must be at most"),
        (["articles", "--changed-since", YEAR_ZERO], "out of range"),
    ],
)
def test_the_installed_script_refuses_them_before_opening_the_archive(tmp_path, args, expected):
    result = opdcwatch(*args, "--db", str(tmp_path / "none.db"))  # no archive there
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("opdcwatch: error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr
