"""Running a course from the book: a student edition and autograding, via otter-grader.

The chapter notebooks stay the one source of truth. Each exercise is written there once
(see README, "Contributing a chapter"): an ``{exercise}`` whose body opens with its
metadata line (``**Difficulty:** ★★☆ practice · ...``, see :mod:`nblib._notebooks`), for a code exercise a stub cell and a ``check("<label>", answer)`` cell, and a
solution between ``{solution-start} <label>`` and ``{solution-end}``.

:func:`student_edition` turns every chapter notebook into an otter-grader "master"
notebook (each auto-graded exercise becomes an otter question whose hidden test is
``assert check(label, answer)``), and runs ``otter assign``. Otter checks that the
reference solutions pass their tests, writes the student notebook with every
solution removed, and packs the hidden tests into an autograder zip.

:func:`grade` runs each submitted notebook in its own process, with limits on time (per
notebook and per cell) and memory, several at a time, and runs otter's hidden tests in it
(the engine is :mod:`nblib._grading`). It writes one CSV row per student, notebook and
exercise, with the reason for every lost mark and, in its own column, the errors of cells
outside the graded exercises. A submission that is not a notebook, raises, loses a cell or
never finishes gets zero marks for what it could not show and a reason; it never stops the run.

    python -m nblib.course student [--out _build/student] [--autograder _build/autograder]
    python -m nblib.course grade SUBMISSIONS [--autograder _build/autograder] [--out _build/grades]
        [--jobs N] [--timeout 300] [--cell-timeout 60] [--memory 2048] [--no-reuse]

Submissions are laid out one folder per student: ``SUBMISSIONS/<student>/<notebook>.ipynb``.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

import nbformat

from nblib import _grading, _notebooks

ROOT = Path(__file__).resolve().parent.parent

_EXERCISE = re.compile(
    r":::+\{exercise\}\s*(?P<title>[^\n]*)\n(?P<body>.*?)(?=^:::+\s*$|\Z)", re.S | re.M
)
_LABEL = re.compile(r"^:label:\s*(\S+)", re.M)
_CHECK_CALL = r"check\(\s*[\"']{label}[\"']\s*,\s*(?P<answer>[A-Za-z_][\w.]*)\s*\)"
_ASSERTION = re.compile(r"AssertionError: (.*)")


@dataclass(frozen=True)
class Exercise:
    """One exercise of a chapter notebook and its instructor metadata."""

    label: str
    title: str
    difficulty: int
    minutes: int
    objective: str
    autograded: bool
    answer: str | None  # the name the learner's answer is bound to, for auto-graded ones


def exercises(nb) -> list[Exercise]:
    """Every exercise of a notebook, with its metadata, in order."""
    found = []
    code = "\n".join(_notebooks.source(c) for c in nb["cells"] if c["cell_type"] == "code")
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for match in _EXERCISE.finditer(_notebooks.source(cell)):
            label = _LABEL.search(match["body"])
            lines = (line for line in match["body"].splitlines() if line.strip())
            first = next((line for line in lines if not line.startswith(":")), "")  # not an option
            meta = _notebooks.parse_exercise_meta(first)
            if label is None or meta is None:
                raise ValueError(
                    f"exercise {match['title']!r} needs a :label: and, first in its body, "
                    "a metadata line"
                )
            autograded = meta["autograded"]
            call = re.search(_CHECK_CALL.format(label=re.escape(label[1])), code)
            if autograded and call is None:
                raise ValueError(f"exercise {label[1]} is auto-graded but no cell calls check()")
            found.append(
                Exercise(
                    label=label[1],
                    title=match["title"].strip(),
                    difficulty=meta["difficulty"],
                    minutes=meta["minutes"],
                    objective=meta["objective"],
                    autograded=autograded,
                    answer=call["answer"] if (autograded and call) else None,
                )
            )
    return found


def reference_answers(nb) -> dict[str, str]:
    """Each auto-graded exercise's reference solution code, as a student would paste it
    into the answer cell (without the ``%%solution`` magic that runs it apart)."""
    blocks = _notebooks.solution_blocks(nb)
    answers = {}
    for ex in exercises(nb):
        if ex.autograded:
            start, end = blocks[ex.label]
            answers[ex.label] = "\n".join(
                _notebooks.source(c).removeprefix(_notebooks.SOLUTION_MAGIC + "\n")
                for c in nb.cells[start + 1 : end]
                if c.cell_type == "code"
            )
    return answers


def _raw(text: str):
    return nbformat.v4.new_raw_cell(text)


def _solution_cell(cell):
    """A solution cell as otter expects it: code wrapped so the student version drops it.

    The ``%%solution`` magic goes: in the master notebook the reference must define the
    answer's name itself, for otter to test it."""
    cell = copy.deepcopy(cell)
    text = _notebooks.source(cell)
    if cell["cell_type"] == "code":
        text = text.removeprefix(_notebooks.SOLUTION_MAGIC + "\n")
        cell["source"] = f"# BEGIN SOLUTION NO PROMPT\n{text}\n# END SOLUTION"
    else:
        text = _notebooks.SOLUTION_START.sub("", text)
        text = text.replace(f"```{_notebooks.SOLUTION_END}\n```", "")
        text = re.sub(r"^(:class:|%).*$", "", text, flags=re.M)  # options, MyST comments
        cell["source"] = text.strip() or "(solution)"
    return cell


def otter_master(nb, name: str, *, run_tests: bool = True, requirements: Path | None = None):
    """The otter-grader master notebook for a chapter notebook ``nb``.

    With ``run_tests`` otter executes the notebook to prove each reference solution
    passes its hidden test (the book build proves the same through its own asserts).
    ``requirements``: a pip requirements file packed into the autograder, for otter's
    container mode (``otter grade``), whose image has neither numpy nor nblib by default.
    """
    nb = copy.deepcopy(nb)
    graded = {ex.label: ex for ex in exercises(nb) if ex.autograded}
    blocks = _notebooks.solution_blocks(nb)
    first_cell = {}
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            for label in _LABEL.findall(_notebooks.source(cell)):
                first_cell.setdefault(label, i)
    config = (
        f"# ASSIGNMENT CONFIG\nname: {name}\ninit_cell: false\ncheck_all_cell: false\n"
        f"export_cell: false\nrun_tests: {str(run_tests).lower()}\nsave_environment: false\n"
        "generate: true\nshow_question_points: false\n"
    )
    if requirements is not None:
        config += f"requirements: {json.dumps(str(Path(requirements).resolve()))}\n"
    cells = [_raw(config)]
    ends = {end: label for label, (_, end) in blocks.items()}
    starts = {start: label for label, (start, _) in blocks.items()}
    inside = None
    for i, cell in enumerate(nb["cells"]):
        label_here = next((lbl for lbl, j in first_cell.items() if j == i), None)
        if label_here in graded:
            cells.append(
                _raw(f"# BEGIN QUESTION\nname: {label_here}\npoints: 1\ncheck_cell: false")
            )
        if i in starts:
            inside = starts[i]
            if inside in graded:
                cells.append(_raw("# BEGIN SOLUTION"))
        if inside is None:
            cells.append(cell)
        elif inside in graded:
            cells.append(_solution_cell(cell))
        # solutions of exercises that are not auto-graded are simply left out
        if i in ends:
            label = ends[i]
            if label in graded:
                ex = graded[label]
                test = (
                    '""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n'
                    "from nblib.exercises import check as _check\n"
                    f"_feedback = _check({label!r}, {ex.answer})\n"
                    "assert _feedback.passed, _feedback.message"
                )
                cells += [
                    _raw("# END SOLUTION"),
                    _raw("# BEGIN TESTS"),
                    nbformat.v4.new_code_cell(test),
                    _raw("# END TESTS"),
                    _raw("# END QUESTION"),
                ]
            inside = None
    missing = set(graded) - set(blocks)
    if missing:
        raise ValueError(f"auto-graded exercises without a solution: {sorted(missing)}")
    nb["cells"] = cells
    return nb


def _drop_empty_answer_cells(path: Path) -> None:
    """Otter leaves an empty cell where a solution was; the stub cell is the learner's."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [
        c
        for c in nb.cells
        if not (
            "otter_answer_cell" in c.get("metadata", {}).get("tags", []) and not c.source.strip()
        )
    ]
    nbformat.write(nb, path)


def student_edition(
    notebooks: list[Path],
    out: Path,
    autograder: Path,
    *,
    otter: str | None = None,
    run_tests: bool = True,
    requirements: Path | None = None,
) -> list[Path]:
    """Write the student notebook of each chapter notebook into ``out/<chapter>/`` and its
    autograder zip into ``autograder/<chapter>/<notebook>.zip``; return the student notebooks.

    ``run_tests=False`` skips otter's execution of each notebook; ``requirements`` goes into
    each zip for otter's container mode (both: see :func:`otter_master`).
    """
    otter = otter or str(Path(sys.executable).with_name("otter"))
    written = []
    for path in notebooks:
        chapter = path.parent.name
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as tmp:
            master = Path(tmp) / path.name
            master_nb = otter_master(nb, path.stem, run_tests=run_tests, requirements=requirements)
            nbformat.write(master_nb, master)
            dist = Path(tmp) / "dist"
            result = subprocess.run(
                [otter, "assign", str(master), str(dist)],
                cwd=path.parent,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise RuntimeError(
                    f"otter assign failed on {path}:\n{result.stdout}\n{result.stderr}"
                )
            (out / chapter).mkdir(parents=True, exist_ok=True)
            (autograder / chapter).mkdir(parents=True, exist_ok=True)
            student = out / chapter / path.name
            shutil.copy(dist / "student" / path.name, student)
            _drop_empty_answer_cells(student)
            (zipfile,) = (dist / "autograder").glob("*.zip")
            shutil.copy(zipfile, autograder / chapter / f"{path.stem}.zip")
            # beside its zip, the student edition tells grade() which cells are the chapter's
            shutil.copy(student, autograder / chapter / path.name)
            written.append(student)
    return written


@dataclass(frozen=True)
class Grade:
    """One CSV row: a student's score on one exercise, why, and what else went wrong in the
    notebook outside the graded exercises (errors the student may not know about)."""

    student: str
    notebook: str
    exercise: str
    score: float
    max_score: float
    feedback: str
    notebook_errors: str = ""


_TEST_CALL = re.compile(r"_check\(\s*[\"']([^\"']+)[\"']\s*,\s*([A-Za-z_][\w.]*)\s*\)")
_HEADING = re.compile(r"^#{1,6}\s", re.M)
IGNORE_TAG = "otter_ignore"  # cells otter leaves out of grading; so do we


def _code_cells(nb) -> list[tuple[int, str, str | None]]:
    """(cell number from 1, source, label of the exercise it belongs to or None) of every code
    cell. A cell belongs to the exercise whose statement is the last one above it, unless a
    heading comes in between."""
    cells, label = [], None
    for number, cell in enumerate(nb.cells, 1):
        text = cell.get("source", "")
        if cell.get("cell_type") == "markdown":
            labels = [_LABEL.search(m["body"]) for m in _EXERCISE.finditer(text)]
            labels = [m[1] for m in labels if m]
            if labels:
                label = labels[-1]
            elif _HEADING.search(text):
                label = None
        elif cell.get("cell_type") == "code":
            if IGNORE_TAG not in cell.get("metadata", {}).get("tags", []):
                cells.append((number, text, label))
    return cells


class _Assignment:
    """One notebook's autograder: its hidden tests (unpacked into ``tmp``), the answer name
    each one checks, and, when the student edition is beside the zip, its chapter cells."""

    def __init__(self, zip_path: Path, tmp: Path):
        import zipfile

        folder = tmp / f"{zip_path.parent.name}-{zip_path.stem}"
        with zipfile.ZipFile(zip_path) as z:
            names = sorted(n for n in z.namelist() if n.startswith("tests/") and n.endswith(".py"))
            z.extractall(folder, members=names)
        self.tests = []
        for name in names:
            path = folder / name
            call = _TEST_CALL.search(path.read_text())
            self.tests.append((Path(name).stem, str(path), call[2] if call else None))
        self.names = [label for label, _, _ in self.tests]
        self.prefix: tuple[str, ...] | None = None
        self.imports: set[str] = set()
        self.kinds: dict[str, str] = {}
        reference = zip_path.with_suffix(".ipynb")
        if reference.exists():
            cells = _code_cells(nbformat.read(reference, as_version=4))
            prefix = []
            for _, source, label in cells:
                if label is not None:
                    break
                prefix.append(source)
            self.prefix = tuple(prefix) or None
            code = "\n".join(source for _, source, _ in cells)
            self.imports = set(_grading.imports([code]))
            for _, _, answer in self.tests:
                if answer and re.search(rf"^def\s+{re.escape(answer)}\s*\(", code, re.M):
                    self.kinds[answer] = "function"

    def job(self, key: str, nb, *, reuse: bool) -> _grading.Job:
        """The job for a submission: from the prefix worker's state when its chapter cells are
        the student edition's, word for word, else every cell from the top."""
        cells = _code_cells(nb)
        n = len(self.prefix or ())
        same = (
            reuse
            and self.prefix is not None
            and len(cells) >= n
            and all(
                label is None and source.rstrip() == ref.rstrip()
                for (_, source, label), ref in zip(cells[:n], self.prefix, strict=True)
            )
        )
        if not same:
            return _grading.Job(key, cells, self.tests)
        head = [(number, label) for number, _, label in cells[:n]]
        return _grading.Job(key, cells[n:], self.tests, prefix=self.prefix, prefix_cells=head)


def _cell_name(number: int, sources: dict[int, str]) -> str:
    lines = (line.strip() for line in sources.get(number, "").splitlines())
    first = next((line for line in lines if line), "")
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"cell {number} ({first})" if first else f"cell {number}"


def _died(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = {"SIGXCPU": ": its CPU-time limit", "SIGSEGV": ": a crash, perhaps out of memory"}
        return f"killed by {name}{hint.get(name, '')}"
    return f"exit code {code}"


def _feedback_from_output(output: str) -> str:
    """The check's own message (``assert feedback.passed, feedback.message``), else the last
    error otter's doctest runner printed."""
    found = _ASSERTION.findall(output)
    error = re.findall(r"^\s*(\w+(?:Error|Exception|Interrupt)(?:: .*)?)$", output, re.M)
    return (found or error or ["incorrect"])[-1].strip()


def _grades(
    student: str,
    stem: str,
    assignment: _Assignment,
    job: _grading.Job,
    outcome: _grading.Outcome,
    sources: dict[int, str],
    limits: _grading.Limits,
) -> list[Grade]:
    """CSV rows of one graded submission, from what its child process reported."""
    prefix_numbers = [number for number, _ in job.prefix_cells]
    prefix_labels = [label for _, label in job.prefix_cells]
    cell_events, tests, out_of_time = [], {}, False
    for event in outcome.events:
        if "prefix" in event and isinstance(event["prefix"], int):
            if 0 <= event["prefix"] < len(prefix_numbers):
                k = event["prefix"]
                cell_events.append(dict(event, cell=prefix_numbers[k], label=prefix_labels[k]))
        elif "cell" in event:
            cell_events.append(event)
        elif "test" in event:
            tests[event["test"]] = event
        out_of_time = out_of_time or bool(event.get("out_of_time"))
    graded = set(assignment.names)

    def problem_text(event) -> str:
        where = _cell_name(event["cell"], sources)
        if "timeout" in event:
            return f"{where} ran longer than {event['timeout']:g} s (an endless loop?)"
        return f"{where} raised {event.get('error', 'an error')}"

    outside = [problem_text(e) for e in cell_events if e.get("label") not in graded]
    if outcome.problem:
        outside.append(f"not graded: {outcome.problem}")
    elif outcome.killed or out_of_time:
        outside.append(f"the notebook ran out of its {limits.timeout:g} s")
    elif outcome.exit_code:
        outside.append(f"the notebook's process died ({_died(outcome.exit_code)})")
    notebook_errors = "; ".join(outside)

    rows = []
    for label, _, answer in assignment.tests:
        test = tests.get(label)
        mine = [e for e in cell_events if e.get("label") == label]
        timed_out = [e for e in mine if "timeout" in e]
        score, possible = 0.0, float((test or {}).get("possible") or 1.0)
        if timed_out:
            feedback = f"timed out: {problem_text(timed_out[0])}"
        elif test is None:
            if outcome.problem:
                feedback = f"not graded: {outcome.problem}"
            elif outcome.killed or out_of_time:
                feedback = (
                    f"timed out: the notebook's limit of {limits.timeout:g} s ran out before "
                    "this exercise was checked"
                )
            elif outcome.exit_code:
                feedback = (
                    f"not graded: the notebook's process died ({_died(outcome.exit_code)}) "
                    "before this exercise was checked"
                )
            else:
                feedback = "not graded"
        elif "missing" in test:
            name = test["missing"]
            # a cell that raised before defining it; not the check cell's NameError about it
            gone = f"NameError: name '{name.split('.')[0]}' is not defined"
            errors = [e for e in mine if "error" in e and e["error"] != gone]
            if errors:
                feedback = f"`{name}` was never defined: {problem_text(errors[0])}"
            else:
                kind = assignment.kinds.get(name)
                what = f"{kind} `{name}`" if kind else f"`{name}`"
                feedback = f"{what} is missing: did you delete or rename the cell?"
        elif "timeout" in test:
            feedback = (
                f"timed out: checking `{answer or label}` took longer than "
                f"{test['timeout']:g} s (an endless loop?)"
            )
        elif "error" in test:
            feedback = f"the hidden test could not run: {test['error']}"
        else:
            score = float(test.get("score") or 0.0)
            feedback = (
                "correct" if score >= possible else _feedback_from_output(test.get("output", ""))
            )
        if "MemoryError" in feedback:
            feedback += f" (a notebook may use at most {limits.memory_mb} MB)"
        rows.append(Grade(student, stem, label, score, possible, feedback, notebook_errors))
    return rows


def _preload(assignments) -> list[str]:
    """Modules the blank worker imports once for all its children: those the student editions
    import (trusted: the instructor's notebooks), and the two every notebook uses."""
    modules = {"numpy", "matplotlib.pyplot"}
    for assignment in assignments:
        modules |= assignment.imports
    return sorted(modules)


def grade(
    submissions: Path,
    autograder: Path,
    out: Path,
    *,
    timeout: float = 300.0,
    cell_timeout: float = 60.0,
    memory_mb: int = 2048,
    jobs: int = 1,
    reuse: bool = True,
) -> Path:
    """Grade ``submissions/<student>/<notebook>.ipynb`` against the autograder zips and write
    ``out/grades.csv`` (student, notebook, exercise, score, max_score, feedback, notebook_errors).

    Each notebook runs in its own process with at most ``timeout`` seconds of wall-clock time,
    ``cell_timeout`` seconds per cell and per hidden test (an endless loop costs the exercise it
    is in), and ``memory_mb`` MB of address space; ``jobs`` notebooks run at a time. With
    ``reuse``, the chapter cells a submission did not change run once per notebook rather than
    once per student (see :mod:`nblib._grading`); the grades are the same either way.
    """
    limits = _grading.Limits(timeout, min(cell_timeout, timeout), memory_mb)
    if not (isinstance(jobs, int) and jobs >= 1):
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    zips = {p.stem: p for p in autograder.rglob("*.zip")}
    if not zips:
        raise ValueError(f"autograder has no zip files: {autograder} (run `make student` first)")
    if not submissions.is_dir():
        raise ValueError(f"submissions must be a folder of student folders, got {submissions}")
    rows: list[Grade] = []
    with tempfile.TemporaryDirectory(prefix="nblib-tests-") as tmp:
        assignments: dict[str, _Assignment] = {}
        entries = []  # (student, stem, job, cell sources) or a finished list of rows
        for folder in sorted(p for p in submissions.iterdir() if p.is_dir()):
            for submission in sorted(folder.glob("*.ipynb")):
                student, stem = folder.name, submission.stem
                if stem not in zips:
                    reason = f"no notebook of the book is called {submission.name}"
                    entries.append([Grade(student, stem, "-", 0.0, 0.0, reason)])
                    continue
                if stem not in assignments:
                    assignments[stem] = _Assignment(zips[stem], Path(tmp))
                assignment = assignments[stem]
                try:
                    nb = nbformat.read(submission, as_version=4)
                    nbformat.validate(nb)
                except Exception as exc:  # not JSON, not a notebook
                    reason = f"not a valid notebook: {type(exc).__name__}: {str(exc)[:200]}"
                    entries.append(
                        [Grade(student, stem, n, 0.0, 1.0, reason) for n in assignment.names]
                    )
                    continue
                job = assignment.job(f"{student}/{submission.name}", nb, reuse=reuse)
                sources = {n: c.get("source", "") for n, c in enumerate(nb.cells, 1)}
                entries.append((student, stem, job, sources))
        work = [e[2] for e in entries if isinstance(e, tuple)]
        outcomes = _grading.run(
            work, limits=limits, parallel=jobs, preload=_preload(assignments.values())
        )
        for entry in entries:
            if isinstance(entry, list):
                rows += entry
                continue
            student, stem, job, sources = entry
            outcome = outcomes[job.key]
            rows += _grades(student, stem, assignments[stem], job, outcome, sources, limits)
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "grades.csv"
    with csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([field.name for field in fields(Grade)])
        for g in rows:
            writer.writerow([getattr(g, field.name) for field in fields(Grade)])
    return csv_path


_BRANCH_IN_CONFIG = re.compile(
    r"^(?P<head>repository:\s*\n(?:[ \t]+.*\n)*?[ \t]+branch:[ \t]*)(?P<branch>\S+)", re.M
)
#: What Binder (repo2docker builds ``.binder/``, whose ``-e .`` installs nblib) needs beside the
#: notebooks, on the branch the student website's launch buttons open.
BINDER_FILES = [".binder", "nblib", "pyproject.toml", "runtime.txt", "requirements.txt"]


def set_branch(config: Path, branch: str) -> None:
    """Point ``repository.branch`` of a book's ``_config.yml`` at ``branch``: the branch every
    launch button (Binder, Colab, JupyterHub, Thebe) opens."""
    if not re.fullmatch(r"[\w./-]+", branch):
        raise ValueError(f"not a branch name: {branch!r}")
    text, count = _BRANCH_IN_CONFIG.subn(lambda m: m["head"] + branch, config.read_text(), count=1)
    if count != 1:
        raise ValueError(f"{config} has no repository: branch: setting")
    config.write_text(text)


def book_source(student: Path, out: Path, root: Path = ROOT, *, branch: str | None = None) -> Path:
    """A copy of the book's sources in ``out`` with every chapter notebook replaced by its
    student edition from ``student/<chapter>/``, ready for ``jupyter-book build``.

    ``branch``: the repository branch its launch buttons open, one that holds the student
    notebooks (:func:`student_branch`); the book's own branch has the solutions."""
    if out.exists():
        shutil.rmtree(out)
    keep = ["_config.yml", "_toc.yml", "references.bib", "*.md", "chapters"]
    keep += ["_ext", "_static", "_templates"]  # the book's extensions, CSS and theme overrides
    out.mkdir(parents=True)
    for pattern in keep:
        for path in root.glob(pattern):
            if path.name == "README.md":
                continue
            target = out / path.name
            if path.is_dir():
                shutil.copytree(
                    path,
                    target,
                    ignore=shutil.ignore_patterns("*.ipynb_checkpoints", "__pycache__"),
                )
            else:
                shutil.copy(path, target)
    for notebook in (out / "chapters").rglob("*.ipynb"):
        replacement = student / notebook.parent.name / notebook.name
        if not replacement.exists():
            raise ValueError(f"no student edition of {notebook.relative_to(out)} in {student}")
        shutil.copy(replacement, notebook)
    if branch is not None:
        set_branch(out / "_config.yml", branch)
    return out


def student_branch(student: Path, out: Path, root: Path = ROOT, *, branch: str = "student") -> Path:
    """The tree to publish on ``branch``: :func:`book_source` (its launch buttons open
    ``branch``) plus what Binder needs, with the notebooks at the paths the launch links name.
    Raises if any notebook in it still holds a solution."""
    book_source(student, out, root, branch=branch)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    for name in BINDER_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=ignore)
        else:
            shutil.copy(source, out / name)
    (out / "README.md").write_text(
        "# The student edition\n\nGenerated from the book's main branch by its workflow "
        "(`make student-branch`): the chapter notebooks without solutions, and what Binder "
        "and a JupyterHub need to run them. Do not edit: it is rewritten on every change.\n"
    )
    leaks = [
        str(path.relative_to(out))
        for path in sorted(out.rglob("*.ipynb"))
        if any(
            _notebooks.SOLUTION_START.search(_notebooks.source(c))
            or _notebooks.source(c).startswith(_notebooks.SOLUTION_MAGIC)
            for c in json.loads(path.read_text())["cells"]
        )
    ]
    if leaks:
        raise ValueError(f"notebooks with solutions in the student branch: {leaks}")
    return out


def _chapter_notebooks(root: Path) -> list[Path]:
    from ._notebooks import chapter_notebooks

    return chapter_notebooks(root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nblib.course", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("student", help="write the student edition and the autograder")
    s.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter notebook")
    s.add_argument("--out", type=Path, default=ROOT / "_build" / "student")
    s.add_argument("--autograder", type=Path, default=ROOT / "_build" / "autograder")
    s.add_argument(
        "--requirements",
        type=Path,
        help="pip requirements packed into each autograder zip, for otter grade's containers",
    )
    b = sub.add_parser("book-source", help="the book's sources with the student notebooks")
    b.add_argument("--student", type=Path, default=ROOT / "_build" / "student")
    b.add_argument("--out", type=Path, default=ROOT / "_build" / "student-src")
    b.add_argument("--branch", default="student", help="the branch its launch buttons open")
    sb = sub.add_parser("student-branch", help="book-source plus what Binder needs, to publish")
    sb.add_argument("--student", type=Path, default=ROOT / "_build" / "student")
    sb.add_argument("--out", type=Path, default=ROOT / "_build" / "student-branch")
    sb.add_argument("--branch", default="student", help="the branch it is published on")
    g = sub.add_parser("grade", help="grade submitted notebooks into a CSV")
    g.add_argument("submissions", type=Path)
    g.add_argument("--autograder", type=Path, default=ROOT / "_build" / "autograder")
    g.add_argument("--out", type=Path, default=ROOT / "_build" / "grades")
    g.add_argument("--timeout", type=float, default=300.0, help="seconds per notebook")
    g.add_argument(
        "--cell-timeout", type=float, default=60.0, help="seconds per cell and per hidden test"
    )
    g.add_argument("--memory", type=int, default=2048, help="MB of address space per notebook")
    g.add_argument("--jobs", type=int, default=1, help="notebooks graded at a time")
    g.add_argument(
        "--no-reuse",
        dest="reuse",
        action="store_false",
        help="re-run the unchanged chapter cells for every submission (slower, same grades)",
    )
    args = parser.parse_args(argv)
    if args.command == "student":
        notebooks = args.notebooks or _chapter_notebooks(ROOT)
        editions = student_edition(
            notebooks, args.out, args.autograder, requirements=args.requirements
        )
        for path in editions:
            print(f"wrote {path}")
        return 0
    if args.command == "book-source":
        print(f"wrote {book_source(args.student, args.out, branch=args.branch)}")
        return 0
    if args.command == "student-branch":
        print(f"wrote {student_branch(args.student, args.out, branch=args.branch)}")
        return 0
    csv_path = grade(
        args.submissions,
        args.autograder,
        args.out,
        timeout=args.timeout,
        cell_timeout=args.cell_timeout,
        memory_mb=args.memory,
        jobs=args.jobs,
        reuse=args.reuse,
    )
    print(f"wrote {csv_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
