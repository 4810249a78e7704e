# The two set-up commands: `make demo` and `make test`. Both build their own environment, from
# the lock: requirements/constraints.txt pins every package (`make lock` regenerates it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/constraints.txt
# The extras a developer's environment has: the tests, the chart images they check, the demo.
EXTRAS := test,charts,demo
# pip-tools runs from its own environment, so the project's stays exactly the lock.
PIP_TOOLS := build/pip-tools
# e.g. `make lock LOCK_ARGS=--upgrade` or `make lock LOCK_ARGS='--upgrade-package httpx'`
LOCK_ARGS ?=

.PHONY: demo test test-sqlite test-postgres lint bench smoke lock clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[$(EXTRAS)]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/autoshares-bot demo

# The suite runs many Python processes (pytest's workers, the CLI, `serve`, the demo): let them
# cache compiled bytecode and pytest's rewritten test modules, whatever the shell says.
unexport PYTHONDONTWRITEBYTECODE
# Workers: one and a half per core on SQLite (the scenario tests wait on sockets and
# subprocesses part of the time), one per core on PostgreSQL (the replica tests start three bot
# processes of their own); they steal work from each other so that none idles while another has
# a queue.
WORKERS ?= $(shell $(PYTHON) -c 'import os; n = os.cpu_count() or 2; \
	print(n if os.environ.get("TEST_DATABASE_URL") else max(2, n * 3 // 2))')

# The suite; pytest's exit 5 (it collected no test) fails like any other failure, saying so.
PYTEST_RUN = $(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal; status=$$?; \
	[ $$status -ne 5 ] || echo "pytest collected no test (exit 5): check testpaths and any -k/-m selection" >&2; \
	exit $$status

test: lint
	$(PYTEST_RUN)

test-postgres: WORKERS = $(shell $(PYTHON) -c 'import os; print(os.cpu_count() or 2)')
test-postgres: lint
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PYTEST_RUN)

lint: $(STAMP)
	$(BIN)/ruff check bot handlers storage sandbox tests bench .ci
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

bench: $(STAMP)
	$(BIN)/python -m bench

# The wheel as a new user runs it: built, installed without extras (at the locked versions) into
# a fresh virtualenv, and run from an empty folder holding a .env (check, db upgrade, serve,
# /healthz, one signed command, and the demo's word on its missing extra).
smoke: $(STAMP)
	rm -rf build/smoke && mkdir -p build/smoke
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir build/smoke/dist .
	$(PYTHON) -m venv build/smoke/venv
	build/smoke/venv/bin/pip install --quiet -c $(LOCK) build/smoke/dist/*.whl
	cd "$$(mktemp -d)" && $(CURDIR)/build/smoke/venv/bin/python $(CURDIR)/.ci/smoke.py

# Regenerate the lock from pyproject.toml, every extra included; existing pins are kept unless
# LOCK_ARGS says otherwise. Commit the result with the pyproject.toml change that needed it.
lock:
	test -x $(PIP_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(PIP_TOOLS) && \
		$(PIP_TOOLS)/bin/pip install --quiet 'pip-tools>=7.5,<8'; }
	$(PIP_TOOLS)/bin/pip-compile --quiet --all-extras --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file $(LOCK) $(LOCK_ARGS) pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
