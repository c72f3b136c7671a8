# Two commands on a fresh machine with Python 3.11 and make:
#   make run   - install, migrate SQLite, load the Chicago demo, serve on http://127.0.0.1:8000
#   make test  - the whole test suite (DATABASE_URL selects the database; SQLite by default)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Running needs only the product's dependencies; testing adds the test and lint tools.
$(RUN_STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet --constraint requirements.lock --editable .
	@touch $(RUN_STAMP)

$(TEST_STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet --constraint requirements.lock --editable '.[test,dev]'
	@touch $(TEST_STAMP)

install: $(TEST_STAMP)

run: $(RUN_STAMP)
	@mkdir -p var
	$(BIN)/cpps migrate --no-input -v 0
	$(BIN)/cpps demo
	@echo ""
	@echo "  cpps is running at http://$(HOST):$(PORT)/  (demo community: http://$(HOST):$(PORT)/j/chicago/)"
	@echo "  Press Ctrl+C to stop."
	@echo ""
	DEBUG=1 $(BIN)/cpps runserver $(HOST):$(PORT) --noreload

test: $(TEST_STAMP)
	$(BIN)/pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy cpps
	$(BIN)/lint-imports

messages: $(TEST_STAMP)
	cd cpps && ../$(BIN)/cpps makemessages -l es --no-obsolete --ignore "engines/*" && ../$(BIN)/cpps compilemessages -l es

clean:
	rm -rf $(VENV) var
