# Two commands do all the set-up: `make run` and `make test` (see README.md). Without
# DATABASE_URL both use the embedded PostgreSQL (data in var/postgres/, started on demand
# and stopped when the last process using it exits).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DEBUG_RUN := $(if $(DEBUG),$(DEBUG),1)

.PHONY: run test test-fast install install-dev lint format bench worker report-worker beat clean messages compilemessages

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	@bin/system-packages $(if $(filter 0,$(shell id -u)),--install,)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	DEBUG=$(DEBUG_RUN) $(PY) manage.py migrate --noinput
	DEBUG=$(DEBUG_RUN) $(PY) manage.py seed_demo
	@# Ctrl-C reaches the autoreloader, which kills its server process outright, before
	@# that process can stop the embedded PostgreSQL; one more short process does it.
	@trap 'DEBUG=$(DEBUG_RUN) $(PY) manage.py migrate --check >/dev/null 2>&1' INT TERM EXIT; \
	  DEBUG=$(DEBUG_RUN) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# One test process per core (pytest-xdist); each has its own test database and Redis keys.
TEST_PROCESSES ?= auto

test: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile --durations=15 $(PYTEST_ARGS)

# The fast set: no browser, Redis/worker or junk-walk tests (the `slow` marker); no lint.
test-fast: install-dev
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile -m "not slow" --durations=15 $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Benchmarks need PostgreSQL; each uses its own database (see the scripts).
bench: install-dev
	$(PY) bench/status_refresh.py
	$(PY) bench/imports.py
	$(PY) bench/commitment_import.py
	$(PY) bench/pages.py $(BENCH_PAGES_ARGS)
	$(PY) bench/reports.py $(BENCH_PAGES_ARGS)
	$(PY) bench/bulk.py $(BENCH_BULK_ARGS)

worker: install
	DEBUG=$(DEBUG_RUN) $(VENV)/bin/celery -A upr_tracker worker -Q celery --loglevel=INFO

# Large report builds only (their own queue), one at a time.
report-worker: install
	DEBUG=$(DEBUG_RUN) $(VENV)/bin/celery -A upr_tracker worker -Q reports -n reports@%h --concurrency 1 --loglevel=INFO

beat: install
	DEBUG=$(DEBUG_RUN) $(VENV)/bin/celery -A upr_tracker beat --loglevel=INFO

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache

# The Spanish catalogue (README, "Languages"): collect the marked strings into
# locale/es/LC_MESSAGES/django.po, then, once translated, compile django.mo (both committed).
messages: install
	DEBUG=$(DEBUG_RUN) $(PY) manage.py makemessages -l es --no-location --no-obsolete
	DEBUG=$(DEBUG_RUN) $(PY) manage.py makemessages -d djangojs -l es --no-location --no-obsolete --ignore=staticfiles

compilemessages: install
	DEBUG=$(DEBUG_RUN) $(PY) manage.py compilemessages --ignore=.venv
