# Newsroom. `make run` starts everything with a demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

ifneq (,$(wildcard .env))
include .env
export
endif

.PHONY: install run dev worker beat migrate test lint fmt complexity check bench soak

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# The demo: embedded SQLite + filesystem broker, a local news site on 127.0.0.1:8765
# that moves to the next version of its article every minute (NEWSROOM_DEMO_EVERY
# seconds), and fast schedules: checked at least every ~15 s, so even a 20-second demo
# shows every version, the noise-only one included.
run: export NEWSROOM_ALLOW_PRIVATE_HOSTS ?= 1
run: export NEWSROOM_MIN_INTERVAL ?= 8
run: export NEWSROOM_MAX_INTERVAL ?= 12
run: export NEWSROOM_TICK_SECONDS ?= 5
run: export NEWSROOM_SITE_URL ?= http://127.0.0.1:8000
run: install
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo ""
	@echo "  Newsroom is starting: http://127.0.0.1:8000/   (admin: http://127.0.0.1:8000/admin/, login admin / $${NEWSROOM_DEMO_ADMIN_PASSWORD:-newsroom})"
	@echo "  The demo story fills up over the next few minutes. Stop with Ctrl-C."
	@echo ""
	$(BIN)/honcho start -f Procfile

dev: install
	$(MANAGE) runserver

worker: install
	$(BIN)/celery -A newsroom worker -l info

beat: install
	$(BIN)/celery -A newsroom beat -l info

migrate: install
	$(MANAGE) migrate

# Tests run on the real services: PostgreSQL and Redis on 127.0.0.1 (started when
# they are installed but not running). Override DATABASE_URL / CELERY_BROKER_URL to
# point elsewhere.
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
test: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
test: export NEWSROOM_VAR_DIR ?= $(CURDIR)/var/test
test: install
	@bash scripts/ensure-services
	@bash scripts/ensure-browser
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks print figures; they are not part of the test suite. PostgreSQL + Redis.
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/newsroom_bench
bench: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/10
bench: install
	@bash scripts/ensure-services
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# 500 articles for 10 minutes with real beat + worker: every change once, flat memory.
soak: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/newsroom_soak
soak: install
	@bash scripts/ensure-services
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Functions of cyclomatic complexity over 20 in stories/ (prints nothing when none).
complexity: install
	$(BIN)/radon cc -s -n D stories

check: lint test
	$(MANAGE) makemigrations --check --dry-run
