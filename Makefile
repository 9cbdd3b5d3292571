# Threads & Processes in Python: one command to open the course, one to test it.
#   make lab    install into .venv (first time only) and open JupyterLab on notebooks/
#   make test   every test: unit tests, browser test, and nbval over every notebook under
#               every start method this platform has, plus spawn on each other Python found
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
TESTS_STAMP := $(VENV)/.installed-tests
# Pauses in the notebooks are scaled by this factor under test (ratios hold; see helpers/config.py).
# nbval's options (lax mode, sanitizer, cell timeout, current env) live in tools/matrix.py.
TEST_TIME_SCALE ?= 0.25

.PHONY: install install-tests lab test unit notebooks other-pythons matrix soak bench handouts clean

# The course itself (what `make lab` needs), then the test tools on top (what `make test` needs).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(STAMP)

$(TESTS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(TESTS_STAMP)

install: $(STAMP)

install-tests: $(TESTS_STAMP)

# 127.0.0.1 only; Jupyter Server makes a fresh random token and prints the URL that carries it.
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
lab: install
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks \
		--ServerApp.default_url=/lab/tree/00_welcome.ipynb $(if $(filter 0,$(shell id -u)),--allow-root)

test: install-tests
	$(MAKE) unit
	$(MAKE) notebooks
	$(MAKE) other-pythons

unit: install-tests
	$(PY) -m pytest tests

# Every notebook under every start method this platform offers, with this .venv's Python.
# The runs go side by side: the notebooks mostly wait, and nbval checks outputs, not speed.
notebooks: install-tests
	$(PY) tools/matrix.py --jobs 3 --time-scale $(TEST_TIME_SCALE) --versions current \
		--methods $$($(PY) -c "import multiprocessing as m; print(*m.get_all_start_methods())")

# spawn (the strictest start method) on every other Python 3.10-3.13 found here, side by side.
other-pythons: install-tests
	$(PY) tools/matrix.py --jobs 3 --time-scale $(TEST_TIME_SCALE) --methods spawn --versions $$($(PY) -c "import sys; print(*[v for v in ['3.10', '3.11', '3.12', '3.13'] if v != '%d.%d' % sys.version_info[:2]])")

# The full grid: every start method on every Python version found (slow: several minutes per cell).
matrix: install-tests
	$(PY) tools/matrix.py --time-scale $(TEST_TIME_SCALE)

# Repeat the process notebooks under spawn and count hangs and leaked processes.
soak: install-tests
	$(PY) tools/soak.py --runs 20

# Every figure of the course measured on this machine, the report (bench-output/) and the
# performance budgets: python -m helpers.bench. The full run takes up to 10 minutes;
# `make bench BENCH_ARGS=--quick` takes about one. Exit status 1 if a budget is missed.
bench: install
	$(PY) -m helpers.bench $(BENCH_ARGS)

# Workshop handouts in handouts/: every notebook executed here, as a site and PDFs (learner's
# and instructor's), a one-page cheat sheet. Needs chromium. FAST=1: pauses scaled by 0.25.
handouts: install-tests
	$(PY) tools/handouts.py $(if $(FAST),--fast)

clean:
	rm -rf $(VENV) .venv-* build handouts test-output
