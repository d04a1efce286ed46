#!/usr/bin/env bash
# The main job offline: sets up the venv if needed, then runs the bundled demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PYTHAINLP_OFFLINE=1
exec .venv/bin/opdcwatch demo "$@"
