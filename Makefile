# The two commands a newcomer needs: `make demo` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; \
          done)
VENV := .venv
# The suite runs in one process per core (pytest-xdist; each process starts its own throwaway PostgreSQL).
PYTEST_ARGS ?= -n auto
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format serve messages bench clean-data install

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or 3.12 is required (set PYTHON=/path/to/python3.11)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Run the platform with demo data on an embedded PostgreSQL under var/ (http://127.0.0.1:8000).
demo: $(STAMP)
	$(BIN)/hotpot demo

## Lint, then the whole test suite against a throwaway PostgreSQL (or $$HOTPOT_TEST_DATABASE_URL).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

serve: $(STAMP)
	$(BIN)/hotpot serve

## Extract UI strings for translators (locale/messages.pot).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o locale/messages.pot .

## Every benchmark in turn (several minutes; bench.search needs `wrk`). See bench/README.md.
bench: $(STAMP)
	$(BIN)/python -m bench.startup
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.registry
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.hitpool

## Remove the local embedded database (demo data is rebuilt on the next `make demo`).
clean-data:
	rm -rf var/
