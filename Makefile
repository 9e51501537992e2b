# `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-stress lint typecheck pytest browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tbtwarn --config config.toml init
	$(BIN)/tbtwarn --config config.toml import exporters warning/data/demo_exporters.csv
	$(BIN)/tbtwarn --config config.toml import exposure warning/data/demo_exposure.csv
	$(BIN)/tbtwarn --config config.toml run --once

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's chromium (never a downloaded one); install it
# on a bare machine, with a CJK font so Chinese pages and screenshots show their
# glyphs (not boxes). Set TBTWARN_SKIP_BROWSER=1 to skip those tests instead.
browser:
	@if [ "$$TBTWARN_SKIP_BROWSER" != "1" ] && { [ ! -x /usr/bin/chromium ] || \
		! dpkg -s fonts-noto-cjk >/dev/null 2>&1; }; then \
		apt-get update && apt-get install -y chromium fonts-noto-cjk; \
	fi

# The suite runs in PYTEST_WORKERS processes (pytest-xdist; 0 runs it in this
# one): every test has its own folder and, on PostgreSQL, its own database, so
# they share nothing. Work stealing keeps both busy past the long tests.
PYTEST_WORKERS ?= 2
pytest: $(STAMP) browser
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist worksteal

test: lint typecheck pytest

# The reliability suite under CPU contention (not part of `test`): one busy loop
# per core, started here and stopped whatever happens (trap), the suite run
# STRESS_RUNS times in a row; fails if any run failed.
STRESS_RUNS ?= 5
test-stress: $(STAMP)
	@burners=""; \
	trap 'kill $$burners 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	for core in $$(seq $$(nproc)); do $(BIN)/python -c 'while True: pass' & burners="$$burners $$!"; done; \
	echo "test-stress: $$(nproc) CPU burners:$$burners"; \
	failed=0; \
	for run in $$(seq $(STRESS_RUNS)); do \
		echo "test-stress: run $$run of $(STRESS_RUNS)"; \
		$(BIN)/pytest -q -p no:cacheprovider tests/reliability || failed=$$((failed + 1)); \
	done; \
	echo "test-stress: $$(($(STRESS_RUNS) - failed)) of $(STRESS_RUNS) runs passed"; \
	test $$failed -eq 0

clean:
	rm -rf var .mypy_cache .pytest_cache .ruff_cache
