# `make run` serves; `make test` checks everything. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
AUDIT := tests/http_audit
APQ_CLIENT := tests/apq_client

.PHONY: run seed bench test lint typecheck pytest schema lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) -e '.[dev]'
	@touch $@

run: $(VENV)/.installed  ## apply migrations, then serve on HOST:PORT
	$(BIN)/python -m app

seed: $(VENV)/.installed  ## apply migrations, then fill DATABASE_URL with demo data (SEED_ARGS=--reset ...)
	$(BIN)/python -m app.seed $(SEED_ARGS)

bench: $(VENV)/.installed-dev  ## load-test the real server on PostgreSQL with wrk (see bench/README.md)
	$(BIN)/python -m bench $(BENCH_ARGS)

test: lint typecheck pytest  ## ruff, mypy and pytest (SQLite, plus PostgreSQL when TEST_POSTGRES_URL is set)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The graphql-http audit (tests/test_http_audit.py) runs on Node; its packages come from the lock.
$(AUDIT)/node_modules/.installed: $(AUDIT)/package.json $(AUDIT)/package-lock.json
	npm ci --prefix $(AUDIT) --no-audit --no-fund
	@touch $@

# Apollo Client's persisted-query link (tests/test_http_apq.py) runs on Node too, from its own lock.
$(APQ_CLIENT)/node_modules/.installed: $(APQ_CLIENT)/package.json $(APQ_CLIENT)/package-lock.json
	npm ci --prefix $(APQ_CLIENT) --no-audit --no-fund
	@touch $@

pytest: $(VENV)/.installed-dev $(AUDIT)/node_modules/.installed $(APQ_CLIENT)/node_modules/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

schema: $(VENV)/.installed  ## regenerate schema.graphql from the code
	$(BIN)/strawberry export-schema app.schema:schema --output schema.graphql

lock: $(BIN)/python  ## re-pin every dependency into constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade -e '.[dev]'
	$(BIN)/python -m pip freeze --exclude-editable --exclude pip > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(AUDIT)/node_modules $(APQ_CLIENT)/node_modules
