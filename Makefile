# Threads & Processes in Python: one command to open the course, one to test it.
#   make lab    install into .venv (first time only) and open JupyterLab on notebooks/
#   make test   every test: lint and types, unit tests, browser test, and nbval over every notebook on one CPU,
#               under spawn on each other Python 3.10-3.13, on 3.14 and 3.15 with their default
#               start method; every start method this platform has at least once
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
TESTS_STAMP := $(VENV)/.installed-tests
# Pauses in the notebooks are scaled by this factor under test (ratios hold; see helpers/engine/config.py).
# nbval's options (lax mode, sanitizer, cell timeout, current env) live in tools/matrix.py.
TEST_TIME_SCALE ?= 0.25
# Notebook passes run this many at a time (tools/matrix.py --jobs).
TEST_JOBS ?= 3

# Bytecode is written (and reused) even where the environment says not to (PYTHONDONTWRITEBYTECODE=1 on
# this course's CI machines): else every kernel and every spawned child compiles its imports again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install install-tests lab test lint unit notebooks matrix soak bench bench-toolbox handouts clean

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

# The unit tests and the notebook passes run side by side: the unit tests mostly wait (on kernels,
# servers, a browser), about half a core on average. Each part's output is printed when that part ends.
# lint takes seconds and goes first in the queue.
test: install-tests
	@echo "== lint, unit tests and notebook passes, side by side: each prints when it ends (about 6-9 min on 2 cores)"
	$(MAKE) --no-print-directory -j2 --output-sync=target lint unit notebooks

# Style and types (settings in pyproject.toml: [tool.ruff], [tool.mypy]; CONTRIBUTING.md). `ruff format` is not used.
lint: install-tests
	$(BIN)/ruff check
	$(BIN)/mypy

unit: install-tests
	$(PY) -m pytest tests

# Every notebook, side by side (the notebooks mostly wait; nbval checks outputs, not speed):
# this .venv's Python with its default start method, pinned to one CPU; spawn on every other
# Python 3.10-3.13 found; 3.14 and 3.15 with their default start method (forkserver), exactly what a
# learner gets; a start method none of those covers runs on this .venv's Python (tools/matrix.py,
# test_suite). The Pythons are looked up on PATH, in pyenv and in /opt/debian-python/bin (.ci/run
# puts Debian's 3.14 and 3.15 there); each gets an environment made once by uv and kept in
# ~/.cache/threads-processes-course. Under CI ($$CI set) a missing 3.14 or 3.15 fails the run.
notebooks: install-tests
	$(PY) tools/matrix.py --suite test --jobs $(TEST_JOBS) --time-scale $(TEST_TIME_SCALE) \
		$(if $(CI),--require 3.14 3.15)

# The full grid: fork, spawn and forkserver on every Python 3.10-3.15 found (slow: minutes per pass).
matrix: install-tests
	$(PY) tools/matrix.py --jobs $(TEST_JOBS) --time-scale $(TEST_TIME_SCALE)

# Repeat the process notebooks under spawn and count hangs and leaked processes.
soak: install-tests
	$(PY) tools/soak.py --runs 20

# Every figure of the course measured on this machine, the report (bench-output/) and the
# performance budgets: python -m helpers.bench. The full run takes up to 10 minutes;
# `make bench BENCH_ARGS=--quick` takes about one. Exit status 1 if a budget is missed.
bench: install
	$(PY) -m helpers.bench $(BENCH_ARGS)

# The targets of notebooks 12-14, each a script that prints its figures and pass/fail (about 2 minutes):
# shared memory vs Queue for 100 MB, 1 000 requests to a local server on asyncio and on threads,
# hashlib vs a Python loop on 2 threads. All three run; the status is 1 if any missed its target.
bench-toolbox: install
	status=0; for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || status=1; done; exit $$status

# Workshop handouts in handouts/: every notebook executed here, as a site and PDFs (learner's
# and instructor's), a one-page cheat sheet. Needs chromium. FAST=1: pauses scaled by 0.25.
handouts: install-tests
	$(PY) tools/handouts.py $(if $(FAST),--fast)

clean:
	rm -rf $(VENV) .venv-* build handouts test-output .mypy_cache .ruff_cache
