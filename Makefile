# Two commands for a fresh machine (see README):
#   make serve   build the graph, load the store and serve it on http://127.0.0.1:8000/
#   make test    lint and run every test, slow ones (browser, load, faults) included
# Both create .venv and install the pinned dependencies when missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/kg serve

lint: $(STAMP)
	$(BIN)/ruff check src tests server.py

test: lint
	$(BIN)/python -m pytest -m "" -q
