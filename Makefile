# Two commands do everything: `make run` and `make test` (see README.md).
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
PYTEST_ARGS ?=

.PHONY: run test test-fast bench lint format clean

# The venv is created once; requirements are re-installed only when they change (stamp files).
$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime-stamp: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-stamp: requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-stamp $@

run: $(VENV)/.runtime-stamp
	$(PY) -m streamlit run app.py --server.port $(PORT)

# The whole suite, real-browser tests included.
test: $(VENV)/.dev-stamp
	$(PY) -m pytest $(PYTEST_ARGS)

# Everything but the slow real-browser tests: for the edit-test loop.
test-fast: $(VENV)/.dev-stamp
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

bench: $(VENV)/.runtime-stamp
	$(PY) -m bench

lint: $(VENV)/.dev-stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-stamp
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
