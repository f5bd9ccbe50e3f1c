# The two commands of the README: `make demo` (the main job on the built-in mock survey) and
# `make test` (the whole test suite). Both create .venv and install what they need first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export MPLBACKEND := Agg

.PHONY: install demo test docs nbs bench clean help

help:
	@echo "make demo   run the main job on the built-in mock survey (report in runs/demo)"
	@echo "make test   run the whole test suite (notebooks + tests/), ends with 'N passed, N failed'"
	@echo "make docs   build the documentation site offline into _docs/"
	@echo "make nbs    re-execute every notebook and store its outputs for the docs"
	@echo "make bench  run the benchmarks (tables printed, JSON in bench/results/)"

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/jellyfish demo --out runs/demo

test: install
	$(BIN)/python tools/run_tests.py

docs: install
	$(BIN)/python tools/build_docs.py --out _docs

nbs: install
	$(BIN)/nbdev-export
	$(BIN)/nbdev-test --n-workers 2 --save
	$(BIN)/nbdev-clean

bench: install
	for b in bench/[a-z]*.py; do case $$b in bench/test_suite.py) ;; *) $(BIN)/python $$b || exit 1;; esac; done
	@echo "bench/test_suite.py (a fresh clone's make test, ~10 min) runs on its own: $(BIN)/python bench/test_suite.py"

clean:
	rm -rf _proc _docs runs build dist *.egg-info
