# Participa — one Makefile for a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py
# Absolute links (QR codes) follow PORT unless PARTICIPA_BASE_URL is given (e.g. your LAN address).
run demo: export PARTICIPA_BASE_URL ?= http://127.0.0.1:$(PORT)
PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: help install deps system-deps run demo test lint pytest bench translations compile-translations clean

help:
	@echo "make run    - set up and serve the portal with demo data on SQLite (http://$(HOST):$(PORT))"
	@echo "make test   - ruff and the whole test suite (unit, integration, browser)"
	@echo "make bench  - benchmarks under bench/ (prints figures; BENCH_AGAINST=<git ref> compares the sign-in)"
	@echo "make translations - extract strings and update the catalogs"

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(STAMP) compile-translations

# Browser tests need Debian's Chromium, PDF tests poppler-utils (pdftoppm, pdftotext), the
# service tests (tests/ops) nginx, Redis, openssl and pg_dump: installed as root with apt-get.
# axe-core comes from npm (pinned).
SYSTEM_PACKAGES := chromium poppler-utils nginx-light redis-server openssl postgresql-client
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	ldconfig -p | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing (apt-get)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: install system-deps node_modules/.installed

# Compiled catalogs are rebuilt whenever a .po file changes: never stale.
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile -d translations -l $*

compile-translations: $(MO)

translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg --ignore-dirs=".* node_modules instance .venv" -k _l -k lazy_gettext -k ngettext:1,2 --no-location --sort-output \
	  --project=Participa --copyright-holder="Participa contributors" -o translations/messages.pot .
	@for lang in es en; do \
	  if [ -f translations/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update -i translations/messages.pot -d translations -l $$lang --no-fuzzy-matching; \
	  else $(BIN)/pybabel -q init -i translations/messages.pot -d translations -l $$lang; fi; \
	done
	$(MAKE) compile-translations
	@echo "Now fill every empty msgstr in translations/en/LC_MESSAGES/messages.po (tests fail on a missing one)."

# With Redis answering (PARTICIPA_REDIS_URL, default redis://127.0.0.1:6379/0 here), a worker and
# the scheduler run next to the web server; without it, jobs run inside the web process.
run: export PARTICIPA_REDIS_URL ?= $(shell redis-cli ping >/dev/null 2>&1 && echo redis://127.0.0.1:6379/0)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask participa demo
	@echo "Serving on http://$(HOST):$(PORT)  (staff: http://$(HOST):$(PORT)/gestion/ingresar; Ctrl+C to stop)"
	@if [ -n "$$PARTICIPA_REDIS_URL" ]; then \
	  echo "Background jobs: a worker and the scheduler on $$PARTICIPA_REDIS_URL"; \
	  trap 'kill $$worker $$cron 2>/dev/null' EXIT; \
	  $(BIN)/flask participa worker & worker=$$!; $(BIN)/flask participa scheduler >/dev/null & cron=$$!; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT); \
	else echo "Background jobs: no Redis, they run inside the web process"; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT); fi

demo: install
	$(BIN)/flask db upgrade
	$(BIN)/flask participa demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: deps
	BENCH_AGAINST=$(BENCH_AGAINST) $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
