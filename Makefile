# MSP Evaluator: `make run` serves the app with a demo, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in mail and the demo's login hint point at the address being served.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL

.PHONY: run test lint format check-deploy bench install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-test.txt
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed

install-test: $(VENV)/.test-installed

# The app with a demo on http://127.0.0.1:8000 (DEBUG on, SQLite unless DATABASE_URL is set).
run: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo --if-empty
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite, on SQLite unless DATABASE_URL points elsewhere, in TEST_WORKERS processes
# (pytest-xdist; each has its own test database and documents folder). TEST_WORKERS=0 runs it in one.
# Tests that share an outside service (the Celery worker's Redis queue) carry one xdist_group and so
# run one after another in the same process.
TEST_WORKERS ?= 2
test: install-test
	@if [ ! -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then \
	  echo "NOTE: Chromium is not installed, so the browser tests will be skipped."; \
	  echo "      Install it with: sudo apt-get install chromium"; \
	fi
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Django's deployment checklist against production-style settings.
check-deploy: install
	DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=evaluator.example.com \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# The benchmark: drops and recreates the PostgreSQL database of BENCH_DATABASE_URL
# (default postgres://postgres@127.0.0.1:5432/bench), seeds the large case, serves it
# with gunicorn on a free port of 127.0.0.1 and writes BENCHMARKS.md (about 8 minutes).
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts
