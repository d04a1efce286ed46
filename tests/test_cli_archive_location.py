"""Which archive a command uses: found the same way from any folder (``--db``,
``$OPDCWATCH_DB``, the config file, ``./data/opdcwatch.db``, the user's data folder), with a
note on stderr when the user did not name it."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.archive_helpers import ARCHIVE_FIXTURES, ARTICLE_URL
from tests.cli_helpers import opdcwatch

PAGE = str(ARCHIVE_FIXTURES / "opdc_v1.html")


@pytest.fixture
def home(tmp_path):
    """Two working folders and user folders of this test's own."""
    for name in ("one", "two", "share", "config"):
        (tmp_path / name).mkdir()
    env = {"XDG_DATA_HOME": str(tmp_path / "share"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return tmp_path, env


def test_the_default_archive_is_the_same_from_any_folder(home):
    root, env = home
    made = opdcwatch("ingest", PAGE, "--url", ARTICLE_URL, cwd=root / "one", env=env)
    assert made.returncode == 0, made.stderr
    archive = root / "share" / "opdcwatch" / "opdcwatch.db"
    assert made.stderr == f"opdcwatch: archive {archive} (the default)\n"
    assert archive.is_file() and not (root / "one" / "data").exists()
    listed = opdcwatch("articles", "--json", cwd=root / "two", env=env)
    assert listed.returncode == 0, listed.stderr
    assert [a["url"] for a in json.loads(listed.stdout)] == [ARTICLE_URL]  # the note: stderr
    assert listed.stderr == f"opdcwatch: archive {archive} (the default)\n"


def test_an_archive_in_the_working_folder_keeps_working(home):
    root, env = home
    local = root / "one" / "data" / "opdcwatch.db"
    made = opdcwatch("ingest", PAGE, "--url", ARTICLE_URL, "--db", str(local), env=env)
    assert made.returncode == 0 and made.stderr == ""  # named: no note
    listed = opdcwatch("articles", cwd=root / "one", env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr == f"opdcwatch: archive {local} (found in this folder)\n"
    assert ARTICLE_URL in listed.stdout
    assert not (root / "share" / "opdcwatch").exists()


def test_the_config_file_names_the_archive_relative_to_itself(home, fixtures_dir):
    root, env = home
    config = root / "config" / "opdcwatch" / "opdcwatch.toml"
    config.parent.mkdir()
    shutil.copy(fixtures_dir / "scheduler" / "config" / "archive.toml", config)
    made = opdcwatch("ingest", PAGE, "--url", ARTICLE_URL, cwd=root / "one", env=env)
    assert made.returncode == 0, made.stderr
    archive = config.parent / "archives" / "news.db"
    assert archive.is_file()
    assert made.stderr == f"opdcwatch: archive {archive} (from {config})\n"
    other = opdcwatch("runs", "--db", str(root / "elsewhere.db"), cwd=root / "two", env=env)
    assert other.returncode == 2 and "no archive at" in other.stderr  # --db wins, no note
    assert other.stderr.count("\n") == 1
    by_env = opdcwatch("articles", cwd=root / "two", env=env | {"OPDCWATCH_DB": str(archive)})
    assert by_env.returncode == 0 and by_env.stderr == "" and ARTICLE_URL in by_env.stdout
