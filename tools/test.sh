#!/usr/bin/env bash
# Set up (venv, Anvil, Chromium) and run every check: lint, contracts on Anvil (ape test)
# then the escrow's reference-model campaign (titanoboa, tests/model), side by side with the
# indexer, backend on SQLite and PostgreSQL, browser and launcher suites (pytest).
# The contract suites' output is printed when they end.
# Extra arguments go to the pytest run, e.g. `tools/test.sh -k health`.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/bootstrap.sh --browser || exit 1
export PATH="$PWD/.venv/bin:$PWD/node_modules/.bin:$PATH"

failed=()
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
run() { local name=$1; shift; step "$name"; "$@" || failed+=("$name"); }
free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

run "lint (ruff)" sh -c 'ruff check . && ruff format --check .'
run "compile (ape)" ape compile --force

mkdir -p var
contracts_log=var/contracts-tests.log
model_log=var/model-tests.log
started=$SECONDS
(
  APE_FOUNDRY_HOST="http://127.0.0.1:$(free_port)" ape test tests/contracts -q > "$contracts_log" 2>&1
  echo $? > var/contracts-tests.status
  python -m pytest -p no:ape_test tests/model -q > "$model_log" 2>&1
  echo $? > var/model-tests.status
) &
contracts_pid=$!

run "indexer, backend (SQLite + PostgreSQL), browser, launcher, tools (pytest)" \
  python -m pytest -p no:ape_test tests --ignore=tests/contracts --ignore=tests/model -q "$@"

step "contracts (ape test on Anvil, ran alongside)"
wait "$contracts_pid"
cat "$contracts_log"
[ "$(cat var/contracts-tests.status 2>/dev/null)" = 0 ] || failed+=("contracts (ape test)")
step "escrow reference model campaign (tests/model, ran alongside)"
cat "$model_log"
[ "$(cat var/model-tests.status 2>/dev/null)" = 0 ] || failed+=("reference model (tests/model)")
printf 'suites took %d s\n' $((SECONDS - started))

if [ ${#failed[@]} -gt 0 ]; then
  printf '\n\033[31mFAILED:\033[0m %s\n' "${failed[@]}"
  exit 1
fi
printf '\n\033[32mall checks passed\033[0m\n'
