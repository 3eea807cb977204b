# clientgen: the two commands a new user needs are `make generate` and `make test`.
# Both create .venv from pyproject.toml (pinned) when it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: generate test golden check typecheck fmt lint-docs e2e unit clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

generate: $(STAMP)
	$(PY) -m generator generate

golden: generate

check: $(STAMP)
	$(PY) -m generator generate --check

fmt: $(STAMP)
	$(PY) -m black generator tests bench

typecheck: $(STAMP)
	$(PY) -m mypy generator
	$(PY) -m mypy $(wildcard generated/*/[a-z]*_*/) $(wildcard generated/*/[a-z]*[a-z]/)

test: $(STAMP) $(NPM_STAMP)
	$(PY) -m black --check generator tests bench
	$(MAKE) --no-print-directory typecheck
	$(PY) -m pytest -p no:cacheprovider

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache build *.egg-info
