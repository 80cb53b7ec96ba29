# Two commands for a newcomer: `make run` (the app on http://127.0.0.1:8000) and `make test` (the whole suite).
# Both create .venv and install the pinned requirements first; nothing else is needed but Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
SCHEMATHESIS_SEED ?= 19
SCHEMATHESIS_EXAMPLES ?= 15

.PHONY: run test install lint format migrate seed worker beat bench-smoke schemathesis clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver $(HOST)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: install
	$(BIN)/celery -A config worker --loglevel INFO

beat: install
	$(BIN)/celery -A config beat --loglevel INFO

# schemathesis over every API operation with every check (also part of `make test`). Another seed explores other
# requests: `make schemathesis SCHEMATHESIS_SEED=1234`; more of them: `SCHEMATHESIS_EXAMPLES=100`.
schemathesis: install
	SCHEMATHESIS_SEED=$(SCHEMATHESIS_SEED) SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) \
		$(BIN)/pytest -q tests/api/test_schema.py $(PYTEST_ARGS)

bench-smoke: install
	$(BIN)/python -m bench.smoke

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
