# Two commands do everything on a fresh machine with Python 3.11:
#   make book   build the website into _build/html
#   make test   run the whole suite (nblib, notebooks, book build, site in a browser)
# `make test` first runs tests/preflight.py: it checks what the system must provide (Python
# >= 3.11 with venv, a Chromium) and installs it (root: apt-get; else Playwright's Chromium)
# or stops at once naming each missing piece with its install command.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HTML   := _build/html
PDF    := _build/latex/book.pdf
PORT   ?= 8000
# -W: warnings are errors; -n: nitpicky (every reference must resolve); --keep-going: report them all.
BOOK_FLAGS := -W -n --keep-going
# Notebooks executed at once into the build's cache (nblib/_build_cache.py); default: all cores.
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
# Notebooks run side by side get one BLAS thread each: a thread per core in every kernel
# oversubscribes the cores (1.2's 100 least-squares fits: 2.96 CPU s with two threads, 0.37 s with one).
ONE_THREAD := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# Executes the notebooks whose code or nblib changed since they were cached, JOBS at a time.
BUILD_CACHE = $(ONE_THREAD) $(BIN)/python -m nblib._build_cache --jobs $(JOBS)

.PHONY: help venv venv-test book book-clean pdf serve test test-unit test-notebooks test-book test-site \
        test-cache test-html test-site-browser test-site-static \
        preflight site-deps browser \
        student book-student grade lint tidy strip lock-binder set-repo-url clean \
        venv-course venv-latest student-branch lock

help:
	@echo "make book     build the website into $(HTML) (executes changed notebooks, JOBS at once)"
	@echo "make pdf      the book as one PDF, $(PDF) (LaTeX; needs Debian's texlive, see .ci/run)"
	@echo "make serve    serve the built website on http://127.0.0.1:$(PORT)"
	@echo "make test     the whole suite, as CI runs it"
	@echo "make student  student edition of every chapter (no solutions) into _build/student"
	@echo "make book-student   the website without solutions, into _build/html-student"
	@echo "make grade SUBMISSIONS=dir [JOBS=N TIMEOUT=s MEMORY=MB]   grade submitted notebooks"
	@echo "              into _build/grades/grades.csv, N at a time (default: one per core)"
	@echo "make tidy     before committing: remove outputs, lay notebooks out for learners"
	@echo "make lock     re-pin requirements*.txt and .binder/ from the hand-written requirements*.in"

# --- environments -----------------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.book-deps: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Course tools: the reading environment plus otter-grader (no PyTorch, no Playwright browser).
$(VENV)/.course-deps: requirements-course.txt $(VENV)/.book-deps
	$(BIN)/pip install --quiet -r requirements-course.txt
	touch $@

$(VENV)/.test-deps: requirements-test.txt $(VENV)/.course-deps
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

venv: $(VENV)/.book-deps
venv-course: $(VENV)/.course-deps
venv-test: $(VENV)/.test-deps

# The newest releases the hand-written constraints (*.in) allow, instead of the pins: the weekly
# workflow runs `make venv-latest test` to see breakage before readers do.
venv-latest: | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade --upgrade-strategy eager -r requirements-test.in
	touch $(VENV)/.book-deps $(VENV)/.course-deps $(VENV)/.test-deps

# System prerequisites of `make test`, before anything else (system python3, stdlib only).
preflight:
	@$(PYTHON) tests/preflight.py

# MathJax and axe-core for the offline browser tests: the tarballs pinned in tests/site/vendor.json,
# sha512-checked, unpacked into tests/site/vendor/ (instant when already there; no npm).
site-deps:
	@$(PYTHON) tests/site/fetch_vendor.py

# A browser for the site tests: the system's, else Playwright's download (no root needed).
browser: venv-test
	@$(BIN)/python tests/preflight.py --browser

# --- the book ---------------------------------------------------------------------------
book: venv
	$(BUILD_CACHE)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo
	@echo "The book is built. Open $(CURDIR)/$(HTML)/index.html, or run 'make serve'."

book-clean: venv
	rm -rf $(HTML) _build/doctrees
	$(BUILD_CACHE)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS) --all

# The PDF, through LaTeX and xelatex (Debian's texlive, see .ci/run): the notebooks come from
# the website's cache (executed once), and the website's doctrees are reused when it is built;
# figures as vector PDF (_ext/pdf.py), each explorer as its starting frame.
pdf: venv
	$(BUILD_CACHE)
	LATEXMKOPTS=-silent $(BIN)/jupyter-book build . --builder pdflatex $(BOOK_FLAGS)
	@echo "The PDF is $(CURDIR)/$(PDF)"

serve:
	@test -d $(HTML) || { echo "No $(HTML): run 'make book' first."; exit 1; }
	@echo "Serving $(HTML) on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

# --- tests ------------------------------------------------------------------------------
# Stages run in this order (preflight and site-deps fail within seconds); each one's time is
# printed at the end. One after another: on this 2-core machine two of them side by side slowed
# each other more than twofold (the unit tests beside the notebook cache 154 s -> 440 s and the
# cache 385 s -> 739 s; the PDF beside nbval 124 s -> 330 s), and the browser beside nbval timed
# pages out. Only the site tests, which wait on the browser, gain from running several processes
# at once (test-site-browser).
TEST_STAGES := preflight site-deps venv-test browser lint test-unit test-notebooks test-cache \
               test-html pdf test-site-static test-site-browser
test:
	@times=""; for stage in $(TEST_STAGES); do \
	  start=$$(date +%s); $(MAKE) --no-print-directory $$stage || exit 1; \
	  times="$$times$$(printf '  %-17s %5d s' $$stage $$(( $$(date +%s) - start )))\n"; \
	done; printf "Time of each stage:\n$$times"
	@echo "All checks passed."

lint: venv-test
	$(BIN)/ruff check .
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/actionlint -no-color .github/workflows/*.yml

test-unit: venv-test
	$(BIN)/python -m pytest tests -m "not book" -n 2 --dist loadfile -q

# nbval runs every cell of every notebook, and each notebook whose cells all pass goes into the
# build's cache with its outputs (tests/nbval_book_cache.py): the book then executes none of them
# again. Before, the cache stage executed all 62 notebooks a second time (474 s of a 36-min run).
test-notebooks: venv-test
	$(ONE_THREAD) $(BIN)/python -m pytest --nbval-lax chapters -n 2 --dist loadfile -q -p no:randomly \
	  -p tests.nbval_book_cache --book-cache _build/.jupyter_cache

# The notebooks into the build's cache, those nbval did not cache (two at a time; it prints the
# slowest times, the book's budget is 30 s a notebook on 2 cores), then a clean build of the
# website from it: -W only catches warnings of pages it re-reads (DESIGN.md, known traps). Then
# the PDF from the same notebook outputs (tests/test_pdf.py checks it in test-site-static).
test-cache: venv
	$(BUILD_CACHE)
test-html: book-clean
test-book: book-clean pdf

# The built book (make book, make pdf): in a browser, and the tests that read its files only.
test-site: test-site-browser test-site-static

# Each page is loaded once at 1280 x 900 and every per-page check reads that visit (tests/sitekit.py:
# Site.result, Probe): the report, axe's light and dark passes, the explorers, the equations at
# 1280 and 390 px; two tabs at a time, the next page loading while the last is measured. Before,
# four loads a page (issue #16): CPU, Chromium's included, fell from 1044 s to 683 s for the
# 54-notebook build. One such process keeps well under two cores busy (it waits on each page's
# loading, typesetting and transitions), so SITE_PROCS of them run at once, each on its block of
# the pages (SITE_SHARD, tests/sitekit.py), the first also the tests of the whole site: on the
# 62-notebook build 2 processes took 767 s (1.3 cores), 3 took 704 s (1.7 cores).
SITE_PROCS ?= 3
SITE_SHARDS := $(addprefix site-shard-,$(shell seq $(SITE_PROCS)))
test-site-browser: venv-test site-deps browser
	$(MAKE) --no-print-directory -j$(SITE_PROCS) --output-sync=target $(SITE_SHARDS)
site-shard-%:
	SITE_SHARD=$*/$(SITE_PROCS) $(BIN)/python -m pytest tests -m "book and browser" -q
test-site-static: venv-test
	$(BIN)/python -m pytest tests -m "book and not browser" -q

# --- courses: student edition and grading (otter-grader) ---------------------------------
# The branch the student website's launch buttons (Binder, Colab, JupyterHub) open.
STUDENT_BRANCH ?= student

student: venv-course
	$(BIN)/python -m nblib.course student --out _build/student --autograder _build/autograder

book-student: student
	$(BIN)/python -m nblib.course book-source --student _build/student --out _build/student-src \
	  --branch $(STUDENT_BRANCH)
	$(BIN)/jupyter-book build _build/student-src $(BOOK_FLAGS)
	rm -rf _build/html-student && cp -r _build/student-src/_build/html _build/html-student
	@echo "The student website (no solutions) is in $(CURDIR)/_build/html-student"

# What the workflow publishes on the branch $(STUDENT_BRANCH), where the student website's launch
# buttons point: the student book sources and what Binder needs (.binder/, nblib), no solutions.
student-branch: student
	$(BIN)/python -m nblib.course student-branch --student _build/student --out _build/student-branch \
	  --branch $(STUDENT_BRANCH)

grade: venv-course
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir (dir/<student>/<notebook>.ipynb)"; exit 1; }
	@test -d _build/autograder || $(MAKE) student
	$(BIN)/python -m nblib.course grade "$(SUBMISSIONS)" --autograder _build/autograder --out _build/grades \
	  $(if $(JOBS),--jobs $(JOBS)) $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(MEMORY),--memory $(MEMORY))

# --- housekeeping -----------------------------------------------------------------------
# Pinned environments: each requirements*.txt is compiled from its hand-written *.in for Python
# 3.11 on Linux (3.11.7: some pins need >= 3.11.5; Binder and CI take the newest 3.11). Each lock
# is constrained by the one below it (reading < course < test, and Binder's by the reading one),
# so a package has one version everywhere; uv keeps a file's current pins unless an *.in asks
# otherwise (`make lock LOCK_FLAGS=--upgrade` moves everything to the newest allowed releases).
LOCK = $(BIN)/uv pip compile --quiet --python-version 3.11.7 --python-platform linux \
  --annotation-style line $(LOCK_FLAGS)
# PyTorch's CPU build for the test tools: this machine's wheel folder where it has one, else
# PyTorch's CPU index (a plain PyPI torch is a CUDA build of several GB).
TORCH_WHEELS ?= $(if $(wildcard /opt/wheels/torch-*),--find-links /opt/wheels,--index https://download.pytorch.org/whl/cpu)
PINS := $(VENV)/pins-of-the-lock-below.txt

lock: venv-test
	$(LOCK) --custom-compile-command "make lock" requirements.in -o requirements.txt
	grep '==' requirements.txt > $(PINS)
	$(LOCK) --custom-compile-command "make lock" requirements-course.in -c $(PINS) -o requirements-course.txt
	grep '==' requirements-course.txt > $(PINS)
	$(LOCK) --custom-compile-command "make lock" requirements-test.in -c $(PINS) $(TORCH_WHEELS) \
	  -o requirements-test.txt
	$(MAKE) lock-binder

# The Binder environment (.binder/): the reading environment only, pinned from requirements.in.
lock-binder: venv-test
	grep '==' requirements.txt > $(PINS)
	$(LOCK) --custom-compile-command "make lock-binder" .binder/requirements.in -c $(PINS) \
	  -o .binder/requirements.txt

# Outputs removed, solutions folded and run apart, Colab cell hidden (nblib/_notebooks.py).
tidy: venv
	$(BIN)/python -m nblib._notebooks tidy chapters
strip: tidy

set-repo-url: venv
	@test -n "$(URL)" || { echo "usage: make set-repo-url URL=https://github.com/you/fork"; exit 1; }
	$(BIN)/python -m nblib._notebooks set-repo-url "$(URL)"

clean:
	rm -rf _build .pytest_cache
