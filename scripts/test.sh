#!/usr/bin/env bash
# The test command: sets up the venv if needed, lints, type-checks, then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PYTHAINLP_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/mypy --strict parsers archive  # [tool.mypy] in pyproject.toml
.venv/bin/mypy crawler
.venv/bin/python -m pytest "$@"
