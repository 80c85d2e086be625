#!/usr/bin/env bash
# Sets up what is missing, then runs every check: lint, types, content, and the test suite
# (unit, HTTP, SQLite and PostgreSQL, and browser tests in Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
say "ruff";  .venv/bin/ruff check . && .venv/bin/ruff format --check .
say "mypy";  .venv/bin/mypy
say "threadline check"; .venv/bin/threadline check
say "pytest"; exec .venv/bin/pytest "$@"
