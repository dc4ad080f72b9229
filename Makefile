# Two commands: `make run` (set up + web, worker, beat with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
PORT ?= 8000
# Development settings for the development entry points; `make serve` uses production settings.
DEV_SETTINGS := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-backoffice.settings.base}
PROD_SETTINGS := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-backoffice.settings.production}

.PHONY: run serve test setup messages migrate demo lint bench clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

messages: $(STAMP)
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	$(PY) manage.py compilemessages --ignore=.venv -v 0

setup: $(STAMP) messages

migrate: setup
	$(DEV_SETTINGS) $(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(DEV_SETTINGS) $(PY) manage.py seed_demo

run: demo
	@echo ""
	@echo "  Merchant portal:  http://127.0.0.1:$(PORT)/"
	@echo "  Ops admin:        http://127.0.0.1:$(PORT)/admin/"
	@echo "  API docs:         http://127.0.0.1:$(PORT)/api/docs/"
	@echo ""
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

# Production: migrate, collect static files (hashed, compressed; WhiteNoise serves them), then
# gunicorn + Celery worker + beat (Procfile.production). Needs DJANGO_SECRET_KEY and
# DJANGO_ALLOWED_HOSTS; see README "PostgreSQL and Redis".
serve: setup
	$(PROD_SETTINGS) $(PY) manage.py migrate --noinput -v 0
	$(PROD_SETTINGS) $(PY) manage.py collectstatic --noinput -v 0
	$(PROD_SETTINGS) PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile.production

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(PY) -m mypy .

bench: migrate
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var db.sqlite3
