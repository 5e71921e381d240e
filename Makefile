# Quick start: `make run` (product with a demo workspace) and `make test` (whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

# The first Python 3.12+ found: python3.13/python3.12 on PATH, pyenv's, then python3.
FIND_PYTHON := for c in python3.13 python3.12 \
	$$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[2-9]*/bin/python3 2>/dev/null) \
	python3; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	  then command -v $$c; exit 0; fi; \
	done; echo "No Python 3.12+ found: install one (pyenv install 3.12) and retry." >&2; exit 1

.PHONY: help install services migrate run test test-fast lint format bench drill-load drill-faults compose-check screenshots stop-services clean

help:
	@echo "make run         set up everything and start web + worker + beat with a demo workspace"
	@echo "make test        run the whole test suite against real PostgreSQL and Redis"
	@echo "make lint        ruff (lint + format check), mypy and the import-direction contract"
	@echo "make bench       run every benchmark in bench/"
	@echo "make drill-load  gunicorn (production settings) under 50 integrations, syncs and executives for DRILL_SECONDS (60)"
	@echo "make drill-faults  PostgreSQL restarted, Redis stopped and a worker killed -9 under load (private servers)"
	@echo "make compose-check  the production compose file: structure, and its commands run here (also in make test)"
	@echo "make screenshots the main pages of every role, desktop and phone, into docs/screenshots/"
	@echo "make stop-services  stop embedded PostgreSQL/Redis started under .data/"

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || { PYTHON=$$($(FIND_PYTHON)) && echo "Using $$PYTHON" && $$PYTHON -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

services: install
	$(PY) -m config.devservices

migrate: services
	$(PY) manage.py migrate_all -v 0

run: migrate
	$(PY) manage.py seed_demo
	$(PY) -m config.devrun

test: services
	$(PY) -m pytest --create-db $(PYTEST_ARGS)

# Local loop: keeps the test database between runs.
test-fast: services
	$(PY) -m pytest --reuse-db $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: migrate
	@set -e; for f in bench/[!_]*.py; do echo "== $$f"; $(PY) $$f; done

# Drills (docs/operations.md, "Drills"): not benchmarks, so not in `make bench`.
drill-load: services
	$(PY) -u bench/_drill_load.py

drill-faults: services
	$(PY) -u bench/_drill_faults.py

# The compose smoke test alone (docker compose config + build where Docker answers).
compose-check: services
	$(PY) -m pytest --create-db -p no:cacheprovider tests/test_compose.py tests/test_production.py

# The browser walk of every role's main pages (tests/test_browser_walks.py), saving PNGs of
# each role's main pages at 1366x900 and 390x844 for the README. Needs Debian's chromium.
screenshots: services
	rm -f docs/screenshots/*.png
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest --create-db -p no:cacheprovider -q \
		tests/test_browser_walks.py -k every_main_page

stop-services:
	$(PY) -m config.devservices --stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
