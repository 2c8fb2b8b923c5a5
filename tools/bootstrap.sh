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

# The three installs are independent (pip, npm, apt): they run side by side, each logging to
# var/setup-*.log, and the first failure is reported with its log.
mkdir -p var
jobs_started=()
in_background() {  # NAME COMMAND...: run it in the background, output to var/setup-NAME.log
  local name=$1; shift
  ( "$@" ) > "var/setup-$name.log" 2>&1 &
  jobs_started+=("$name:$!")
}

python_venv() {
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements/base.txt 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c "import ape, vyper, fastapi, sqlalchemy, web3, siwe, playwright" \
    || { echo "bootstrap: the venv is incomplete" >&2; exit 1; }
  echo "$py_stamp" > .venv/.stamp
}

node_anvil() {
  npm ci --no-audit --no-fund --loglevel=error
  node_modules/.bin/anvil --version >/dev/null
  echo "$node_stamp" > node_modules/.stamp
}

apt_packages() {  # PACKAGES...: installed with apt (an update first only when the install fails)
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
}

browser_packages() { apt_packages chromium fonts-wqy-microhei && /usr/bin/chromium --version; }

py_stamp=$(stamp requirements/base.txt)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.stamp 2>/dev/null)" != "$py_stamp" ]; then
  say "Python venv (.venv) with requirements/base.txt"
  in_background python python_venv
fi

node_stamp=$(stamp package-lock.json)
if [ ! -x node_modules/.bin/anvil ] || [ "$(cat node_modules/.stamp 2>/dev/null)" != "$node_stamp" ]; then
  say "Anvil from npm (node_modules)"
  in_background node node_anvil
fi

# apt holds one lock: chromium and wrk install one after the other, beside pip and npm
apt_wanted=()
if [ "$browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/wqy ]; }; then
  say "Debian's chromium and a CJK font (apt)"
  apt_wanted+=(browser_packages)
fi
if [ "$bench" = 1 ] && ! command -v wrk >/dev/null; then
  say "wrk, the HTTP load generator bench/api measures req/s with (apt)"
  apt_wanted+=("apt_packages wrk")
fi
if [ ${#apt_wanted[@]} -gt 0 ]; then
  apt_steps() { local step; for step in "${apt_wanted[@]}"; do $step || return 1; done; }
  in_background apt apt_steps
fi

failed=0
for job in "${jobs_started[@]}"; do
  name=${job%%:*}
  if ! wait "${job##*:}"; then
    echo "bootstrap: the $name step failed; its output (var/setup-$name.log):" >&2
    tail -n 40 "var/setup-$name.log" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || exit 1
say "ready"
