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

:func:`grade` runs ``otter run`` on each submitted notebook, in its own process with
a time limit, and writes one CSV row per student, notebook and exercise. A submission
that is not a notebook, raises, loses a cell or never finishes gets zero marks and a
reason; it never stops the run.

    python -m nblib.course student [--out _build/student] [--autograder _build/autograder]
    python -m nblib.course grade SUBMISSIONS [--autograder _build/autograder] [--out _build/grades]

Submissions are laid out one folder per student: ``SUBMISSIONS/<student>/<notebook>.ipynb``.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from nblib import _notebooks

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


def otter_master(nb, name: str, *, run_tests: bool = True):
    """The otter-grader master notebook for a chapter notebook ``nb``.

    With ``run_tests`` otter executes the notebook to prove each reference solution
    passes its hidden test (the book build proves the same through its own asserts).
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
) -> list[Path]:
    """Write the student notebook of each chapter notebook into ``out/<chapter>/`` and its
    autograder zip into ``autograder/<chapter>/<notebook>.zip``; return the student notebooks.

    ``run_tests=False`` skips otter's execution of each notebook (see :func:`otter_master`).
    """
    otter = otter or str(Path(sys.executable).with_name("otter"))
    written = []
    for path in notebooks:
        chapter = path.parent.name
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as tmp:
            master = Path(tmp) / path.name
            nbformat.write(otter_master(nb, path.stem, run_tests=run_tests), master)
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
            written.append(student)
    return written


@dataclass(frozen=True)
class Grade:
    student: str
    notebook: str
    exercise: str
    score: float
    max_score: float
    feedback: str


def _exercise_names(zip_path: Path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(zip_path) as z:
        return sorted(Path(n).stem for n in z.namelist() if n.startswith("tests/"))


def grade_one(
    student: str, submission: Path, zip_path: Path, *, timeout: float, otter: str
) -> list[Grade]:
    """Grade one submitted notebook; every failure becomes zeros with the reason."""
    names = _exercise_names(zip_path)

    def zeros(reason: str) -> list[Grade]:
        return [Grade(student, submission.stem, n, 0.0, 1.0, reason) for n in names]

    try:
        nbformat.validate(nbformat.read(submission, as_version=4))
    except Exception as exc:  # not JSON, not a notebook
        return zeros(f"not a valid notebook: {type(exc).__name__}: {str(exc)[:200]}")
    with tempfile.TemporaryDirectory() as out:
        try:
            result = subprocess.run(
                [otter, "run", "--no-logo", "-a", str(zip_path), "-o", out, str(submission)],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return zeros(f"timed out: grading took longer than {timeout:g} s (an endless loop?)")
        results = Path(out) / "results.json"
        if not results.exists():
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            return zeros(f"the grader could not run this notebook: {tail[0][:300]}")
        tests = {t["name"]: t for t in json.loads(results.read_text())["tests"]}
    grades = []
    for name in names:
        test = tests.get(name)
        if test is None:
            grades.append(Grade(student, submission.stem, name, 0.0, 1.0, "not graded"))
            continue
        score = float(test.get("score") or 0.0)
        if score >= test.get("max_score", 1.0):
            feedback = "correct"
        else:
            found = _ASSERTION.findall(test.get("output", ""))
            error = re.findall(r"^\s*(\w+Error: .*)$", test.get("output", ""), re.M)
            feedback = (found or error or ["incorrect"])[-1].strip()
        grades.append(
            Grade(
                student, submission.stem, name, score, float(test.get("max_score", 1.0)), feedback
            )
        )
    return grades


def grade(
    submissions: Path,
    autograder: Path,
    out: Path,
    *,
    timeout: float = 300.0,
    otter: str | None = None,
) -> Path:
    """Grade ``submissions/<student>/<notebook>.ipynb`` against the autograder zips and write
    ``out/grades.csv`` (student, notebook, exercise, score, max_score, feedback)."""
    otter = otter or str(Path(sys.executable).with_name("otter"))
    zips = {p.stem: p for p in autograder.rglob("*.zip")}
    if not zips:
        raise ValueError(f"autograder has no zip files: {autograder} (run `make student` first)")
    if not submissions.is_dir():
        raise ValueError(f"submissions must be a folder of student folders, got {submissions}")
    rows: list[Grade] = []
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir()):
        for submission in sorted(folder.glob("*.ipynb")):
            if submission.stem not in zips:
                rows.append(
                    Grade(
                        folder.name,
                        submission.stem,
                        "-",
                        0.0,
                        0.0,
                        f"no notebook of the book is called {submission.name}",
                    )
                )
                continue
            rows += grade_one(
                folder.name, submission, zips[submission.stem], timeout=timeout, otter=otter
            )
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "grades.csv"
    with csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "notebook", "exercise", "score", "max_score", "feedback"])
        for g in rows:
            writer.writerow([g.student, g.notebook, g.exercise, g.score, g.max_score, g.feedback])
    return csv_path


def book_source(student: Path, out: Path, root: Path = ROOT) -> Path:
    """A copy of the book's sources in ``out`` with every chapter notebook replaced by its
    student edition from ``student/<chapter>/``, ready for ``jupyter-book build``."""
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
    b = sub.add_parser("book-source", help="the book's sources with the student notebooks")
    b.add_argument("--student", type=Path, default=ROOT / "_build" / "student")
    b.add_argument("--out", type=Path, default=ROOT / "_build" / "student-src")
    g = sub.add_parser("grade", help="grade submitted notebooks into a CSV")
    g.add_argument("submissions", type=Path)
    g.add_argument("--autograder", type=Path, default=ROOT / "_build" / "autograder")
    g.add_argument("--out", type=Path, default=ROOT / "_build" / "grades")
    g.add_argument("--timeout", type=float, default=300.0, help="seconds per notebook")
    args = parser.parse_args(argv)
    if args.command == "student":
        notebooks = args.notebooks or _chapter_notebooks(ROOT)
        for path in student_edition(notebooks, args.out, args.autograder):
            print(f"wrote {path}")
        return 0
    if args.command == "book-source":
        print(f"wrote {book_source(args.student, args.out)}")
        return 0
    csv_path = grade(args.submissions, args.autograder, args.out, timeout=args.timeout)
    print(f"wrote {csv_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
