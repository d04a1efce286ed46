"""Running the installed ``opdcwatch`` script as a user would, for the command-line tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# the console script installed beside the interpreter running the tests (.venv/bin)
OPDCWATCH = Path(sys.executable).with_name("opdcwatch")


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment for a child ``opdcwatch``: no archive from the caller's shell,
    pythainlp offline, then ``env`` on top."""
    base = {k: v for k, v in os.environ.items() if k != "OPDCWATCH_DB"}
    return base | {"PYTHAINLP_OFFLINE": "1"} | (env or {})


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
