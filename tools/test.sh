#!/usr/bin/env bash
# Set up (venv, Anvil, Chromium) and run every check: lint; then two lanes side by side, one per
# core: (1, in the background) the escrow's reference-model campaign (titanoboa, tests/model), the
# tools' tests, then (after the compile) the deploy script's tests and the PostgreSQL half of the
# pytest suites; (2) the contracts' compile and their tests on Anvil (ape test), then the rest of the pytest suites (indexer, backend on SQLite,
# browser, launcher). Lane 1's output is printed when it ends.
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

# The pytest suites but the contract, model, tools and scripts ones; "no tests collected" (5) is no failure,
# since extra arguments such as `-k` may select tests of one lane only.
# Every run writes a JUnit report to var/junit-*.xml; the ten slowest tests of all are printed at the end.
pytest_run() { python -m pytest -p no:ape_test -q "$@"; local rc=$?; [ $rc = 5 ] && rc=0; return $rc; }
suites() { pytest_run tests --ignore=tests/contracts --ignore=tests/model --ignore=tests/tools --ignore=tests/scripts "$@"; }

mkdir -p var
rm -f var/*-tests.status var/junit-*.xml var/compile.status
lane_log=var/lane-tests.log
started=$SECONDS
# Lane 1 needs no build output until the deploy script's tests (the model and the tools compile what
# they test themselves), so it starts at once and waits for lane 2's compile only before those.
(
  step "escrow reference model campaign (tests/model)"
  pytest_run tests/model --junitxml=var/junit-model.xml
  echo $? > var/model-tests.status
  step "tools (pytest tests/tools)"
  pytest_run tests/tools --junitxml=var/junit-tools.xml "$@"
  echo $? > var/tools-tests.status
  while [ ! -e var/compile.status ]; do sleep 1; done
  step "deploy script on a stand-in public network (pytest tests/scripts)"
  [ "$(cat var/compile.status)" = 0 ] && pytest_run tests/scripts --junitxml=var/junit-scripts.xml "$@"
  echo $? > var/scripts-tests.status
  step "indexer, backend on PostgreSQL (pytest -m postgres)"
  [ "$(cat var/compile.status)" = 0 ] && suites -m postgres --junitxml=var/junit-postgres.xml "$@"
  echo $? > var/postgres-tests.status
) > "$lane_log" 2>&1 &
lane_pid=$!

step "compile (ape)"
ape compile --force
compiled=$?
echo $compiled > var/compile.status
[ $compiled = 0 ] || failed+=("compile (ape)")
run "contracts (ape test on Anvil)" sh -c "APE_FOUNDRY_HOST=http://127.0.0.1:$(free_port) ape test tests/contracts -q --junitxml=var/junit-ape.xml"
run "indexer, backend (SQLite), browser, launcher (pytest)" \
  suites -m "not postgres" --junitxml=var/junit-sqlite.xml "$@"

wait "$lane_pid"
printf '\n\033[1m== the lane that ran alongside: model, tools, PostgreSQL\033[0m\n'
cat "$lane_log"
[ "$(cat var/model-tests.status 2>/dev/null)" = 0 ] || failed+=("reference model (tests/model)")
[ "$(cat var/tools-tests.status 2>/dev/null)" = 0 ] || failed+=("tools (tests/tools)")
[ "$(cat var/scripts-tests.status 2>/dev/null)" = 0 ] || failed+=("deploy script (tests/scripts)")
[ "$(cat var/postgres-tests.status 2>/dev/null)" = 0 ] || failed+=("PostgreSQL half (pytest -m postgres)")
printf 'suites took %d s\n' $((SECONDS - started))
step "the ten slowest tests"
ls var/junit-*.xml > /dev/null 2>&1 && python tools/slowest.py var/junit-*.xml

if [ ${#failed[@]} -gt 0 ]; then
  printf '\n\033[31mFAILED:\033[0m %s\n' "${failed[@]}"
  exit 1
fi
printf '\n\033[32mall checks passed\033[0m\n'
