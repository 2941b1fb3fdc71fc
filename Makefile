# The course's commands. Each creates .venv (with pip) the first time it is needed.
#   make lab    open the course in JupyterLab (prints the URL on a headless machine)
#   make test   run the whole test suite: helper tests and strict nbval on every notebook
#   make student               regenerate the exercise versions in student/ from notebooks/
#   make grade NB=path.ipynb   re-run a notebook from a clean kernel and report on it
#   make slides                build reveal.js slides of the notebooks into slides/
#   make bench                 time NMF's update rules against scikit-learn and the floor (< 5 min)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# root on a headless machine: JupyterLab refuses root without --allow-root, and there is no browser to open
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root) $(if $(DISPLAY),,--no-browser --ip=127.0.0.1)
NBVAL := --nbval --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout=300

.PHONY: lab test venv clean student grade slides bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_FLAGS) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks

test: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) tests notebooks

student: $(STAMP)
	$(BIN)/python tools/make_student.py

grade: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make grade NB=path/to/notebook.ipynb"; exit 2; }
	$(BIN)/python tools/grade.py "$(NB)"

slides: $(STAMP)
	$(BIN)/python tools/make_slides.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_nmf.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
