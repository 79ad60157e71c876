# kiosk — one Makefile for installers, developers and CI.
# `make demo` and `make test` install what they need: Debian packages (when root), a venv, the package.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: all install demo test test-fast bench lint i18n clean run server

all: test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml scripts/install-system.sh scripts/system-packages.txt | $(VENV)/bin/python
	bash scripts/install-system.sh
	$(PY) -m pip install -q -e ".[hardware,test]"
	touch $(STAMP)

install: $(STAMP) i18n

# Message catalogues are compiled at build time from the .po sources.
i18n: $(STAMP)
	$(PY) -m kiosk.i18n_build

demo: install
	$(VENV)/bin/kiosk demo

run: install
	$(VENV)/bin/kiosk run

server: install
	$(VENV)/bin/kiosk server

test: install
	bash scripts/run-tests.sh

test-fast: install
	$(PY) -m pytest -q -m "not slow and not browser"

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check kiosk tests
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) demo-output test-artifacts .pytest_cache build *.egg-info
