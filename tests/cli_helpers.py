"""Running the installed ``opdcwatch`` script as a user would, for the command-line tests."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# the console script installed beside the interpreter running the tests (.venv/bin)
OPDCWATCH = Path(sys.executable).with_name("opdcwatch")
# the user's data and config folders the tests' opdcwatch sees: never the real ones, so no
# test writes an archive into ~/.local/share/opdcwatch or reads ~/.config/opdcwatch
TEST_HOME = Path(tempfile.mkdtemp(prefix="opdcwatch-tests-home-"))
atexit.register(shutil.rmtree, TEST_HOME, ignore_errors=True)
USER_FOLDERS = {
    "XDG_DATA_HOME": str(TEST_HOME / "data"),
    "XDG_CONFIG_HOME": str(TEST_HOME / "config"),
}
# what the caller's shell may set that would point a test at the user's archive or config
USER_SETTINGS = ("OPDCWATCH_DB", "OPDCWATCH_CONFIG", "OPDCWATCH_NOTIFY")


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment for a child ``opdcwatch``: no archive or config from the caller's
    shell, the test folders for the user's data and config, pythainlp offline, then ``env``."""
    base = {k: v for k, v in os.environ.items() if k not in USER_SETTINGS}
    return base | USER_FOLDERS | {"PYTHAINLP_OFFLINE": "1"} | (env or {})


def opdcwatch(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    stdin: bytes | None = None,
    text: bool = True,
) -> subprocess.CompletedProcess:
    """Run ``opdcwatch ARGS`` to the end and return its result (``text=False``: bytes)."""
    return subprocess.run(
        [str(OPDCWATCH), *args],
        input=stdin,
        cwd=cwd,
        env=child_env(env),
        capture_output=True,
        text=text,
        timeout=timeout,
        check=False,
    )
