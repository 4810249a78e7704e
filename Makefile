# The two set-up commands: `make demo` and `make test`. Both build their own environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-sqlite test-postgres lint bench smoke clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/autoshares-bot demo

test: lint
	$(BIN)/python -m pytest -q

test-postgres: lint
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage sandbox tests bench .ci
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

bench: $(STAMP)
	$(BIN)/python -m bench

# The wheel as a new user runs it: built, installed into a fresh virtualenv, and run from an
# empty folder holding a .env (check, db upgrade, serve, /healthz, one signed command).
smoke: $(STAMP)
	rm -rf build/smoke && mkdir -p build/smoke
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir build/smoke/dist .
	$(PYTHON) -m venv build/smoke/venv
	build/smoke/venv/bin/pip install --quiet build/smoke/dist/*.whl
	cd "$$(mktemp -d)" && $(CURDIR)/build/smoke/venv/bin/python $(CURDIR)/.ci/smoke.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
