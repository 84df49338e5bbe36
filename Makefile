# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo lint format typecheck bench screenshots clean lock images

CHROMIUM := /usr/bin/chromium
NO_CHROMIUM := the browser tests (tests/browser) need Debian's Chromium and a CJK font: sudo apt-get install chromium fonts-noto-cjk

LOCK := requirements-dev.lock

# Every version and its hash from the lock file, so that a fresh machine installs what CI
# tested; then agencyflow itself, editable. `make lock` re-resolves after pyproject changes.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lock:  ## re-resolve requirements.lock (the image) and requirements-dev.lock from pyproject.toml
	test -x .venv-lock/bin/pip-compile || { $(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install --quiet pip-tools; }
	.venv-lock/bin/pip-compile $(LOCK_FLAGS) -o requirements.lock pyproject.toml
	.venv-lock/bin/pip-compile $(LOCK_FLAGS) --extra dev -o requirements-dev.lock pyproject.toml

LOCK_FLAGS := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links

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

images: $(STAMP)  ## the Dockerfile linted, the compose file checked against the compose schema
	$(BIN)/hadolint docker/Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker/compose.yml

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	@set -e; for script in $(wildcard bench/*.py); do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
