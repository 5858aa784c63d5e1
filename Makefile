# The two commands of the README: `make test` and `make reproduce`.
# Both build .venv from nothing on a fresh machine (Python >= 3.11 with venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: test lint reproduce browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.stamp-run

# Headless Chromium for the report's page test; best effort (the test skips with a reason without it).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "chromium not installed: the report page test will be skipped"

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check --quiet src tests benchmarks

test: $(VENV)/.stamp-test browser lint
	$(BIN)/python -m pytest -q -n 2

reproduce: $(VENV)/.stamp-run
	$(BIN)/qdled reproduce --out qdled-report

bench: $(VENV)/.stamp-test
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) qdled-report
