# Threads & Processes in Python: one command to open the course, one to test it.
#   make lab    install into .venv (first time only) and open JupyterLab on notebooks/
#   make test   every test: lint and types, unit tests, browser test, and nbval over every notebook on one CPU,
#               under spawn on each other Python 3.10-3.13, on 3.14, 3.15 and the free-threaded
#               3.14t with their default start method; every start method this platform has at least once
#   make lab PYTHON=python3.14t   (or make lab-ft) the course on the free-threaded build, in .venv-3.14t
PYTHON ?= python3
# A free-threaded Python (python3.14t: its name ends in t) gets an environment of its own, .venv-3.14t.
FREE_THREADED := $(filter python%t,$(notdir $(PYTHON)))
VENV   ?= $(if $(FREE_THREADED),.venv-$(patsubst python%,%,$(FREE_THREADED)),.venv)
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

.PHONY: install install-tests lab lab-ft lab-args test lint unit notebooks matrix soak bench bench-toolbox handouts clean

# The course itself (what `make lab` needs), then the test tools on top (what `make test` needs).
# pip is quiet, so say first what it does and for how long (measured: about 2.5 minutes, 420 MB, on a fresh clone).
$(STAMP): pyproject.toml binder/overrides.json
	@echo "== First time only: installing the course (JupyterLab, ipywidgets, matplotlib...: about 420 MB) into $(VENV)."
	@echo "   This takes about 2-3 minutes and prints nothing until it is done; later runs start at once."
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp binder/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

$(TESTS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(TESTS_STAMP)

install: $(STAMP)

install-tests: $(TESTS_STAMP)

$(VENV)/.kernel: $(STAMP)
	name=$$($(PY) -c 'import sys, sysconfig; print("python%d.%d" % sys.version_info[:2] + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""))') && \
	build=$$($(PY) -c 'import sysconfig; print("free-threaded, no GIL" if sysconfig.get_config_var("Py_GIL_DISABLED") else "with the GIL")') && \
	$(PY) -m ipykernel install --sys-prefix --name "$$name" --display-name "Course: Python $${name#python} ($$build)" >/dev/null && \
	echo "kernel '$$name' registered in $(VENV) (Course: Python $${name#python}, $$build)" && touch $@

# The course on the free-threaded build: python3.14t from the PATH, /opt/ft-python/bin or uv's installs
# (`uv python install 3.14t` gets one), in .venv-3.14t, with its own kernel.
lab-ft:
	@ft=$$(command -v python3.14t || { [ -x /opt/ft-python/bin/python3.14t ] && echo /opt/ft-python/bin/python3.14t; } \
		|| uv python find 3.14t 2>/dev/null || $(BIN)/uv python find 3.14t 2>/dev/null) || \
		{ echo "no python3.14t found: install one with 'uv python install 3.14t' (or python.org's installer, free-threaded option)" >&2; exit 1; }; \
	$(MAKE) --no-print-directory lab PYTHON="$$ft"

# 127.0.0.1 only; Jupyter Server makes a fresh random token and prints the URL that carries it.
# JupyterLab sets its own default_url (the launcher), so the first page is chosen with LabApp's, not ServerApp's
# (tests/test_lab_start.py follows the redirect of a running server). The course's JupyterLab settings
# (binder/overrides.json: no news pop-up, no update check) are installed into the venv with the course.
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
LAB_ARGS := --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00_welcome.ipynb
# A kernel named for the build (python3.14 / python3.14t) is registered inside the environment, once.
lab: install $(VENV)/.kernel
	@echo "== Opening JupyterLab on 00_welcome.ipynb (Ctrl+C twice here stops it)"
	$(BIN)/jupyter lab $(LAB_ARGS) $(if $(filter 0,$(shell id -u)),--allow-root)

# What `make lab` passes to jupyter lab (read by the tests).
lab-args:
	@echo $(LAB_ARGS)

# The unit tests and the notebook passes run side by side: the unit tests mostly wait (on kernels,
# servers, a browser), about half a core on average. Each part's output is printed when that part ends.
# lint takes seconds and goes first in the queue.
test: install-tests
	@echo "== lint, unit tests and notebook passes, side by side: each prints when it ends (about 20 min on 2 cores: seven notebook passes, 3.14t included)"
	$(MAKE) --no-print-directory -j2 --output-sync=target lint unit notebooks

# Style and types (settings in pyproject.toml: [tool.ruff], [tool.mypy]; CONTRIBUTING.md). `ruff format` is not used.
lint: install-tests
	$(BIN)/ruff check
	$(BIN)/mypy

# --durations: the 20 slowest tests in the log, where a maintainer looks first to shorten the run.
unit: install-tests
	$(PY) -m pytest tests --durations=20

# Every notebook, side by side (the notebooks mostly wait; nbval checks outputs, not speed):
# this .venv's Python with its default start method, pinned to one CPU; spawn on every other
# Python 3.10-3.13 found; 3.14, 3.15 and the free-threaded 3.14t (GIL off) with their default start
# method (forkserver), exactly what a learner gets; a start method none of those covers runs on this
# .venv's Python (tools/matrix.py, test_suite). The Pythons are looked up on PATH, in pyenv, in
# /opt/debian-python/bin (.ci/run puts Debian's 3.14 and 3.15 there) and /opt/ft-python/bin (.ci/run's
# ../shared/tools/ft-python: python3.14t); 3.14t also where `uv python find 3.14t` says. Each gets an
# environment made once by uv and kept in ~/.cache/threads-processes-course. Under CI ($$CI set) a
# missing 3.14, 3.15 or 3.14t fails the run.
notebooks: install-tests
	$(PY) tools/matrix.py --suite test --jobs $(TEST_JOBS) --time-scale $(TEST_TIME_SCALE) \
		$(if $(CI),--require 3.14 3.15 3.14t)

# The full grid: fork, spawn and forkserver on every Python 3.10-3.15 and 3.14t found (slow: minutes per pass).
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
# A notebook whose source, helpers/, Python, start method and machine are unchanged since its last
# execution in handouts/ is reused (its page says when it was measured); FRESH=1 executes them all again.
# Measured 6 Dec 2026 on the idle 2-core machine: cold (FRESH=1) 372 s, executing the 22 notebooks one at a time
# 328 s; a rebuild, nothing executed, 45 s. README, "make handouts" row: before/after and why cold stays over 3 minutes.
handouts: install-tests
	$(PY) tools/handouts.py $(if $(FAST),--fast) $(if $(FRESH),--fresh)

clean:
	rm -rf $(VENV) .venv-* build handouts test-output .mypy_cache .ruff_cache
