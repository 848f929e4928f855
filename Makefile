# The two commands of the README: `make run` and `make test`. Both bootstrap uv and .venv themselves.
PYTHON ?= python3
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# Let Python keep the bytecode it compiles (__pycache__, ignored by git). Some shells and CI images
# set PYTHONDONTWRITEBYTECODE, and then every process compiles every module it imports from
# source again: each CLI subprocess and app server of the test suite paid 1.5-3 s for it, and each
# pytest worker 10 s of assertion rewriting (docs/development.md, "Time budget").
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Participants of the simulated trial `make run` seeds once beside the demo clinic, in its past
# (about 10 s; 0: none; ADR 0219). Its statistician sim.stat opens the study page and report.
DEMO_TRIAL ?= 24
# pytest-xdist workers: one per CPU (`make test WORKERS=0` runs in one process). pytest-randomly
# shuffles the order on every run and prints its seed; repeat an order with
# `make test PYTEST_ARGS=--randomly-seed=N` (`-p no:randomly` keeps file order; docs/development.md).
WORKERS ?= auto
PYTEST_ARGS ?=
PYTEST := $(VENV)/pytest -n $(WORKERS) $(PYTEST_ARGS)

.PHONY: run test suite setup lint typecheck contracts unit contract integration e2e clinical bench bench-api bench-demo clean fuzz slow test-slow

.venv/.synced: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: .venv/.synced

run: setup
	$(VENV)/mdma-at db upgrade
	$(VENV)/mdma-at db seed-demo --if-empty --trial $(DEMO_TRIAL)
	$(VENV)/mdma-at serve --host $(HOST) --port $(PORT)

lint: setup
	$(VENV)/ruff check src tests bench
	$(VENV)/ruff format --check src tests bench

typecheck: setup
	$(VENV)/mypy

contracts: setup
	$(VENV)/lint-imports

unit: setup
	$(PYTEST) tests/unit tests/clinical -q

# The adapter contract: every repository test on the in-memory fake, SQLite and PostgreSQL (ADR 0006).
contract: setup
	$(PYTEST) tests/contract -q

integration: setup
	$(PYTEST) tests/integration -q

# A long schemathesis run of the whole API on SQLite and PostgreSQL (the test suite runs ~300
# cases per database): FUZZ_EXAMPLES cases per operation, same seed every run.
FUZZ_EXAMPLES ?= 300
fuzz: setup
	MDMA_AT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/pytest tests/integration/test_api_fuzz.py -q

e2e: setup
	$(PYTEST) tests/e2e -q

# mypy (≈ 50 s on one core) runs beside the test suite instead of before it, while pytest's workers
# wait on app servers and browsers; either failing fails `make test`, after both have finished.
test: lint contracts
	@$(MAKE) --no-print-directory -j2 typecheck suite

# --durations: every run (CI's included) names its 25 slowest tests, for the 10-minute budget.
suite: setup
	$(PYTEST) -q --durations=25 -m "not exhaustive and not slow"

# The cases `make test` leaves out because a representative case proves the same rule (e.g. the
# tamper suite's attack on every sealed table, not only on a few): before a release.
slow: setup
	$(PYTEST) -q -m exhaustive

bench: setup
	$(VENV)/python bench/mmrm.py

# Vital signs through the real HTTP API on SQLite and PostgreSQL against the raw driver
# (docs/performance.md); `make bench-api BENCH_ARGS=--quick` is a smoke run of about a minute a database.
BENCH_ARGS ?=
bench-api: setup
	$(VENV)/python bench/api.py $(BENCH_ARGS)

# The long simulations (issue 19): the demo trial of 104 against MAPP2, 500 null replicates.
test-slow: setup
	$(PYTEST) -q -m slow

# Seconds for 104 and 1,040 simulated participants through the services, and their ratio.
bench-demo: setup
	$(VENV)/python bench/demo.py

clean:
	rm -rf .venv var/*.db* .pytest_cache .mypy_cache .ruff_cache
