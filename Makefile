# okd-streams: `make check` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup check test lint bench fuzz docs schemas clean

help: ## Show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv with okd-streams installed (editable); idempotent

check: setup ## Render, lint and contract-check every stream; fail when docs/ is stale
	@$(BIN)/okd-streams check
	@$(BIN)/okd-streams docs --check --quiet

test: setup ## Run the test suite on every core (pytest-xdist)
	$(BIN)/pytest -q -n auto

lint: setup ## ruff (lint, then format check) and mypy, as CI runs them
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/ruff format --check .

bench: setup ## Benchmark check/lint against a plain kustomize loop and tekton-lint
	$(BIN)/python benchmarks/bench.py

fuzz: setup ## Longer property-based run over hostile YAML
	OKD_STREAMS_FUZZ_EXAMPLES=5000 $(BIN)/pytest tests/bad_input -q -n auto

docs: setup ## Regenerate docs/reference/rules.md and docs/reference/streams.md
	$(BIN)/okd-streams docs

schemas: setup ## Re-derive okd_streams/schema/data from ../shared/schemas (SCHEMAS=dir to override)
	$(BIN)/python -m okd_streams.schema.derive $(if $(SCHEMAS),--source $(SCHEMAS))

clean: ## Remove .venv and caches
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache .mypy_cache
