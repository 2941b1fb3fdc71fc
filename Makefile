# The course's commands. Each creates .venv (with pip) the first time it is needed.
#   make lab    open the course in JupyterLab (prints the URL on a headless machine), with the
#               course's own settings: the deck ("Start Deck") off at every start, no news pop-up
#   make test   run the whole test suite: helper tests and strict nbval on every notebook
#   make student               regenerate the exercise versions in student/ from notebooks/
#   make grade NB=path.ipynb   re-run a notebook from a clean kernel and report on it
#   make grade SUBMISSIONS=dir KEY=dir [CSV=file]   graders: Problem 3 of every notebook 06 in dir, one CSV
#   make problem3 SEED=n OUT=dir   instructors: a term's graded Problem 3 tables and their answer key
#   make slides                build reveal.js slides of the notebooks into slides/
#   make slide-metadata        maintainers: set each notebook cell's slide type (metadata only)
#   make nbgrader-metadata     maintainers: set nbgrader's cell metadata from the exercise markers
#   make nbgrader-venv         graders using nbgrader: nbgrader in .venv/nbgrader, beside the course
#   make bench                 time NMF's update rules, whole fits, where they stop, fits made together
#                              and the candidate engine (benchmarks/bench_cd.py) (about 30 min idle)
#   make lock                  maintainers: refresh requirements.lock to the newest releases, reinstall,
#                              re-execute every notebook in place and regenerate student/ (see README)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# root on a headless machine: JupyterLab refuses root without --allow-root, and there is no browser to open
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root) $(if $(DISPLAY),,--no-browser --ip=127.0.0.1)
LOCK   := requirements.lock
# Timeouts, so that no unattended run can hang: nbval fails a cell after 300 s and a kernel
# that does not start in 60 s; pytest-timeout (pyproject.toml) fails any one test after
# 900 s and starts no test after 3600 s. Both failures name the notebook and the cell.
CELL_TIMEOUT := 300
NBVAL := --nbval --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout=$(CELL_TIMEOUT) --nbval-kernel-startup-timeout=60
# make lock: executing all ten notebooks in place may take at most this long
EXECUTE_TIMEOUT := 1800

.PHONY: lab test venv clean student grade problem3 slides slide-metadata nbgrader-metadata nbgrader-venv bench lock

venv: $(STAMP)

# The exact versions in requirements.lock (the ones the stored outputs were made with),
# then the course itself without touching them.
$(STAMP): $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@# the course presented with jupyterlab_rise until its slideshow app could not load widgets
	@# (jupyterlab-contrib/rise#119); an older .venv still has it and its incompatible mathjax3
	$(BIN)/python -m pip uninstall --quiet -y jupyterlab_rise jupyterlab-mathjax3 2>/dev/null || true
	touch $(STAMP)

# JupyterLab with the course's own settings (.lab-settings/, reset from lab/user-settings/ at
# every start: the deck off, no news pop-up), never the account's: nmf_course/lab.py
lab: $(STAMP)
	$(BIN)/python -m nmf_course.lab $(LAB_FLAGS) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks

# Then strict nbval again on NumPy's AVX2 code where the CPU has AVX-512 (tests/numpy_paths.py),
# and the NumPy SIMD paths it checked, by name. Both passes spread the tests over the CPU's cores
# (pytest-xdist); a notebook's cells go to one worker, in order, in one kernel (conftest.py).
# WORKERS=1 runs everything in one process, in file order.
WORKERS ?= auto
PARALLEL := $(if $(filter 1,$(WORKERS)),,-n $(WORKERS))
test: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) $(NBVAL) tests notebooks instructor
	$(BIN)/python tests/numpy_paths.py $(PARALLEL) $(NBVAL) --no-widgets -p no:cacheprovider

student: $(STAMP)
	$(BIN)/python -m nmf_course.student_version $(if $(FORCE),--force)

# one notebook (NB=...), or Problem 3 over a folder of submissions (SUBMISSIONS=... KEY=...)
grade: $(STAMP)
ifdef SUBMISSIONS
	@test -n "$(KEY)" || { echo "usage: make grade SUBMISSIONS=dir KEY=dir-make-problem3-wrote [CSV=grades.csv]"; exit 2; }
	$(BIN)/python instructor/problem3.py grade "$(SUBMISSIONS)" "$(KEY)" "$(or $(CSV),problem3_grades.csv)"
else
	@test -n "$(NB)" || { echo "usage: make grade NB=path/to/notebook.ipynb  or  make grade SUBMISSIONS=dir KEY=dir"; exit 2; }
	$(BIN)/python -m nmf_course.grading "$(NB)"
endif

# A term's graded tables for Problem 3 from the instructor's secret seed (a whole number), into OUT:
# outside the repository, or problem3/ (git-ignored). The same seed writes the same bytes.
problem3: $(STAMP)
	@test -n "$(SEED)" -a -n "$(OUT)" || { echo "usage: make problem3 SEED=<secret whole number> OUT=<folder>"; exit 2; }
	$(BIN)/python data/make_data.py --problem3 "$(SEED)" "$(OUT)"

slides: $(STAMP)
	$(BIN)/python -m nmf_course.slides

slide-metadata: $(STAMP)
	$(BIN)/python -m nmf_course.slide_metadata

nbgrader-metadata: $(STAMP)
	$(BIN)/python -m nmf_course.nbgrader_metadata

# nbgrader (pinned below) in its own virtual environment, .venv/nbgrader (git-ignored with .venv), that sees the course's .venv
# through a .pth file: nbgrader brings notebook 7 and its own JupyterLab extensions,
# which the course's JupyterLab (and students) should not get; the pins of
# requirements.lock are the constraints, so nothing the course uses changes version.
NBGRADER_VENV := $(VENV)/nbgrader
NBGRADER_PINS := nbgrader==0.9.6 alembic==1.20.1 Mako==1.4.3 RapidFuzz==3.14.6 SQLAlchemy==2.1.9 notebook==7.6.5
nbgrader-venv: $(NBGRADER_VENV)/.installed
$(NBGRADER_VENV)/.installed: $(STAMP) Makefile
	test -x $(NBGRADER_VENV)/bin/python || $(PYTHON) -m venv $(NBGRADER_VENV)
	$(NBGRADER_VENV)/bin/python -c "import site, sys; print('import site; site.addsitedir(%r)' % site.getsitepackages()[0].replace(sys.prefix, '$(abspath $(VENV))'))" \
		> "$$($(NBGRADER_VENV)/bin/python -c 'import site; print(site.getsitepackages()[0])')/zz_course_venv.pth"
	$(NBGRADER_VENV)/bin/python -m pip install --quiet -c $(LOCK) $(NBGRADER_PINS)
	touch $@

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_nmf.py
	$(BIN)/python benchmarks/bench_together.py
	$(BIN)/python benchmarks/bench_cd.py

# Refresh the lock to the newest releases allowed by pyproject.toml, install exactly that,
# re-execute every notebook in place (new versions may change figures and printed numbers)
# and regenerate student/. Review `git diff`, run `make test`, commit all of it together.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --upgrade --extra test --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file $(LOCK) pyproject.toml
	$(BIN)/pip-sync --quiet $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)
	@# nmf_course.execute is how every committed output is made (normalised, text twin written),
	@# so the tree it leaves is one make test accepts
	timeout $(EXECUTE_TIMEOUT) $(BIN)/python -m nmf_course.execute --cell-timeout $(CELL_TIMEOUT) \
		notebooks/[0-9][0-9]_*.ipynb instructor/[0-9][0-9]_*.ipynb \
		|| { echo "make lock: executing the notebooks failed or took over $(EXECUTE_TIMEOUT) s (see above)"; exit 1; }
	$(BIN)/python -m nmf_course.student_version

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
