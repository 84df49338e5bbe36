# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo lint format typecheck bench screenshots clean

CHROMIUM := /usr/bin/chromium
NO_CHROMIUM := the browser tests (tests/browser) need Debian's Chromium and a CJK font: sudo apt-get install chromium fonts-noto-cjk

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## start the whole service: Temporal dev server, worker, API
	$(BIN)/agencyflow dev

test: $(STAMP)  ## run the whole suite (the browser tests too, when Chromium is installed)
	@if [ -x $(CHROMIUM) ]; then $(BIN)/pytest; \
	else echo "!! NOT RUN: $(NO_CHROMIUM)"; $(BIN)/pytest --ignore=tests/browser; \
	     echo "!! NOT RUN: $(NO_CHROMIUM)"; fi

screenshots: $(STAMP)  ## pictures of the console's main pages, into docs/screenshots/
	@test -x $(CHROMIUM) || { echo "$(NO_CHROMIUM)"; exit 1; }
	AGENCYFLOW_SCREENSHOTS=docs/screenshots $(BIN)/pytest -p no:randomly -q tests/browser/test_screenshots.py

demo: $(STAMP)  ## one project from contract to closure on a private stack, in about a minute
	$(BIN)/agencyflow demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	@set -e; for script in $(wildcard bench/*.py); do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
