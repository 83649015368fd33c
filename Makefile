# veloxapi developer commands. On a fresh machine only python3 (>= 3.11) is needed:
#   make run    serve the demo service (examples/demo) on http://127.0.0.1:8000 (HOST=, PORT=)
#   make test   lint, type-check and run the project's tests
#   make soak   a long reliability soak (SOAK_DURATION=300 SOAK_CONCURRENCY=32 SOAK_CONFIG=batteries)
# Every target that needs the dev environment builds .venv first (once).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.veloxapi-installed
# The deployment-file checkers (~160 MB) are needed by the tests only, not by `make run`.
CHECKS_STAMP := $(VENV)/.veloxapi-deploy-check-installed
# Libraries built on FastAPI, for tests/e2e/compat_libs only (see its requirements.txt).
COMPAT_LIBS := .cache/compat-libs
COMPAT_LIBS_STAMP := $(COMPAT_LIBS)/.installed
EXTRAS := dev,standard,cli,yaml,jwt,redis,metrics,settings,postgres,orjson,ujson,db,tasks,inference-demo,sbom,docs,otel
PIP := $(BIN)/python -m pip --disable-pip-version-check
PYTEST_ARGS ?= -n 2 tests
CONFORMANCE_ARGS ?=

.PHONY: venv compat-libs test lint typecheck pytest run conformance conformance-baseline readme-table bench bench-quick bench-instructions bench-breakdown profile docs soak

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "veloxapi needs Python >= 3.11; $(PYTHON) is " + sys.version.split()[0])'
	@echo "==> [1/3] virtual environment in $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> [2/3] upgrading pip"
	$(PIP) install --progress-bar off --upgrade pip
	@echo "==> [3/3] installing veloxapi (editable) with extras $(EXTRAS)"
	$(PIP) install --progress-bar off -e ".[$(EXTRAS)]"
	@touch $@
	@echo "==> $(VENV) is ready"

$(CHECKS_STAMP): $(STAMP)
	@echo "==> installing the deployment-file checkers (extra deploy-check)"
	$(PIP) install --progress-bar off -e ".[deploy-check]"
	@touch $@

compat-libs: $(COMPAT_LIBS_STAMP)

$(COMPAT_LIBS_STAMP): tests/e2e/compat_libs/requirements.txt $(STAMP)
	@echo "==> installing the FastAPI ecosystem libraries into $(COMPAT_LIBS) (no dependencies)"
	rm -rf $(COMPAT_LIBS)
	$(PIP) install --progress-bar off --no-deps --target $(COMPAT_LIBS) -r tests/e2e/compat_libs/requirements.txt
	@touch $@

# Runs every check even when an earlier one fails, then fails if any did.
test: venv
	@status=0; \
	$(MAKE) --no-print-directory lint || status=1; \
	$(MAKE) --no-print-directory typecheck || status=1; \
	$(MAKE) --no-print-directory pytest || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see above)"; fi; \
	exit $$status

lint: venv
	$(BIN)/ruff check src tests conformance examples docs
	$(BIN)/ruff format --check src tests conformance examples docs/conf.py docs/_ext docs/guides/examples

typecheck: venv
	$(BIN)/mypy

# pytest exits 5 when it collects no test; that is reported, not treated as a failure.
pytest: venv $(CHECKS_STAMP) $(COMPAT_LIBS_STAMP)
	@$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest: no tests were collected"; exit 0; fi; \
	exit $$status

# The on-demand soak (docs/hardening.md); a 10 s form runs in `make test`.
SOAK_DURATION ?= 300
SOAK_CONCURRENCY ?= 32
SOAK_CONFIG ?= batteries
SOAK_ARGS ?= --max-rss-slope 1.0
soak: venv
	$(BIN)/python tests/e2e/reliability/run.py soak --duration $(SOAK_DURATION) \
		--concurrency $(SOAK_CONCURRENCY) --config $(SOAK_CONFIG) $(SOAK_ARGS)

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
	$(PYTHON) conformance/anomalies.py

# FastAPI's suite on FastAPI itself (its own venv): the baseline conformance counts against.
conformance-baseline:
	$(PYTHON) conformance/baseline.py

readme-table:
	$(PYTHON) conformance/readme_table.py

# The documentation site, offline, into docs/_build/html; any warning (a broken link or
# reference, a docstring Sphinx cannot read) fails the build.
docs: venv
	$(BIN)/sphinx-build -q -W --keep-going -b html docs docs/_build/html
	@echo "docs: open docs/_build/html/index.html"

# Benchmarks against FastAPI and Litestar (see benchmarks/README.md).
bench: venv
	$(MAKE) -C benchmarks

bench-quick: venv
	$(MAKE) -C benchmarks bench-quick

# Instructions per request under callgrind (valgrind), every framework; README tables.
bench-instructions: venv
	$(MAKE) -C benchmarks instructions

# Where veloxapi's instructions go (layers, batteries), by ablation under callgrind.
bench-breakdown: venv
	$(MAKE) -C benchmarks breakdown

# make profile SCENARIO=path_query [FRAMEWORK=fastapi]
profile: venv
	$(MAKE) -C benchmarks profile SCENARIO=$(SCENARIO) $(if $(FRAMEWORK),FRAMEWORK=$(FRAMEWORK))
