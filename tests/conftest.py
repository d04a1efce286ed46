"""Shared test set-up: no proxies, no network for pythainlp, paths to the shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli_helpers import USER_FOLDERS, USER_SETTINGS

pytest_plugins = ["tests.archive_fixtures"]

for _var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(_var, None)
os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["PYTHAINLP_OFFLINE"] = "1"
# in-process commands too use the tests' own user folders, never the real ones
os.environ.update(USER_FOLDERS)
for _var in USER_SETTINGS:
    os.environ.pop(_var, None)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# ../shared beside the project; OPDCWATCH_SHARED points elsewhere (a git worktree, say)
SHARED = Path(os.environ.get("OPDCWATCH_SHARED") or ROOT.parent / "shared")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The saved pages and expected outputs under tests/fixtures/."""
    return FIXTURES


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the project: the seed dumps, the Thai pages, the benchmark."""
    if not SHARED.is_dir():
        message = f"{SHARED} is missing: clone the project beside its shared/ folder"
        if os.environ.get("CI") == "true":  # CI has it: a missing corpus must not pass as a skip
            pytest.fail(message)
        pytest.skip(message)
    return SHARED
