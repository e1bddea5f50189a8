# Two commands on a fresh Debian machine with Python 3.11:
#   make run    the app on the demo data (creates everything it needs)
#   make test   the whole test suite (import contracts, lint, pytest)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

QM     := resources/translations/carbondesk_zh_CN.qm

.PHONY: run cli-demo test lint bench bench-scale crash system-deps translations installer clean

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml constraints.txt
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

$(QM): resources/translations/carbondesk_zh_CN.ts $(STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

translations: $(QM)

# The window on the demo workspace (created on first use in the user's data directory).
run: $(STAMP) $(QM)
	$(BIN)/carbondesk-gui --demo

# The same demo, headless: the year's figures and findings printed by the command line.
cli-demo: $(STAMP)
	$(BIN)/carbondesk demo

lint: $(STAMP) $(QM)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The storage tests also run against a real PostgreSQL server on loopback (started by the script).
# The server it started is stopped when the tests end, whatever their result.
test: lint
	eval "$$(bash scripts/test-postgres.sh)" && status=0 && \
	  { QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest || status=$$?; } && \
	  { [ -z "$${CARBONDESK_TEST_PG_STARTED:-}" ] || bash scripts/test-postgres.sh --stop; } && exit $$status

# The frozen one-folder app and the NSIS installer script checked against it, then its smoke test.
installer: $(STAMP) $(QM)
	bash installer/build-linux.sh
	bash installer/smoke-test.sh dist/CarbonDesk

bench: $(STAMP) $(QM)
	$(BIN)/python tests/benchmarks/bench_engine.py
	$(BIN)/python tests/benchmarks/bench_storage.py
	$(BIN)/python tests/benchmarks/bench_package.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/benchmarks/bench_gui.py

# issue 15's checks from outside: check, calc --json and package at 12, 50, 200 and 800 units (about 5 minutes)
bench-scale: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_package.py --sizes 12,50,200,800

crash: $(STAMP)
	$(BIN)/python tests/crash/crash_test.py --kills 200

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .import_linter_cache demo-output
