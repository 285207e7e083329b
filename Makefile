# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint clean serve browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev,ray]"
	$(BIN)/python -m solver.search.warm  # numba compiles the population search's kernels into its cache once
	touch $(STAMP)

run: $(STAMP)
	@mkdir -p out
	$(BIN)/pmo solve examples/demo.json -o out/demo-plan.json --report out/demo-report.md

# every test, after ruff and mypy, on both cores (the tests that start a Ray share one: xdist_group "ray");
# prints how long the tests took
test: $(STAMP) lint browser
	@began=$$(date +%s); $(BIN)/pytest -n 2 --dist loadgroup; status=$$?; \
	echo "make test: tests took $$(( $$(date +%s) - began )) s"; exit $$status

# the fast tier: everything not marked slow
test-fast: $(STAMP)
	@began=$$(date +%s); $(BIN)/pytest -m "not slow"; status=$$?; \
	echo "make test-fast: tests took $$(( $$(date +%s) - began )) s"; exit $$status

# the planning service on SQLite at 127.0.0.1:8000 with the demo portfolio; prints the URL, the docs and a key
serve: $(STAMP)
	$(BIN)/pmo serve --host 127.0.0.1 --port 8000 --database sqlite:///./data/pmo.db --demo examples/demo.json

# Debian's Chromium for the browser tests (tests/api/ui), installed when missing and root; the
# charts need no front-end package (plain JS + SVG in api/ui/static), so there is no npm step
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } \
	            >/dev/null || echo "Chromium could not be installed: the browser tests will be skipped"; \
	    else echo "no /usr/bin/chromium (apt-get install chromium as root): the browser tests will be skipped"; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check model solver api benchmarks tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
