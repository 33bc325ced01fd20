# Safeguarding CPD — `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# A Python >= 3.12 that actually runs: $CPD_PYTHON, then the usual names, then pyenv's
# installs (pyenv's bare `python3.12` shim fails until a version is selected).
PYTHON_CANDIDATES = $$CPD_PYTHON python3.13 python3.12 python3 \
	$$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV)
FIND_PYTHON = for p in $(PYTHON_CANDIDATES); do \
	  [ -n "$$p" ] && "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	  && { echo "$$p"; exit 0; }; done; exit 1

# `make run` queues background work (certificate PDFs, emails) in the database and runs a
# worker beside the web server, so no page waits for a PDF. Set TASKS_BACKEND=immediate to
# run tasks inside the request instead.
RUN_ENV = TASKS_BACKEND=$${TASKS_BACKEND:-database} CPD_BASE_URL=$${CPD_BASE_URL:-http://$(HOST):$(PORT)}

.PHONY: help install run demo worker web test test-postgres lint format bench load clean

help:
	@echo "make run            set up, load the demo and serve http://$(HOST):$(PORT)"
	@echo "make test           run the whole suite (ruff, unit, packaging and browser tests)"
	@echo "make test-postgres  the suite against PostgreSQL (CPD_TEST_DATABASE_URL)"
	@echo "make lint           ruff check and format check"
	@echo "make worker         a background worker (db_worker) for the site's task queue"
	@echo "make web            the site under gunicorn (deploy/gunicorn.conf.py)"
	@echo "make load           the INSET-morning load test (locust, PostgreSQL, gunicorn)"

$(VENV)/.installed: pyproject.toml
	@python=$$($(FIND_PYTHON)) || { \
	  echo "No Python 3.12 or newer found. Install one (e.g. 'apt-get install python3.12'," \
	       "'pyenv install 3.12', or python.org), or point CPD_PYTHON at it." >&2; exit 1; }; \
	echo "Using $$python ($$($$python --version))"; \
	[ -x $(PY) ] || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,postgres,production]'
	@touch $@

$(VENV)/.installed-load: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,postgres,production,load]'
	@touch $@

install: $(VENV)/.installed

demo: install
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py cpd_demo

run: demo
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl+C to stop). The demo logins are listed above."
	@if [ "$${TASKS_BACKEND:-database}" = database ]; then \
	  $(RUN_ENV) $(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; fi; \
	  $(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(RUN_ENV) $(PY) manage.py db_worker --no-reload

web: install
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(RUN_ENV) $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py cpd.site.wsgi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# SQLite, whatever the environment says (the scale tests are deselected there).
test: lint
	env -u CPD_TEST_DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	CPD_TEST_DATABASE_URL=$${CPD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	  $(PY) -m pytest --ignore=tests/test_packaging.py $(PYTEST_ARGS)

bench: install
	$(PY) benchmarks/run.py

# Loopback only, bounded: LOAD_USERS users for LOAD_SECONDS against gunicorn + db_worker on
# a scratch PostgreSQL database (LOAD_DATABASE_URL names the server).
load: $(VENV)/.installed-load
	$(PY) benchmarks/load/run.py

clean:
	rm -rf $(VENV) var build dist *.egg-info .pytest_cache .ruff_cache
