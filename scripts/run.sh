#!/usr/bin/env bash
# Sets up what is missing, then serves Threadline on embedded defaults (SQLite under data/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
exec .venv/bin/threadline serve "$@"
