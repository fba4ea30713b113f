# Two commands a fresh machine needs: `make demo` (set up, analyse the sample corpus) and
# `make test` (set up, run the tests).  torch is pinned to the CPU build on disk first, so
# that sentence-transformers does not pull gigabytes of CUDA.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[full,dev,spark]"
	touch $(STAMP)

.PHONY: setup demo test test-all eval bench
setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/filiation analyze examples/seeds --out results/

# what CI runs: everything but the tests marked slow (100 kill -9 trials of 'archive add', ...)
test: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

test-all: $(STAMP)
	$(PY) -m pytest -q

eval: $(STAMP)
	$(VENV)/bin/filiation eval --data ../shared/data

bench: $(STAMP)
	$(PY) bench/bench_lexical.py --docs 20000
	$(PY) bench/bench_full.py --docs 20000
