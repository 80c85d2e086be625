#!/usr/bin/env bash
# Copy htmx's own minified build (version pinned in package-lock.json) to
# static/vendor/htmx.min.js.
set -euo pipefail
cd "$(dirname "$0")"
OUT="../../vendor/htmx.min.js"

npm ci --ignore-scripts --no-audit --no-fund
cp node_modules/htmx.org/dist/htmx.min.js "$OUT"

echo "built $(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT") (htmx $(node -p 'require("htmx.org/package.json").version'))"
