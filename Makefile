# The course's commands. Each target creates or reuses the project's own
# virtual environment in .venv; nothing is installed outside it except the
# Debian packages the tests need (scripts/install_system_packages.sh).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_FOR_VENV ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
LAB_PORT ?= 8888
HUB_PORT ?= 8000

# One BLAS/OpenMP thread: the same floating-point results on every machine,
# and no oversubscription when several kernels or workers share 2 cores.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PYTHONHASHSEED := 0
export JUPYTER_PLATFORM_DIRS := 1

# Tests never read or write the user's Jupyter, IPython or Matplotlib files.
TEST_HOME := $(CURDIR)/.test-home
TEST_ENV := JUPYTER_CONFIG_DIR=$(TEST_HOME)/jupyter/config \
	JUPYTER_DATA_DIR=$(TEST_HOME)/jupyter/data \
	JUPYTER_RUNTIME_DIR=$(TEST_HOME)/jupyter/runtime \
	IPYTHONDIR=$(TEST_HOME)/ipython \
	MPLCONFIGDIR=$(TEST_HOME)/matplotlib \
	XDG_CACHE_HOME=$(TEST_HOME)/cache

.PHONY: help venv lab lab-instructor hub test release student-edition site grade collect export-lms report bench system-packages

help:
	@echo "make lab      start the student's JupyterLab on the course (http://127.0.0.1:$(LAB_PORT))"
	@echo "make lab-instructor  the same with nbgrader's instructor tools (Create Assignment, Formgrader)"
	@echo "make hub      (as root) JupyterHub on http://127.0.0.1:$(HUB_PORT) for the course's system accounts (hub/README.md)"
	@echo "make test     run every test CI runs (notebooks, grading, browser, storage)"
	@echo "make release  generate the student release exercises/ from solutions/"
	@echo "make student-edition  write dist/student-edition/ (and a zip): the course without instructor material"
	@echo "make site     build the course website in site/html/ from the stored outputs (offline)"
	@echo "make grade    autograde submitted/, write feedback and grades.csv"
	@echo "make collect ZIP=...  a Canvas or Moodle submissions zip into submitted/ (ROSTER=roster.csv ASSIGNMENT=...)"
	@echo "make export-lms LMS=canvas|moodle  final scores in the LMS's gradebook-import CSV (and grades.csv)"
	@echo "make report   reports/<assignment>.html: scores, test cells, failure messages, incidents (offline)"
	@echo "make bench    measure the course and write docs/benchmarks.md"

venv: $(INSTALLED)

# Reinstalls only when the pins change: the stamp is newer than both files.
$(INSTALLED): pyproject.toml requirements-lock.txt
	test -x $(BIN)/python || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -c requirements-lock.txt -e .
	$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.formgrader >/dev/null 2>&1
	$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.validate_assignment >/dev/null 2>&1
	$(BIN)/jupyter labextension enable @jupyter/nbgrader >/dev/null 2>&1
	touch $@

# .venv/bin on PATH: nbgrader runs `alembic` by name when it creates the gradebook.
# As root (containers), Jupyter needs --allow-root.
JUPYTER_LAB := PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser --ServerApp.root_dir=$(CURDIR) $(if $(filter 0,$(shell id -u)),--allow-root,)

# The student's JupyterLab: lectures, exercises, Validate and the Assignments
# tab, none of nbgrader's instructor tools (jupyter_config/README.md).
lab: $(INSTALLED)
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter_config/student" $(JUPYTER_LAB)

# The instructor's JupyterLab: Create Assignment and Formgrader too.
lab-instructor: $(INSTALLED)
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter_config/instructor" $(JUPYTER_LAB)

# A small-course JupyterHub for local system accounts, loopback only, no TLS;
# set COURSE_HUB_STUDENTS (and the other variables of hub/jupyterhub_config.py).
hub: $(INSTALLED)
	bash scripts/install_hub_proxy.sh
	COURSE_HUB_PORT=$(HUB_PORT) $(BIN)/jupyterhub -f hub/jupyterhub_config.py

system-packages:
	bash scripts/install_system_packages.sh

# The cross-CPU run: the lectures and solutions once more, with numpy's and scipy's OpenBLAS on another
# core type and PyTorch on its plain (non-vectorized) kernels, stored outputs compared as in the first
# run; each lecture then runs a second time in the same kernel and must raise no error.
# On a machine whose own OpenBLAS core type is Haswell, choose another: make test CROSS_CPU_CORETYPE=SkylakeX
CROSS_CPU_CORETYPE ?= Haswell
CROSS_CPU_ENV := OPENBLAS_CORETYPE=$(CROSS_CPU_CORETYPE) ATEN_CPU_CAPABILITY=default

test: $(INSTALLED) system-packages
	mkdir -p $(TEST_HOME)
	$(TEST_ENV) $(BIN)/python -m tests.reproducibility.cpu_kernels
	$(TEST_ENV) $(BIN)/python -m pytest
	$(TEST_ENV) $(CROSS_CPU_ENV) $(BIN)/python -m tests.reproducibility.cpu_kernels
	$(TEST_ENV) $(CROSS_CPU_ENV) $(BIN)/python -m pytest notebooks --nbval-run-twice
	$(TEST_ENV) $(CROSS_CPU_ENV) $(BIN)/python -m pytest solutions

release: $(INSTALLED)
	$(BIN)/python -m course_grading.handout.release

# dist/student-edition/ and its zip: lectures, release, course_utils, the two commands.
student-edition: $(INSTALLED)
	$(BIN)/python -m course_grading.handout.student_edition

# site/html/: the lectures and exercise statements as a static website, from the stored outputs.
site: $(INSTALLED)
	$(BIN)/python -m course_site.build

# Robust, parallel autograding of submitted/ (real nbgrader in one sandboxed
# worker per submission); `python -m course_grading.gradebook.batch --help` for options.
# SCHEDULER=tcp://HOST:8786 grades on that Dask cluster's workers (README, "Grading on several machines").
grade: $(INSTALLED)
	$(BIN)/python -m course_grading.gradebook.batch $(if $(SCHEDULER),--scheduler "$(SCHEDULER)",)

# A Canvas or Moodle "download all submissions" zip into submitted/ (nbgrader zip_collect with the
# course's collector plugins, checked against the roster); the report says what could not be matched.
ROSTER ?= roster.csv
collect: $(INSTALLED)
	$(if $(ZIP),,$(error ZIP=<the LMS's submissions zip> is required))
	$(BIN)/python -m course_grading.lms.collect --zip "$(ZIP)" --roster "$(ROSTER)" \
		$(if $(ASSIGNMENT),--assignment "$(ASSIGNMENT)",) $(if $(LMS),--lms $(LMS),) \
		$(if $(ZIP_TIMEZONE),--zip-timezone "$(ZIP_TIMEZONE)",)

# Final scores (after nbgrader's late penalty) as <LMS>_grades.csv for the LMS's gradebook import,
# with nbgrader's export plugin interface; nbgrader's own grades.csv beside it.
LMS_EXPORTER_canvas := course_grading.lms.canvas.CanvasExportPlugin
LMS_EXPORTER_moodle := course_grading.lms.moodle.MoodleExportPlugin
export-lms: $(INSTALLED)
	$(if $(LMS_EXPORTER_$(LMS)),,$(error LMS must be canvas or moodle))
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m nbgrader export --exporter=$(LMS_EXPORTER_$(LMS)) \
		--LmsExportPlugin.roster="$(ROSTER)" --to=$(LMS)_grades.csv $(LMS_OPTIONS)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m nbgrader export --to=grades.csv

# One self-contained HTML page per assignment from the gradebook and make grade's results (nothing runs).
report: $(INSTALLED)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m course_grading.gradebook.class_report

bench: $(INSTALLED)
	$(BIN)/python -m benchmarks.run $(if $(QUICK),--quick,)
