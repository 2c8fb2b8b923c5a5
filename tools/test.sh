#!/usr/bin/env bash
# Set up (venv, Anvil, Chromium) and run every check: lint; then two lanes side by side, one per
# core: (1, in the background) the escrow's reference-model campaign (titanoboa, tests/model) and
# the PostgreSQL half of the pytest suites; (2) the contracts on Anvil (ape test) and the rest of
# the pytest suites (indexer, backend on SQLite, browser, launcher, tools). Lane 1's output is
# printed when it ends.
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

# The pytest suites but the contract and model ones; "no tests collected" (5) is no failure, since
# extra arguments such as `-k` may select tests of one lane only.
# Every run writes a JUnit report to var/junit-*.xml; the ten slowest tests of all are printed at the end.
suites() { python -m pytest -p no:ape_test tests --ignore=tests/contracts --ignore=tests/model -q "$@"; local rc=$?; [ $rc = 5 ] && rc=0; return $rc; }

mkdir -p var
rm -f var/*-tests.status var/junit-*.xml
model_log=var/model-tests.log
postgres_log=var/postgres-tests.log
started=$SECONDS
(
  python -m pytest -p no:ape_test tests/model -q --junitxml=var/junit-model.xml > "$model_log" 2>&1
  echo $? > var/model-tests.status
  suites -m postgres --junitxml=var/junit-postgres.xml "$@" > "$postgres_log" 2>&1
  echo $? > var/postgres-tests.status
) &
lane_pid=$!

run "contracts (ape test on Anvil)" sh -c "APE_FOUNDRY_HOST=http://127.0.0.1:$(free_port) ape test tests/contracts -q --junitxml=var/junit-ape.xml"
run "indexer, backend (SQLite), browser, launcher, tools (pytest)" \
  suites -m "not postgres" --junitxml=var/junit-sqlite.xml "$@"

wait "$lane_pid"
step "escrow reference model campaign (tests/model, ran alongside)"
cat "$model_log"
[ "$(cat var/model-tests.status 2>/dev/null)" = 0 ] || failed+=("reference model (tests/model)")
step "indexer, backend on PostgreSQL (pytest -m postgres, ran alongside)"
cat "$postgres_log"
[ "$(cat var/postgres-tests.status 2>/dev/null)" = 0 ] || failed+=("PostgreSQL half (pytest -m postgres)")
printf 'suites took %d s\n' $((SECONDS - started))
step "the ten slowest tests"
ls var/junit-*.xml > /dev/null 2>&1 && python tools/slowest.py var/junit-*.xml

if [ ${#failed[@]} -gt 0 ]; then
  printf '\n\033[31mFAILED:\033[0m %s\n' "${failed[@]}"
  exit 1
fi
printf '\n\033[32mall checks passed\033[0m\n'
