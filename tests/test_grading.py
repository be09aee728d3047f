"""Grading a class: exact feedback, limits per notebook and per exercise, parallel = serial.

A tiny chapter-shaped notebook (the book's import cell, one chapter cell, and two auto-graded
exercises copied from Chapter 1 with their solutions) goes through the real student edition
and autograder (otter assign); submissions derived from it cover each case. One class is
graded once in parallel and shared by the tests; the serial and every-cell runs grade the same
class again (without the case that waits for the notebook's time limit).
"""

from __future__ import annotations

import copy
import csv
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from test_course import _answer_cells, _fill

from nblib import _notebooks, course

pytestmark = pytest.mark.slow

BOOK = _notebooks.ROOT / "chapters" / "01-linear-algebra" / "01-forward-pass.ipynb"
EXERCISES = ("la-forward-batch", "la-mlp-forward")
# Short limits keep the tests quick. A cell of the tiny notebook takes milliseconds: 3 s is
# far above that even on a loaded machine, and a quarter of the notebook's limit, so that one
# looping exercise leaves time for the rest. The 3 GiB of the memory case are more than
# MEMORY_MB allows and far less than any machine maps lazily (np.empty touches no page).
CELL_TIMEOUT, TIMEOUT, MEMORY_MB = 3.0, 12.0, 2048
REQUIREMENT = "nblib @ git+https://github.com/mfnn-book/mfnn@main"


def _tiny_chapter(path: Path) -> None:
    """The book's first code cell (imports, rng), a chapter cell and two graded exercises."""
    book = nbformat.read(BOOK, as_version=4)
    imports = next(
        c
        for c in book.cells
        if c.cell_type == "code" and _notebooks.INSTALL_TAG not in c.metadata.get("tags", [])
    )
    blocks = _notebooks.solution_blocks(book)
    cells = [
        nbformat.v4.new_markdown_cell("# A tiny chapter\n\nFor the grading tests."),
        copy.deepcopy(imports),
        nbformat.v4.new_markdown_cell("## 1. Some mathematics"),
        nbformat.v4.new_code_cell("identity = np.eye(2)\nassert identity.trace() == 2"),
        nbformat.v4.new_markdown_cell("## Exercises"),
    ]
    for label in EXERCISES:
        start = next(
            i
            for i, c in enumerate(book.cells)
            if c.cell_type == "markdown" and re.search(rf":label: {label}\s", c.source)
        )
        cells += copy.deepcopy(book.cells[start : blocks[label][1] + 1])
    cells.append(nbformat.v4.new_markdown_cell("## Summary\n\nThat was all."))
    nb = copy.deepcopy(book)
    nb.cells = cells
    nbformat.write(nb, path)


def _stub(nb, name: str):
    (cell,) = [
        c
        for c in nb.cells
        if "exercise-stub" in c.metadata.get("tags", []) and f"def {name}(" in c.source
    ]
    return cell


# The answer to la-forward-batch in each case (None: the stub cell deleted). The loops sleep:
# endless all the same, the same interrupt stops them, and they leave the cores to other tests.
FORWARD_BATCH = {
    "deleted": None,
    "renamed": "def forward_b(W, b, X):\n    return np.maximum(X @ W.T + b, 0)",
    "wrong": "def forward_batch(W, b, X):\n    return X",
    "loops": "import time\n\ndef forward_batch(W, b, X):\n    while True:\n        time.sleep(0.1)",
    "loops_top": "while True:\n    pass",
    "memory": f"big = np.empty({3 * 2**30}, dtype=np.uint8)  # 3 GiB, more than MEMORY_MB",
    # only the notebook's limit stops an endless loop that ignores the interrupt
    "stubborn": "import signal, time\n\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
    "while True:\n    time.sleep(0.1)",
}


def _cases(chapter: Path, student_path: Path) -> dict[str, nbformat.NotebookNode]:
    """One submission per case: right answers but for one change, or the untouched stubs."""
    student = nbformat.read(student_path, as_version=4)
    right = _fill(student, _answer_cells(nbformat.read(chapter, as_version=4)))
    cases = {"right": right, "empty": copy.deepcopy(student)}
    for name, source in FORWARD_BATCH.items():
        nb = copy.deepcopy(right)
        cell = _stub(nb, "forward_batch")
        if source is None:
            nb.cells.remove(cell)
        else:
            cell.source = source
        cases[name] = nb
    nb = copy.deepcopy(right)
    (cell,) = [c for c in nb.cells if c.source.startswith("identity = ")]
    cell.source += "\nraise ValueError('oops in the chapter')"
    cases["chapter_error"] = nb
    return cases


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """The tiny chapter's autograder and two classes: ``class`` has one submission per case
    but the slow "stubborn" one; ``everything`` has them all and a file that is no notebook."""
    tmp = tmp_path_factory.mktemp("grading")
    chapter = tmp / "00-tiny" / "tiny.ipynb"
    chapter.parent.mkdir()
    _tiny_chapter(chapter)
    requirements = tmp / "requirements.txt"  # for otter's containers; unused by our grading
    requirements.write_text(REQUIREMENT + "\n")
    (student_path,) = course.student_edition(
        [chapter], tmp / "student", tmp / "autograder", run_tests=False, requirements=requirements
    )
    for name, nb in _cases(chapter, student_path).items():
        for group in ("class", "everything") if name != "stubborn" else ("everything",):
            (tmp / group / name).mkdir(parents=True)
            nbformat.write(nb, tmp / group / name / "tiny.ipynb")
    (tmp / "everything" / "garbage").mkdir()
    (tmp / "everything" / "garbage" / "tiny.ipynb").write_text("this is not a notebook {")
    return tmp, tmp / "class"


def _grade(tmp: Path, subs: Path, out: str, **options) -> dict[str, dict[str, dict]]:
    limits = {"timeout": TIMEOUT, "cell_timeout": CELL_TIMEOUT, "memory_mb": MEMORY_MB}
    csv_path = course.grade(subs, tmp / "autograder", tmp / out, **(limits | options))
    rows: dict[str, dict[str, dict]] = {}
    for row in csv.DictReader(csv_path.open()):
        rows.setdefault(row["student"], {})[row["exercise"]] = row
    return rows


@pytest.fixture(scope="module")
def graded(setup):
    """Every case graded 2 at a time, shared by the tests."""
    tmp, _ = setup
    return _grade(tmp, tmp / "everything", "grades-parallel", jobs=2)


def _score(rows, student, exercise) -> float:
    return float(rows[student][exercise]["score"])


def test_every_student_gets_a_row_per_exercise(graded):
    assert set(graded) == {
        "right", "deleted", "renamed", "wrong", "empty", "loops", "loops_top", "memory",
        "chapter_error", "stubborn", "garbage",
    }  # fmt: skip
    for student, rows in graded.items():
        assert set(rows) == set(EXERCISES), student
        assert all(r["feedback"] for r in rows.values()), student
    assert all(_score(graded, "right", ex) == 1.0 for ex in EXERCISES)
    assert graded["right"]["la-forward-batch"]["notebook_errors"] == ""


def test_a_deleted_or_renamed_function_is_named(graded):
    expected = "function `forward_batch` is missing: did you delete or rename the cell?"
    for student in ("deleted", "renamed"):
        row = graded[student]["la-forward-batch"]
        assert row["feedback"] == expected, (student, row["feedback"])
        assert "_feedback" not in row["feedback"]
        assert _score(graded, student, "la-mlp-forward") == 1.0, student


def test_wrong_and_unfinished_answers_get_the_checks_own_words(graded):
    wrong = graded["wrong"]["la-forward-batch"]
    assert _score(graded, "wrong", "la-forward-batch") == 0.0
    assert "shape" in wrong["feedback"], wrong["feedback"]  # the check's reason, not "incorrect"
    empty = graded["empty"]["la-forward-batch"]["feedback"]
    assert "not attempted yet" in empty, empty


def test_errors_outside_the_graded_cells_are_reported_in_their_own_column(graded):
    rows = graded["chapter_error"]
    for exercise in EXERCISES:
        assert _score(graded, "chapter_error", exercise) == 1.0
        errors = rows[exercise]["notebook_errors"]
        assert "ValueError: oops in the chapter" in errors, errors
        assert re.search(r"\bcell \d+ \(identity = np\.eye\(2\)\)", errors), errors


@pytest.mark.parametrize("student", ["loops", "loops_top"])
def test_an_endless_loop_costs_only_its_exercise(graded, student):
    row = graded[student]["la-forward-batch"]
    assert _score(graded, student, "la-forward-batch") == 0.0
    assert row["feedback"].startswith("timed out: cell "), row["feedback"]
    assert f"ran longer than {CELL_TIMEOUT:g} s" in row["feedback"]
    assert _score(graded, student, "la-mlp-forward") == 1.0, graded[student]["la-mlp-forward"]


def test_a_loop_that_ignores_interrupts_is_stopped_at_the_notebooks_limit(graded):
    for exercise in EXERCISES:
        feedback = graded["stubborn"][exercise]["feedback"]
        assert feedback.startswith(f"timed out: the notebook's limit of {TIMEOUT:g} s"), feedback
    assert (
        f"ran out of its {TIMEOUT:g} s" in graded["stubborn"]["la-mlp-forward"]["notebook_errors"]
    )


def test_the_memory_limit_stops_a_big_allocation(graded):
    feedback = graded["memory"]["la-forward-batch"]["feedback"]
    # without the limit, np.empty maps 3 GiB lazily and succeeds: this fails only under it
    assert "MemoryError" in feedback and f"at most {MEMORY_MB} MB" in feedback, feedback
    assert _score(graded, "memory", "la-mlp-forward") == 1.0


def test_a_file_that_is_not_a_notebook_gets_zero_and_why(graded):
    for exercise in EXERCISES:
        assert graded["garbage"][exercise]["feedback"].startswith("not a valid notebook")


def test_serial_grading_of_every_cell_equals_parallel_grading_with_reuse(setup, graded):
    """One at a time, each submission from its first cell (as otter runs it) gives the grades
    of the parallel run that starts unchanged submissions from the chapter's state."""
    tmp, subs = setup
    serial = _grade(tmp, subs, "grades-serial", jobs=1, reuse=False)
    assert serial == {student: graded[student] for student in serial}


def test_requirements_go_into_the_container_image_of_the_autograder(setup):
    tmp, _ = setup
    with zipfile.ZipFile(tmp / "autograder" / "00-tiny" / "tiny.zip") as z:
        environment = z.read("environment.yml").decode()
    assert f"- {REQUIREMENT}" in environment, environment


def test_command_line_passes_the_limits(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(course, "grade", lambda *args, **kw: seen.update(kw) or tmp_path / "g.csv")
    argv = ["grade", str(tmp_path), "--jobs", "3", "--timeout", "30", "--cell-timeout", "5"]
    assert course.main([*argv, "--memory", "1000", "--no-reuse"]) == 0
    assert seen == {
        "timeout": 30.0,
        "cell_timeout": 5.0,
        "memory_mb": 1000,
        "jobs": 3,
        "reuse": False,
    }


@pytest.mark.parametrize(
    "options",
    [{"jobs": 0}, {"timeout": 0}, {"cell_timeout": -1}, {"memory_mb": 0}],
    ids=["jobs", "timeout", "cell_timeout", "memory_mb"],
)
def test_bad_limits_are_refused_by_name(setup, options):
    tmp, subs = setup
    (name,) = options
    with pytest.raises(ValueError, match=name):
        course.grade(subs, tmp / "autograder", tmp / "never", **options)
