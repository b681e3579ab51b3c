# `make serve` and `make test` bootstrap everything: the virtual environment, the
# package and its dependencies, and (through the app) the embedded PostgreSQL.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install serve test lint format schema assets examples

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "graph-api needs Python >= 3.11; set PYTHON=python3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

serve: $(STAMP)
	$(BIN)/graph-api serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff, mypy strict, and the layers' import contract ([tool.importlinter] in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy graph_api loaders
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(STAMP)
	$(BIN)/graph-api export-schema > schema.graphql

# GraphiQL's bundle (graph_api/static/graphiql/) and /explore's (graph_api/static/explore/),
# rebuilt from frontend/graphiql/ and frontend/explore/ with the locked npm packages; the
# built files are committed, so `make serve` needs no node
assets: examples
	cd frontend/graphiql && npm ci --no-audit --no-fund && npm run build
	cd frontend/explore && npm ci --no-audit --no-fund && npm run build

# GraphiQL's example tabs: the README's operations (a test keeps them equal)
examples: $(STAMP)
	$(BIN)/python -m graph_api.graphiql README.md
