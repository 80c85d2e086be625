#!/usr/bin/env bash
# Rebuild static/vendor/codemirror.min.js (window.ThreadlineEditor) from
# package-lock.json. Needs Node.js >= 18 and npm; the output is committed so
# the app itself never needs Node.
set -euo pipefail
cd "$(dirname "$0")"
OUT="../../vendor/codemirror.min.js"

# Exact versions from package-lock.json; no install scripts are needed
# (esbuild's platform binary comes from its optional dependency package).
npm ci --ignore-scripts --no-audit --no-fund

./node_modules/.bin/esbuild entry.mjs \
  --bundle \
  --format=iife \
  --platform=browser \
  --target=es2020 \
  --minify \
  --legal-comments=none \
  --banner:js="/*! ThreadlineEditor: CodeMirror 6 bundle (MIT, (C) Marijn Haverbeke and others). Source: static/vendor-src/codemirror, licences: static/vendor/LICENSES.md */" \
  --outfile="$OUT"

echo "built $(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")"
