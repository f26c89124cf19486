# Two commands set everything up on a fresh machine with Python 3.11:
#   make run   - create .venv, install relieve, start the main job (the local web app)
#   make test  - create .venv, install the test extras, run the whole suite
#   make figures - build/gallery/index.html: every muscle's card and technique pictures
# Each target is idempotent: a stamp file records what was installed from which
# pyproject.toml, so a second run only re-installs when the project changed.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench figures clean chromium axe bytecode

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=/path/to/python3.11)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(RUN_STAMP)

# An editable install is not byte-compiled by pip, and where PYTHONDONTWRITEBYTECODE is
# set (as on the machines this project is built on) Python never writes .pyc files
# itself: every command would compile the package's source again, about 100 ms of a
# short command's start-up (bench/startup.py). compileall only rewrites what changed.
bytecode: $(RUN_STAMP)
	@$(BIN)/python -m compileall -q src/relieve >/dev/null

# The main job: the local web app on http://127.0.0.1:8000/ (HOST=, PORT= to change it).
HOST ?= 127.0.0.1
PORT ?= 8000
run: $(RUN_STAMP) bytecode
	$(BIN)/relieve serve --host $(HOST) --port $(PORT)

# PostgreSQL runs too when a server answers at 127.0.0.1:5432 (database `test`); each
# test uses its own schema and drops it. Otherwise the PostgreSQL tests skip, and say why.
PG_TEST_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
PG_CHECK := import psycopg; psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=2).close()

# The browser tests drive Debian's chromium (never a downloaded browser): installed here
# when missing; where apt-get cannot install it, those tests skip and say why.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium || true; \
		elif command -v sudo >/dev/null 2>&1; then sudo -n apt-get update -qq && sudo -n apt-get install -y -qq chromium || true; fi; \
		command -v chromium >/dev/null 2>&1 || echo "chromium not installed: the browser tests will skip"; }

# The browser tests' accessibility check injects axe-core, from the npm registry into
# build/npm (not committed); where npm or the registry is missing, those checks skip and say why.
AXE := build/npm/node_modules/axe-core/axe.min.js
axe:
	@test -f $(AXE) || { \
		if command -v npm >/dev/null 2>&1; then npm install --prefix build/npm --no-audit --no-fund --silent axe-core@4 || true; fi; \
		test -f $(AXE) || echo "axe-core not installed: the accessibility checks will skip"; }

test: $(TEST_STAMP) bytecode chromium axe
	@if [ -n "$$RELIEVE_TEST_POSTGRES_URL" ]; then \
		echo "PostgreSQL tests: $$RELIEVE_TEST_POSTGRES_URL (from the environment)"; \
		$(BIN)/python -m pytest -q; \
	elif why=$$($(BIN)/python -c '$(PG_CHECK)' 2>&1); then \
		echo "PostgreSQL tests: $(PG_TEST_URL)"; \
		RELIEVE_TEST_POSTGRES_URL='$(PG_TEST_URL)' $(BIN)/python -m pytest -q; \
	else \
		echo "PostgreSQL tests skipped: no server answers at 127.0.0.1:5432 (database test): $$(echo "$$why" | tail -1)"; \
		$(BIN)/python -m pytest -q; \
	fi

bench: $(TEST_STAMP) bytecode
	$(BIN)/python bench/run_all.py

# The review gallery: every card and every technique picture, both sides (not committed).
figures: $(RUN_STAMP)
	$(BIN)/python -m relieve.figures.gallery build/gallery

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
