#!/usr/bin/env bash
# The test command: sets up the venv if needed, lints, type-checks, then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PYTHAINLP_OFFLINE=1
.venv/bin/ruff check .
# [tool.mypy] in pyproject.toml; a cache per strictness, so a second run takes seconds
.venv/bin/mypy --cache-dir .mypy_cache/strict --strict parsers archive
.venv/bin/mypy --cache-dir .mypy_cache/default crawler
# the suite mostly waits on crawls and servers: three workers, each test file kept on one
.venv/bin/python -m pytest -n "${OPDCWATCH_TEST_WORKERS:-3}" --dist loadfile "$@"
