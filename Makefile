# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each step leaves a stamp, so running them again skips what is already built.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := $(VENV)/.stamps
WENGAO := $(BIN)/wengao
# The browser tests drive Debian's Chromium (Playwright's own browser download is never used);
# a CJK font makes the Chinese in their screenshots legible.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup models test-models index run test lint clean-index browser

setup: $(STAMPS)/deps

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# torch is installed first and alone: this exact CPU build is what the pinned
# dependencies then accept, instead of pulling a multi-GB CUDA build.
# llama-cpp-python compiles from source once (about 6 minutes); pip keeps the wheel.
$(STAMPS)/deps: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --upgrade pip setuptools wheel
	$(BIN)/pip install torch==2.13.0
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install -c requirements.lock -e '.[dev]'
	@mkdir -p $(STAMPS) && touch $@

# What the workspace needs: the embedding model and the configured generator.
models: setup
	$(WENGAO) models pull

# What the tests load: the embedding model and every bundled generator (the browser,
# load and model-server tests use the small one). Each is checked and skipped when present.
test-models: setup
	$(WENGAO) models pull --llm all

# An index this version cannot search (none yet, or an earlier format) is built: again from the
# folders it was built from when it names them (exit 1 is a file not fully indexed, still built),
# else from the bundled corpus.
index: models
	@$(WENGAO) chunks >/dev/null 2>&1 || { $(WENGAO) ingest 2>/dev/null; [ $$? -le 1 ]; } || $(WENGAO) ingest data/corpus

# Prints the address to open (http://127.0.0.1:7860); Ctrl-C stops it.
run: index
	$(WENGAO) serve

browser: $(CHROMIUM) $(CJK_FONT)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y chromium

$(CJK_FONT):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y fonts-wqy-microhei

test: test-models browser
	$(BIN)/ruff check .
	$(BIN)/pytest -q -ra

clean-index:
	rm -rf "$$($(BIN)/python -c 'from rag.settings import load_settings; print(load_settings().index_dir)')"
