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
PORT   ?= 8000
# -W: warnings are errors; -n: nitpicky (every reference must resolve); --keep-going: report them all.
BOOK_FLAGS := -W -n --keep-going
# Notebooks executed at once into the build's cache (nblib/_build_cache.py); default: all cores.
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help venv venv-test book book-clean serve test test-unit test-notebooks test-book test-site \
        preflight site-deps browser \
        student book-student grade lint tidy strip lock-binder set-repo-url clean

help:
	@echo "make book     build the website into $(HTML) (executes changed notebooks, JOBS at once)"
	@echo "make serve    serve the built website on http://127.0.0.1:$(PORT)"
	@echo "make test     the whole suite, as CI runs it"
	@echo "make student  student edition of every chapter (no solutions) into _build/student"
	@echo "make book-student   the website without solutions, into _build/html-student"
	@echo "make grade SUBMISSIONS=dir   grade submitted notebooks into _build/grades/grades.csv"
	@echo "make tidy     before committing: remove outputs, lay notebooks out for learners"

# --- environments -----------------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.book-deps: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements-test.txt $(VENV)/.book-deps
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

venv: $(VENV)/.book-deps
venv-test: $(VENV)/.test-deps

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
	$(BIN)/python -m nblib._build_cache --jobs $(JOBS)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo
	@echo "The book is built. Open $(CURDIR)/$(HTML)/index.html, or run 'make serve'."

book-clean: venv
	rm -rf $(HTML) _build/doctrees
	$(BIN)/python -m nblib._build_cache --jobs $(JOBS)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS) --all

serve:
	@test -d $(HTML) || { echo "No $(HTML): run 'make book' first."; exit 1; }
	@echo "Serving $(HTML) on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

# --- tests ------------------------------------------------------------------------------
# Stages run in this order (preflight and site-deps fail within seconds); each one's time is
# printed at the end.
TEST_STAGES := preflight site-deps venv-test browser lint test-unit test-notebooks test-book test-site
test:
	@times=""; for stage in $(TEST_STAGES); do \
	  start=$$(date +%s); $(MAKE) --no-print-directory $$stage || exit 1; \
	  times="$$times$$(printf '  %-15s %5d s' $$stage $$(( $$(date +%s) - start )))\n"; \
	done; printf "Time of each stage:\n$$times"
	@echo "All checks passed."

lint: venv-test
	$(BIN)/ruff check .

test-unit: venv-test
	$(BIN)/python -m pytest tests -m "not book" -n 2 --dist loadfile -q

test-notebooks: venv-test
	$(BIN)/python -m pytest --nbval-lax chapters -n 2 --dist loadfile -q -p no:randomly

# A clean build: -W only catches warnings of pages it re-reads (DESIGN.md, known traps).
test-book: book-clean

test-site: venv-test site-deps browser
	$(BIN)/python -m pytest tests -m book -q

# --- courses: student edition and grading (otter-grader) ---------------------------------
student: venv-test
	$(BIN)/python -m nblib.course student --out _build/student --autograder _build/autograder

book-student: student
	$(BIN)/python -m nblib.course book-source --student _build/student --out _build/student-src
	$(BIN)/jupyter-book build _build/student-src $(BOOK_FLAGS)
	rm -rf _build/html-student && cp -r _build/student-src/_build/html _build/html-student
	@echo "The student website (no solutions) is in $(CURDIR)/_build/html-student"

grade: venv-test
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir (dir/<student>/<notebook>.ipynb)"; exit 1; }
	@test -d _build/autograder || $(MAKE) student
	$(BIN)/python -m nblib.course grade "$(SUBMISSIONS)" --autograder _build/autograder --out _build/grades

# --- housekeeping -----------------------------------------------------------------------
# The Binder environment (.binder/): the reading environment only, pinned from requirements.in.
lock-binder: venv-test
	$(BIN)/uv pip compile .binder/requirements.in --python-version 3.11 --annotation-style line \
	  --custom-compile-command "make lock-binder" -o .binder/requirements.txt

# Outputs removed, solutions folded and run apart, Colab cell hidden (nblib/_notebooks.py).
tidy: venv
	$(BIN)/python -m nblib._notebooks tidy chapters
strip: tidy

set-repo-url: venv
	@test -n "$(URL)" || { echo "usage: make set-repo-url URL=https://github.com/you/fork"; exit 1; }
	$(BIN)/python -m nblib._notebooks set-repo-url "$(URL)"

clean:
	rm -rf _build .pytest_cache
