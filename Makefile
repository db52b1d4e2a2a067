# The few verbs people type. `make demo` and `make test` work on a fresh clone.
#
#   make setup   virtual environment in .venv with the app and its dev tools; front-end packages
#   make demo    setup, then run the demo (seeded brand, printed credentials, served on 127.0.0.1;
#                PORT=8001 for another port)
#   make install setup, then put `ombuds` on your PATH (a link in ~/.local/bin; BINDIR= elsewhere)
#   make test    setup, system packages the tests need (as root), then the whole suite
#   make lint    ruff check, ruff format --check, mypy (strict on src/), import-linter, deptry
#   make bench   every script under benchmarks/
#   make docs    regenerate docs/cli/ from the commands' --help
#
# Setup is stamped: a second `make setup` does nothing until pyproject.toml or package.json change.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The interpreter .venv is made from: the system's own CPython where it is 3.11 or newer, else the
# first python3 on PATH. Debian's is built for speed (the interpreter linked into its binary); a
# plain source build such as pyenv's default loads a shared libpython built without profile-guided
# optimisation, and the pipeline's stages take about a sixth more CPU on it (docs/performance.md).
# PYTHON=... chooses another.
SYSTEM_PYTHON := $(shell /usr/bin/python3 -c 'import sys; print(sys.version_info >= (3, 11))' 2>/dev/null)
PYTHON ?= $(if $(filter True,$(SYSTEM_PYTHON)),/usr/bin/python3,python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# The suite runs in one process per core (pytest-xdist); TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto

ifneq ($(wildcard package.json),)
NODE_STAMP := node_modules/.installed
endif

.PHONY: help setup demo install test system-deps lint format bench docs coverage clean

help:
	@sed -n '3,10p' Makefile | sed 's/^# \{0,1\}//'

setup: $(PY_STAMP) $(NODE_STAMP)

$(BIN)/python:
	@if ! $(PYTHON) -m venv --help >/dev/null 2>&1 || ! $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing python3-venv (Debian package)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
		else \
			echo "error: '$(PYTHON) -m venv' is not available; install python3-venv, or choose another interpreter: make PYTHON=python3.12 ..." >&2; exit 1; \
		fi; \
	fi
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# Pages work without the front-end packages (they only add live updates), so a machine without
# npm gets a note, not a failure; the next `make setup` tries again.
node_modules/.installed: package.json $(wildcard package-lock.json)
	@if command -v npm >/dev/null; then \
		npm install --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "note: npm not found; front-end packages (htmx, Swagger UI for /api/docs) not installed; pages work without them and /api/docs says so" >&2; \
	fi

PORT ?=
BINDIR ?= $(HOME)/.local/bin

# The port is checked first, before the app's imports and the seeding: a taken one fails at once
# and names a free one.
demo: setup
	@$(BIN)/python -m ombuds.ports $(or $(PORT),$${OMBUDS_PORT:-8000})
	$(BIN)/ombuds demo $(if $(PORT),--port $(PORT))

# A link, not a copy: `ombuds` keeps running from .venv, so `make setup` upgrades it in place.
install: setup
	@mkdir -p "$(BINDIR)"
	ln -sfn "$(abspath $(BIN))/ombuds" "$(BINDIR)/ombuds"
	@case ":$$PATH:" in *":$(BINDIR):"*) ;; \
		*) echo "note: $(BINDIR) is not on your PATH; add it, e.g. export PATH=\"$(BINDIR):\$$PATH\"" >&2;; esac

system-deps:
	@scripts/install-system-deps.sh

test: setup system-deps
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/deptry .

format: setup
	$(BIN)/ruff check --fix src tests scripts benchmarks
	$(BIN)/ruff format src tests scripts benchmarks

bench: setup
	@scripts=$$(find benchmarks -maxdepth 1 -name '*.py' ! -name '_*' | sort); \
	if [ -z "$$scripts" ]; then echo "no benchmarks yet under benchmarks/"; exit 0; fi; \
	for script in $$scripts; do echo "== $$script"; $(BIN)/python "$$script"; done

docs: setup
	$(BIN)/python scripts/gen_cli_docs.py

coverage: setup system-deps
	$(BIN)/pytest --cov --cov-report=term --cov-report=html $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules test-artifacts htmlcov .coverage .pytest_cache .mypy_cache .ruff_cache
