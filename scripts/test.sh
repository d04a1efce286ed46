#!/usr/bin/env bash
# The test command: sets up the venv if needed, lints, then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PYTHAINLP_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
