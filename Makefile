# The two commands of the README: `make run` and `make test`.
# Both create .venv from the lock files; with no DATABASE_URL / CELERY_BROKER_URL they use the
# embedded PostgreSQL (pip wheel, data in var/pgdata) and the embedded filesystem broker (var/celery).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
# Development commands run with DEBUG on unless told otherwise; production sets DEBUG=false.
export DEBUG ?= true
PORT ?= 8000

.PHONY: run test bench lint check-locks locks format check-deploy stop install install-dev browsers clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(VENV)/bin/python
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	-$(PY) manage.py compute_ledger  # today's snapshot, so the dashboards have figures at once (a submitted period refuses: fine)
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py run_portal --host $(HOST) --port $(PORT)

# Tests run as production does (DEBUG off); PORTAL_TESTING supplies test-only keys.
test: install-dev
	PORTAL_TESTING=true DEBUG=false $(PY) manage.py makemigrations --check --dry-run
	DEBUG=false $(PY) -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(PY) -m bench $(BENCH_ARGS)

lint: install-dev check-locks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PORTAL_TESTING=true $(VENV)/bin/mypy

# The lock files match pyproject.toml: recompiled (their own pins as preferences) they come out the
# same, header comment aside. After changing dependencies: `make locks`.
LOCKS := requirements.lock: requirements-dev.lock:--extra=dev
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes --quiet

check-locks: install-dev
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	for spec in $(LOCKS); do lock=$${spec%%:*}; extra=$${spec#*:}; \
	  cp $$lock $$tmp/$$lock; $(UV_COMPILE) $$extra -o $$tmp/$$lock; \
	  grep -v '^#' $$lock > $$tmp/want; grep -v '^#' $$tmp/$$lock > $$tmp/got; \
	  diff -u $$tmp/want $$tmp/got || { echo "$$lock 与 pyproject.toml 不一致：运行 make locks"; exit 1; }; \
	done

locks: install-dev
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra=dev -o requirements-dev.lock

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: install
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-check-deploy-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz} \
	FIELD_ENCRYPTION_KEY=$${FIELD_ENCRYPTION_KEY:-check-deploy-only-key-0123456789abcdef} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-portal.example.cn} $(PY) manage.py check --deploy --fail-level WARNING

stop:
	-$(PY) manage.py embedded_db stop

clean: stop
	rm -rf var
