# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint clean serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	@mkdir -p out
	$(BIN)/pmo solve examples/demo.json -o out/demo-plan.json --report out/demo-report.md

# every test, after ruff and mypy; prints how long the tests took
test: $(STAMP) lint
	@began=$$(date +%s); $(BIN)/pytest; status=$$?; \
	echo "make test: tests took $$(( $$(date +%s) - began )) s"; exit $$status

# the fast tier: everything not marked slow
test-fast: $(STAMP)
	@began=$$(date +%s); $(BIN)/pytest -m "not slow"; status=$$?; \
	echo "make test-fast: tests took $$(( $$(date +%s) - began )) s"; exit $$status

# the planning service on SQLite at 127.0.0.1:8000 with the demo portfolio; prints the URL, the docs and a key
serve: $(STAMP)
	$(BIN)/pmo serve --host 127.0.0.1 --port 8000 --database sqlite:///./data/pmo.db --demo examples/demo.json

lint: $(STAMP)
	$(BIN)/ruff check model solver api benchmarks tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
