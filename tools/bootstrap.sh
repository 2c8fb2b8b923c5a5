#!/usr/bin/env bash
# Set up this checkout: the Python venv with pinned dependencies, Anvil from npm and,
# with --browser, Debian's Chromium for the browser tests and, with --bench, Debian's wrk
# (bench/api measures req/s with it). Idempotent: a second run
# reinstalls nothing unless requirements/base.txt or package-lock.json changed.
set -euo pipefail
cd "$(dirname "$0")/.."

browser=0
bench=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --bench) bench=1 ;;
    -h|--help) echo "usage: tools/bootstrap.sh [--browser] [--bench]"; exit 0 ;;
    *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

PYTHON=${PYTHON:-python3.11}
if ! command -v "$PYTHON" >/dev/null; then
  echo "bootstrap: $PYTHON not found; Jiedan needs CPython 3.11" >&2
  exit 2
fi

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

py_stamp=$(stamp requirements/base.txt)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.stamp 2>/dev/null)" != "$py_stamp" ]; then
  say "Python venv (.venv) with requirements/base.txt"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements/base.txt 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c "import ape, vyper, fastapi, sqlalchemy, web3, siwe, playwright" \
    || { echo "bootstrap: the venv is incomplete" >&2; exit 1; }
  echo "$py_stamp" > .venv/.stamp
fi

node_stamp=$(stamp package-lock.json)
if [ ! -x node_modules/.bin/anvil ] || [ "$(cat node_modules/.stamp 2>/dev/null)" != "$node_stamp" ]; then
  say "Anvil from npm (node_modules)"
  npm ci --no-audit --no-fund --loglevel=error
  node_modules/.bin/anvil --version >/dev/null
  echo "$node_stamp" > node_modules/.stamp
fi

if [ "$browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/wqy ]; }; then
  say "Debian's chromium and a CJK font (apt)"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null \
    || { $SUDO apt-get update -q >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null; }
  /usr/bin/chromium --version
fi
if [ "$bench" = 1 ] && ! command -v wrk >/dev/null; then
  say "wrk, the HTTP load generator bench/api measures req/s with (apt)"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null \
    || { $SUDO apt-get update -q >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }
  wrk --version | head -1 || true
fi
say "ready"
