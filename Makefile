# The README's commands. `make run` and `make test` set everything up from the
# repo's own files (pyproject.toml + constraints.txt) on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WAREHOUSE ?= data/warehouse
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90

.PHONY: setup run test check lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/news-etl ingest samples --warehouse $(WAREHOUSE)
	$(BIN)/news-etl report --warehouse $(WAREHOUSE)

test: $(STAMP)
	$(BIN)/python -m pytest

# The quick tier for everyday work: lint, then every test not marked slow.
check: lint
	$(BIN)/python -m pytest -m "not slow" -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/ingest_throughput.py
	$(BIN)/python bench/scrape_throughput.py
	$(BIN)/python bench/warc_throughput.py --sizes 2000
	$(BIN)/python bench/dask_throughput.py
	$(BIN)/python bench/prefect_task_overhead.py
	$(BIN)/python bench/eval_extraction.py
	$(BIN)/python bench/per_page_cost.py --cold
	$(BIN)/python bench/dedup_throughput.py
	$(BIN)/python bench/compaction.py --files 1000
	$(BIN)/python bench/site_boilerplate.py
	$(BIN)/python bench/report_time.py --articles 2000
	$(BIN)/python bench/cli_start.py
	$(BIN)/python bench/default_run.py --dask

# Debian's chromium, for the report's browser test (tests/flows/analysts/test_report_browser.py);
# installed only when missing (needs root, or sudo).
.PHONY: browser
browser:
	@test -x /usr/bin/chromium || { \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	@/usr/bin/chromium --version

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache .hypothesis
