"""Which archive a command uses (crawler.archive_location): ``--db``, ``$OPDCWATCH_DB``, the
config file's ``[archive] db``, ``./data/opdcwatch.db``, the user's data folder, in that order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawler.archive_location import ArchiveLocation, locate_archive
from crawler.exceptions import ConfigError
from tests.unit.scrapy_helpers import UNIT


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of the test's own (its XDG data and config folders empty), the current folder
    an empty project folder under it, and no archive or config named in the environment."""
    home = tmp_path / "home"
    project = home / "project"
    project.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("OPDCWATCH_DB", raising=False)
    monkeypatch.delenv("OPDCWATCH_CONFIG", raising=False)
    monkeypatch.chdir(project)
    return home


def _found_here(folder: Path) -> Path:
    db = folder / "data" / "opdcwatch.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    return db


def _config_here(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "opdcwatch.toml"
    shutil.copy(UNIT / "opdcwatch.toml", config)
    return config


def test_without_anything_the_user_data_folder(home: Path) -> None:
    location = locate_archive()
    assert location == ArchiveLocation(
        f"sqlite:///{home}/.local/share/opdcwatch/opdcwatch.db", "the default"
    )
    assert not location.explicit
    assert location.note() == (
        "opdcwatch: archive ~/.local/share/opdcwatch/opdcwatch.db (the default)"
    )


def test_an_archive_in_this_folders_data_comes_before_the_default(home: Path) -> None:
    db = _found_here(home / "project")
    location = locate_archive()
    assert location == ArchiveLocation(f"sqlite:///{db}", "found in this folder")
    assert location.note().endswith("~/project/data/opdcwatch.db (found in this folder)")


def test_another_folders_data_is_not_looked_at(home: Path, tmp_path: Path) -> None:
    _found_here(home / "project")
    assert locate_archive(cwd=tmp_path).origin == "the default"


def test_the_config_file_comes_before_a_found_archive(home: Path) -> None:
    project = home / "project"
    _found_here(project)
    _config_here(project)
    location = locate_archive()
    # a relative path is taken from the config file's folder, not from the current one
    assert location == ArchiveLocation(
        f"sqlite:///{project}/archives/ข่าว-opdc.db", "from ~/project/opdcwatch.toml"
    )
    assert not location.explicit
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    assert locate_archive(config_path=project / "opdcwatch.toml", cwd=elsewhere) == location


def test_the_user_config_folder_is_read_too(home: Path) -> None:
    config = _config_here(home / ".config" / "opdcwatch")
    location = locate_archive()
    assert location.url == f"sqlite:///{config.parent}/archives/ข่าว-opdc.db"
    assert location.origin == "from ~/.config/opdcwatch/opdcwatch.toml"


def test_the_environment_comes_before_the_config_file(home: Path) -> None:
    _config_here(home / "project")
    location = locate_archive(env={"OPDCWATCH_DB": "postgresql+psycopg://watch:s3cret@db/opdc"})
    assert location == ArchiveLocation("postgresql+psycopg://watch:s3cret@db/opdc", "$OPDCWATCH_DB")
    assert location.explicit
    assert location.note() == (
        "opdcwatch: archive postgresql+psycopg://watch:***@db/opdc ($OPDCWATCH_DB)"
    )


def test_an_empty_environment_variable_is_not_a_choice(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPDCWATCH_DB", "")
    assert locate_archive().origin == "the default"


def test_db_comes_first_and_a_bare_path_is_a_sqlite_file(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _found_here(home / "project")
    _config_here(home / "project")
    monkeypatch.setenv("OPDCWATCH_DB", str(home / "env.db"))
    location = locate_archive("~/archives/mine.db")
    assert location == ArchiveLocation(f"sqlite:///{home}/archives/mine.db", "--db")
    assert location.explicit
    assert location.note() == "opdcwatch: archive ~/archives/mine.db (--db)"


def test_the_origin_names_where_an_explicit_url_came_from(home: Path) -> None:
    location = locate_archive("/srv/opdc.db", origin="OPDCWATCH_DB")
    assert location.note() == "opdcwatch: archive /srv/opdc.db (OPDCWATCH_DB)"
    assert not location.explicit  # a Scrapy setting, not something named on this command line


def test_a_named_config_file_that_is_missing_is_an_error(home: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist"):
        locate_archive(config_path=home / "missing.toml")
    with pytest.raises(ConfigError, match=r"\(from \$OPDCWATCH_CONFIG\) does not exist"):
        locate_archive(env={"OPDCWATCH_CONFIG": str(home / "missing.toml")})


def test_a_config_file_without_an_archive_table_falls_through(home: Path) -> None:
    (home / "project" / "opdcwatch.toml").write_text('[scheduler]\ntimezone = "Asia/Bangkok"\n')
    assert locate_archive().origin == "the default"


def test_an_in_memory_archive_is_shown_as_its_url(home: Path) -> None:
    assert locate_archive("sqlite://").note() == "opdcwatch: archive sqlite:// (--db)"
