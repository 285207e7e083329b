# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint demo bench-quick clean serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[api,dev]"
	touch $(STAMP)

run: $(STAMP)
	@mkdir -p out
	$(BIN)/pmo solve examples/demo.json -o out/demo-plan.json --report out/demo-report.md

test: $(STAMP) lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check model solver api benchmarks tests
	$(BIN)/mypy

serve: $(STAMP)
	$(BIN)/pmo serve

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
