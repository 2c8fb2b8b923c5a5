# The same verbs for everyone. `make demo` and `make test` work on a fresh clone.
.PHONY: demo test setup lint test-contracts test-python serve index deploy clean

VENV_BIN := $(CURDIR)/.venv/bin
export PATH := $(VENV_BIN):$(CURDIR)/node_modules/.bin:$(PATH)

demo: setup            ## run the whole marketplace locally (chain, contracts, indexer, API, web UI, demo data)
	python -m launcher up

test:                  ## set up and pass every check (lint, contracts, indexer, backend on both DBs, browser)
	tools/test.sh

setup:                 ## venv with pinned dependencies and Anvil from npm
	tools/bootstrap.sh

lint: setup
	ruff check . && ruff format --check .

test-contracts: setup
	ape test tests/contracts

test-python: setup
	python -m pytest -p no:ape_test tests --ignore=tests/contracts

clean:
	rm -rf .build var test-artifacts
