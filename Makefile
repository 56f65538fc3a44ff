# Two entry points for a fresh machine: `make run` (default scenario) and `make test`.
# Both create .venv with Python >= 3.12 (found by tools/find-python) on first use.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUT ?= results/default
ARGS ?=

.PHONY: run test test-quick golden lint bench clean

$(STAMP): pyproject.toml
	@PYBIN=$$(tools/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$PYBIN"; $$PYBIN -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/doorstroom run --out $(OUT) $(ARGS)

# the suite runs in one worker process per CPU (pytest-xdist); TEST_WORKERS=0 runs it in this process
TEST_WORKERS ?= auto

test: $(STAMP)
	@tools/ensure-chromium
	$(PY) -m pytest -q -n $(TEST_WORKERS)

test-quick: $(STAMP)
	@tools/ensure-chromium
	$(PY) -m pytest -q -m "not slow" -n $(TEST_WORKERS)

golden: $(STAMP)
	$(PY) tests/golden.py --write

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(VENV)/bin/doorstroom bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
