# Two commands do everything: `make run` and `make test` (see README.md).
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
PORT   ?= 8501
PYTEST_ARGS ?=
# A wheel index for torch alone, e.g. https://download.pytorch.org/whl/cpu (CPU only, small) or
# https://download.pytorch.org/whl/cu128 (CUDA). Empty: torch comes from pip's usual index.
TORCH_INDEX ?=
TORCH_PIN := $(shell grep -E '^torch==' requirements.txt | cut -d' ' -f1)

.PHONY: run test test-fast test-repeat bench lint format clean loadtest serve-many i18n

# The venv is created once; requirements are re-installed only when they change (stamp files).
$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# torch first, from TORCH_INDEX when one is given. The stamp records that index, so naming a
# different one later swaps the build in place; an empty TORCH_INDEX keeps whatever is there.
ifneq ($(TORCH_INDEX),)
ifneq ($(TORCH_INDEX),$(shell cat $(VENV)/.torch-stamp 2>/dev/null))
.PHONY: $(VENV)/.torch-stamp
endif
endif
$(VENV)/.torch-stamp: | $(PY)
ifneq ($(TORCH_INDEX),)
	$(PY) -m pip uninstall --quiet --yes torch
	$(PY) -m pip install --quiet "$(TORCH_PIN)" --index-url $(TORCH_INDEX)
endif
	@echo "$(TORCH_INDEX)" > $@

$(VENV)/.runtime-stamp: requirements.txt $(VENV)/.torch-stamp | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-stamp: requirements-dev.txt requirements.txt $(VENV)/.runtime-stamp | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The project itself, in editable mode: the venv's python imports engine (and viz, pages) from
# any directory, and edits here take effect without reinstalling.
$(VENV)/.editable-stamp: pyproject.toml | $(PY)
	$(PY) -m pip install -qq --no-deps -e .
	touch $@

run: $(VENV)/.runtime-stamp $(VENV)/.editable-stamp
	$(PY) -m streamlit run app.py --server.port $(PORT)

# The whole suite, real-browser tests included.
test: $(VENV)/.dev-stamp $(VENV)/.editable-stamp
	$(PY) -m pytest $(PYTEST_ARGS)

# Everything but the slow real-browser tests: for the edit-test loop.
test-fast: $(VENV)/.dev-stamp $(VENV)/.editable-stamp
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# The race, training and gradient-flow tests (engine and page) again: under 1 and 2 OpenMP
# threads, with torch's deterministic algorithms only, and with the plain (non-vectorised) CPU
# kernels. Their outcome must not depend on how a machine rounds.
REPEAT_TESTS ?= tests/engine/nets/test_race.py tests/engine/nets/test_model_chunks.py \
	tests/engine/nets/test_training.py \
	tests/engine/nets/test_probes.py tests/engine/nets/test_presets.py tests/pages/test_race.py \
	tests/pages/test_gradient_flow.py
test-repeat: $(VENV)/.dev-stamp $(VENV)/.editable-stamp
	OMP_NUM_THREADS=1 $(PY) -m pytest -q $(REPEAT_TESTS) $(PYTEST_ARGS)
	OMP_NUM_THREADS=2 $(PY) -m pytest -q $(REPEAT_TESTS) $(PYTEST_ARGS)
	GRADLAB_DETERMINISTIC=1 $(PY) -m pytest -q $(REPEAT_TESTS) $(PYTEST_ARGS)
	ATEN_CPU_CAPABILITY=default $(PY) -m pytest -q $(REPEAT_TESTS) $(PYTEST_ARGS)

bench: $(VENV)/.runtime-stamp $(VENV)/.editable-stamp
	$(PY) -m bench

# A class of browser sessions against the app (tests/load/): N in the classroom pattern, MIXED
# (default min(N, 20)) spread over the pages; URL= an app already running; PROCS=2 through
# nginx. Prints its figures against the targets; fails on an error, cross-talk or no answer.
N ?= 30
MIXED ?=
URL ?=
LOADTEST_ARGS ?=
CLIENT ?= browser
LOAD_PROCS = $(if $(filter command line environment,$(origin PROCS)),$(PROCS),1)
loadtest: $(VENV)/.dev-stamp $(VENV)/.editable-stamp
	$(PY) -m tests.load --n $(N) $(if $(MIXED),--mixed $(MIXED)) --procs $(LOAD_PROCS) \
		--client $(CLIENT) $(if $(URL),--url $(URL)) $(LOADTEST_ARGS)

# PROCS Streamlit processes behind nginx on 127.0.0.1:PORT, sticky per browser (deploy/).
PROCS ?= 2
serve-many: $(VENV)/.runtime-stamp $(VENV)/.editable-stamp
	PYTHON=$(PY) deploy/serve_many.sh $(PROCS) $(PORT)

lint: $(VENV)/.dev-stamp $(VENV)/.editable-stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The translations (engine/core/locale/, see its GLOSSARY.md): re-extract every _() / N_() /
# ngettext() message of the code, merge them into each language's .po (new ones empty, for a
# translator to fill), and compile the .po files to the .mo files the app reads.
LOCALES := engine/core/locale
i18n: $(VENV)/.dev-stamp
	$(VENV)/bin/pybabel extract --ignore-dirs='.* __pycache__' --no-location --sort-output --omit-header -o $(LOCALES)/messages.pot \
		app.py pages viz engine
	$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete --width=100 -d $(LOCALES) \
		-i $(LOCALES)/messages.pot
	$(VENV)/bin/pybabel compile --statistics -d $(LOCALES)

format: $(VENV)/.dev-stamp
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts *.egg-info build
