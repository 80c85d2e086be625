#!/usr/bin/env bash
# Sets up a checkout on a fresh Debian machine (12 or 13) with Python >= 3.11:
#   scripts/setup.sh        the virtual environment at .venv with what `threadline serve` needs
#   scripts/setup.sh test   the same plus the test tools, Debian's Chromium, PostgreSQL and Redis
# Both install bubblewrap and provision the interpreters learner code runs under
# (scripts/provision-interpreters.py; THREADLINE_SKIP_INTERPRETERS=1 skips that).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-run}"
case "$mode" in run|test) ;; *) echo "usage: $0 [run|test]" >&2; exit 2 ;; esac

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "error: '$*' needs root; run it as root or install sudo" >&2; return 1
  fi
}

apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing $*; install them with your system's package manager" >&2
    return 1
  fi
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# --- Python and the virtual environment -------------------------------------------------
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: Threadline needs Python 3.11 or newer as '$python' (set PYTHON=...)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $("$python" --version)"
  if ! "$python" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv
    "$python" -m venv .venv
  fi
fi

extras=""
[ "$mode" = test ] && extras="[test]"
stamp=".venv/.setup-$mode"
want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing Threadline$extras into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".$extras"
  echo "$want" > "$stamp"
fi

# --- From Debian: bubblewrap for the sandbox; for the tests, Chromium, PostgreSQL, Redis,
# Caddy (the cluster's reverse proxy), and podman with runc and debootstrap to build and run
# the image ------------------------------------------------------------------------------
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
if [ "$mode" = test ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v caddy >/dev/null 2>&1 || missing+=(caddy)
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  [ -x /usr/sbin/runc ] || missing+=(runc)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# --- The interpreters learner code runs under: CPython 3.13 and free-threaded 3.13t ----
# Found or built once into ~/.cache/threadline (the first build takes a few minutes).
if [ "${THREADLINE_SKIP_INTERPRETERS:-}" = 1 ]; then
  say "skipping the 3.13 and 3.13t interpreters (THREADLINE_SKIP_INTERPRETERS=1)"
else
  .venv/bin/python scripts/provision-interpreters.py
fi
say "set-up done"
