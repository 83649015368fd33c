# veloxapi developer commands. On a fresh machine only python3 (>= 3.11) is needed:
#   make run    serve the demo service (examples/demo) on http://127.0.0.1:8000 (HOST=, PORT=)
#   make test   lint, type-check and run the project's tests
# Every target that needs the dev environment builds .venv first (once).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.veloxapi-installed
EXTRAS := dev,standard,jwt,redis,metrics,settings,postgres,orjson,ujson,db,otel
PIP := $(BIN)/python -m pip --disable-pip-version-check
PYTEST_ARGS ?= -n 2 tests
CONFORMANCE_ARGS ?=

.PHONY: venv test lint typecheck pytest run conformance readme-table bench bench-quick profile

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "veloxapi needs Python >= 3.11; $(PYTHON) is " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[$(EXTRAS)]"
	touch $@

# Runs every check even when an earlier one fails, then fails if any did.
test: venv
	@status=0; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory typecheck || status=1; \
	$(MAKE) --no-print-directory pytest || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see above)"; fi; \
	exit $$status

lint: venv
	$(BIN)/ruff check src tests conformance examples
	$(BIN)/ruff format --check src tests conformance examples

typecheck: venv
	$(BIN)/mypy

# pytest exits 5 when it collects no test; that is reported, not treated as a failure.
pytest: venv
	@$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest: no tests were collected"; exit 0; fi; \
	exit $$status

HOST ?= 127.0.0.1
PORT ?= 8000

# The inventory demo on embedded defaults: SQLite under examples/demo/.data, in-memory stores.
run: venv
	$(BIN)/uvicorn --factory --app-dir examples demo.main:create_app --host $(HOST) --port $(PORT)

# FastAPI's test-suite against veloxapi, in its own venv under .cache/conformance.
# CONFORMANCE_ARGS="--check-floor" (or CONFORMANCE_CHECK_FLOOR=1) fails below the floor.
conformance:
	$(PYTHON) conformance/run.py $(CONFORMANCE_ARGS)
	$(PYTHON) conformance/readme_table.py

readme-table:
	$(PYTHON) conformance/readme_table.py

# Benchmarks against FastAPI and Litestar (see benchmarks/README.md).
bench: venv
	$(MAKE) -C benchmarks

bench-quick: venv
	$(MAKE) -C benchmarks bench-quick

# make profile SCENARIO=path_query [FRAMEWORK=fastapi]
profile: venv
	$(MAKE) -C benchmarks profile SCENARIO=$(SCENARIO) $(if $(FRAMEWORK),FRAMEWORK=$(FRAMEWORK))
