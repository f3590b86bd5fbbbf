#!/usr/bin/env bash
# Renders the HTML report of scenarios/ in a real browser (Debian's headless Chromium), saves a
# screenshot to docs/report-screenshot.png and fails if the page logged any console error,
# threw, or tried to load anything from the network. Not part of `cargo test`: CI machines
# have no browser. Usage: scripts/render-html.sh [SCREENSHOT.png]
set -euo pipefail
cd "$(dirname "$0")/.."

screenshot="${1:-docs/report-screenshot.png}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
# playwright-core drives the browser; it downloads no browser of its own.
playwright_version="1.65.1"
tools="target/browser-check"

if [ ! -x "$chromium" ]; then
    echo "installing Debian's chromium (apt-get)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f "$tools/node_modules/playwright-core/package.json" ]; then
    echo "installing playwright-core@$playwright_version into $tools" >&2
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" "playwright-core@$playwright_version" >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
report="$work/report.html"
status=0
cargo run --release --quiet -- check scenarios/ --format html --output "$report" || status=$?
# 1 only says the bundled cases hold likely violations; 2 is bad input.
if [ "$status" -gt 1 ]; then
    echo "consentry check failed with exit code $status" >&2
    exit "$status"
fi

mkdir -p "$(dirname "$screenshot")"
NODE_PATH="$tools/node_modules" node scripts/render-html.cjs "$chromium" "$report" "$screenshot"
