#!/usr/bin/env bash
# Rebuild everything in static/vendor/ from the pinned lock files.
#   bash static/vendor-src/build.sh
# Needs Node.js >= 18 + npm and access to the npm registry. The outputs are
# committed, so the app runs offline and without Node.js.
set -euo pipefail
cd "$(dirname "$0")"
bash ./codemirror/build.sh
bash ./htmx/build.sh
