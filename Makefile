# kiosk — one Makefile for installers, developers and CI.
# `make demo` and `make test` install what they need: Debian packages (when root), a venv, the package.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: all install lock demo test test-fast bench lint i18n kvcache clean run server package

all: test

# Installs come from the locks in requirements/ (exact versions and hashes), never from the open
# ranges of pyproject.toml: a fresh clone installs the same thing on any later day. `make lock`
# re-resolves them (uv), for a deliberate upgrade.
LOCK   ?= requirements/dev.lock

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements/build.lock

$(STAMP): pyproject.toml $(LOCK) requirements/build.lock scripts/install-system.sh scripts/system-packages.txt | $(VENV)/bin/python
	bash scripts/install-system.sh
	$(PY) -m pip install -q --require-hashes -r requirements/build.lock
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve every lock (needs network access to PyPI): the development set, a terminal's runtime
# (no server library) and a server's (no Kivy, no device binding), and the build tools. Universal: one lock serves Python 3.11 to 3.13.
lock:
	$(PYTHON) -m pip install -q "uv==0.13.9"
	$(PYTHON) -m uv pip compile pyproject.toml --extra terminal --extra hardware --extra server --extra test $(UVFLAGS) -o requirements/dev.lock
	$(PYTHON) -m uv pip compile pyproject.toml --extra terminal --extra hardware $(UVFLAGS) -o requirements/terminal.lock
	$(PYTHON) -m uv pip compile pyproject.toml --extra server $(UVFLAGS) -o requirements/server.lock
	$(PYTHON) -m uv pip compile requirements/build.in $(UVFLAGS) -o requirements/build.lock

UVFLAGS = --universal --python-version 3.11 --generate-hashes --no-header --quiet

install: $(STAMP) i18n kvcache

# Message catalogues are compiled at build time from the .po sources.
i18n: $(STAMP)
	$(PY) -m kiosk.i18n_build

# The screens' kv rules parsed once, beside their files (kiosk/screens/kv_cache.py): a start
# reads them instead of parsing them again.
kvcache: $(STAMP)
	KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1 $(PY) -m kiosk.screens.kv_cache

demo: install
	$(VENV)/bin/kiosk demo

run: install
	$(VENV)/bin/kiosk run

server: install
	$(VENV)/bin/kiosk-server run

test: install
	bash scripts/run-tests.sh

test-fast: install
	$(PY) -m pytest -q -m "not slow and not browser"

# The two Debian packages, kiosk (terminal) and kiosk-server, in dist/ (packaging/build.sh:
# a venv under /opt/<package> from each lock, maintainer scripts, the systemd units).
DIST ?= dist
package:
	bash scripts/install-system.sh
	bash packaging/build.sh $(DIST)

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check kiosk kiosk_server kiosk_wire tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) demo-output test-artifacts .pytest_cache build dist *.egg-info
	find kiosk -name __kvcache__ -type d -prune -exec rm -rf {} +
