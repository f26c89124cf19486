# Two commands set everything up on a fresh machine with Python 3.11:
#   make run   - create .venv, install relieve, start the main job
#   make test  - create .venv, install the test extras, run the whole suite
#   make figures - build/gallery/index.html: every muscle's card and technique pictures
# Each target is idempotent: a stamp file records what was installed from which
# pyproject.toml, so a second run only re-installs when the project changed.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench figures clean

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

run: $(RUN_STAMP)
	$(BIN)/relieve --help

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q

bench: $(TEST_STAMP)
	$(BIN)/python bench/run_all.py

# The review gallery: every card and every technique picture, both sides (not committed).
figures: $(RUN_STAMP)
	$(BIN)/python -m relieve.figures.gallery build/gallery

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
