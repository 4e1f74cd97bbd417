# Set-up in two commands: `make run` (the system) and `make test` (the tests). See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON := .venv/bin/python
# uv as a module of the machine's Python: no dependence on where pip puts scripts
UV := python3 -m uv

.PHONY: help install run up down status demo test lint unit unit-shifted integration docs chaos bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

install: .venv/.synced ## install the locked Python environment (uv)

run: install ## start everything, run the demo, keep running until Ctrl-C
	$(PYTHON) -m deploy.stack run

up: install ## start infrastructure and services in the background
	$(PYTHON) -m deploy.stack up

down: install ## stop what `make up` started
	$(PYTHON) -m deploy.stack down

status: install ## what runs, where
	$(PYTHON) -m deploy.stack status

demo: up ## one nomination through four levels; prints `decision:` and `trace:`
	$(PYTHON) -m tools.demo

lint: install ## ruff, ruff format --check, mypy, import-linter (the import contracts in pyproject.toml)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy .
	.venv/bin/lint-imports --no-cache

unit: install ## pure unit tests and in-process service tests (no infrastructure)
	$(PYTHON) -m pytest tests/unit tests/service

integration: install ## integration tests on the real stack (started if not running)
	$(PYTHON) -m pytest tests/integration

CLOCK_SHIFT_DAYS := 400
unit-shifted: install ## the unit and service tests again with the process clock CLOCK_SHIFT_DAYS (400) days ahead (faketime)
	@command -v faketime >/dev/null || { apt-get install -y -qq --no-install-recommends faketime \
	  || { apt-get update -qq && apt-get install -y -qq --no-install-recommends faketime; }; } >/dev/null
	TDKT_REAL_DATE=$$(date -u +%F) TDKT_CLOCK_SHIFT_DAYS=$(CLOCK_SHIFT_DAYS) \
	  faketime -f +$(CLOCK_SHIFT_DAYS)d $(PYTHON) -m pytest tests/unit tests/service -p no:cacheprovider

test: lint ## lint, unit and integration tests (SQLite and PostgreSQL) on the real stack, then the unit tests 400 days ahead
	$(PYTHON) -m pytest
	$(MAKE) unit-shifted

chaos: install ## 1,000 dossiers while processes are SIGKILLed, then reconcile (not part of `make test`)
	$(PYTHON) -m tools.chaos $(CHAOS_ARGS)

bench: install ## the pipeline under load against bare Temporal/Kafka/FastAPI baselines (BENCH_ARGS; see BENCHMARKS.md)
	$(PYTHON) -m tools.bench $(BENCH_ARGS)

docs: install ## regenerate JSON Schemas, OpenAPI and AsyncAPI documents
	$(PYTHON) -m tools.generate

clean: down ## stop everything and delete .stack (data, logs, Kafka jars)
	rm -rf .stack
