"""The instructor workflow end to end: student edition without solutions, and grading
correct, wrong and malformed submissions into a CSV (otter-grader underneath)."""

from __future__ import annotations

import copy
import csv
import re
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from types import SimpleNamespace

import nbformat
import pytest
from warm_otter import warm_otter

from nblib import _notebooks, course

pytestmark = pytest.mark.slow

NOTEBOOKS = _notebooks.chapter_notebooks()
GRADED = NOTEBOOKS[0]  # the round trip uses the first section of the book


@contextmanager
def _warm_otter_commands():
    """``course``'s ``otter assign`` commands run by a warm otter (tests/warm_otter.py)."""
    with warm_otter() as run, pytest.MonkeyPatch.context() as patch:
        patch.setattr(course, "subprocess", SimpleNamespace(**(vars(subprocess) | {"run": run})))
        yield


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("edition")
    # otter executes the graded notebook to validate its solutions; the others' solutions are
    # validated by the book build and nbval (each ends in `assert check(...)`), so skip re-running.
    # The graded one goes through the otter command; the others through a warm otter, two at
    # a time: the same files (test_a_warm_otter_writes_what_the_otter_command_writes) for 0.1
    # instead of 3 s of CPU each.
    students = course.student_edition([GRADED], out / "student", out / "autograder")
    others = [p for p in NOTEBOOKS if p != GRADED]
    with _warm_otter_commands(), ThreadPoolExecutor(2) as pool:
        for written in pool.map(
            lambda p: course.student_edition(
                [p], out / "student", out / "autograder", run_tests=False
            ),
            others,
        ):
            students += written
    return out, {p.name: p for p in students}


def _zip_members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_a_warm_otter_writes_what_the_otter_command_writes(tmp_path):
    """The edition fixture's shortcut is faithful: on the smallest chapter notebook, the
    student edition and every file of the autograder zip are those of ``otter assign``."""
    path = min(NOTEBOOKS, key=lambda p: p.stat().st_size)
    written = {}
    for way in ("command", "warm"):
        with _warm_otter_commands() if way == "warm" else nullcontext():
            (student,) = course.student_edition(
                [path], tmp_path / way, tmp_path / f"{way}-autograder", run_tests=False
            )
        zip_path = tmp_path / f"{way}-autograder" / path.parent.name / f"{path.stem}.zip"
        written[way] = (student.read_bytes(), _zip_members(zip_path))
    command, warm = written["command"], written["warm"]
    assert warm[0] == command[0], f"the warm otter's student edition of {path.name} differs"
    assert warm[1].keys() == command[1].keys(), (sorted(warm[1]), sorted(command[1]))
    differ = [name for name in command[1] if warm[1][name] != command[1][name]]
    assert not differ, f"the warm otter's autograder zip of {path.name} differs in {differ}"


def _solution_lines(nb) -> list[str]:
    """Distinctive lines of every solution (code and prose) of a book notebook."""
    lines = []
    for start, end in _notebooks.solution_blocks(nb).values():
        for cell in nb.cells[start + 1 : end]:
            for line in cell.source.splitlines():
                line = line.strip()
                if len(line) >= 12 and not line.startswith(("#", "```", ":::", "import ", "from ")):
                    lines.append(line)
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_edition_has_no_solution_text(edition, path):
    _, students = edition
    book = nbformat.read(path, as_version=4)
    student = students[path.name].read_text()
    lines = _solution_lines(book)
    assert lines, f"{path.name}: found no solution text to look for"
    leaked = [line for line in lines if line in student]
    # a line may legitimately appear elsewhere in the notebook (e.g. the stub's signature)
    elsewhere = "\n".join(
        c.source
        for i, c in enumerate(book.cells)
        if not any(s <= i <= e for s, e in _notebooks.solution_blocks(book).values())
    )
    leaked = [line for line in leaked if line not in elsewhere]
    assert not leaked, f"solution text in the student edition of {path.name}: {leaked[:3]}"
    assert "{solution-start}" not in student and "{solution-end}" not in student


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_edition_keeps_exercises_stubs_and_checks(edition, path):
    _, students = edition
    student = nbformat.read(students[path.name], as_version=4)
    text = "\n".join(c.source for c in student.cells)
    for ex in course.exercises(nbformat.read(path, as_version=4)):
        assert f":label: {ex.label}" in text
        if ex.autograded:
            assert re.search(rf"check\(\s*[\"']{re.escape(ex.label)}[\"']", text), ex.label


def _answer_cells(book) -> dict[str, str]:
    """For each auto-graded exercise, the code of its reference solution."""
    return course.reference_answers(book)


def _fill(student, answers: dict[str, str] | None, stub_source: str | None = None):
    """The student notebook with every stub replaced by ``answers[label]`` or ``stub_source``."""
    nb = copy.deepcopy(student)
    stubs = [c for c in nb.cells if "exercise-stub" in c.metadata.get("tags", [])]
    graded = [ex for ex in course.exercises(student) if ex.autograded]
    by_label = {}
    for cell in stubs:  # a stub belongs to the graded exercise whose answer it defines
        for ex in graded:
            if re.search(rf"\b{re.escape(ex.answer)}\b", cell.source):
                by_label[ex.label] = cell
    assert set(by_label) == {ex.label for ex in graded}, "a graded exercise has no stub cell"
    for label, cell in by_label.items():
        cell.source = (
            answers[label]
            if answers is not None
            else stub_source.format(name=next(ex.answer for ex in graded if ex.label == label))
        )
    return nb


def test_grading_round_trip_and_malformed_submissions(edition, tmp_path):
    out, students = edition
    book = nbformat.read(GRADED, as_version=4)
    student = nbformat.read(students[GRADED.name], as_version=4)
    graded = [ex.label for ex in course.exercises(book) if ex.autograded]
    assert graded, f"{GRADED.name} has no auto-graded exercise"
    subs = tmp_path / "submissions"
    answers = _answer_cells(book)
    cases = {
        "right": _fill(student, answers),
        "wrong": _fill(student, None, "{name} = lambda *args, **kwargs: -1.2345"),
        "raises": _fill(student, None, "raise RuntimeError('my cell is broken')"),
        # the loop sleeps: endless all the same (the interrupt stops it as it stops a busy
        # loop, which test_grading's loops_top covers) without burning a core for 20 s a stub
        "loops": _fill(student, None, "import time\nwhile True:\n    time.sleep(0.1)"),
    }
    missing = copy.deepcopy(cases["right"])
    missing.cells = [c for c in missing.cells if "exercise-stub" not in c.metadata.get("tags", [])]
    cases["missing"] = missing
    for name, nb in cases.items():
        (subs / name).mkdir(parents=True)
        nbformat.write(nb, subs / name / GRADED.name)
    (subs / "garbage").mkdir()
    (subs / "garbage" / GRADED.name).write_text("this is not a notebook {")

    # the loops end after 20 s a cell: the chapter's slowest cell takes 1.2 s of CPU, and at
    # most 4.3 s on this machine shared by 10 busy processes (`uptime` load 10)
    csv_path = course.grade(
        subs, out / "autograder", tmp_path / "grades", timeout=120, cell_timeout=20, jobs=2
    )
    rows = list(csv.DictReader(csv_path.open()))
    by_student: dict[str, list[dict]] = {}
    for row in rows:
        by_student.setdefault(row["student"], []).append(row)

    assert set(by_student) == {"right", "wrong", "raises", "loops", "missing", "garbage"}
    for student_name, student_rows in by_student.items():
        assert {r["exercise"] for r in student_rows} == set(graded), student_name
        assert all(r["feedback"] for r in student_rows), student_name
    assert all(float(r["score"]) == float(r["max_score"]) for r in by_student["right"])
    for bad in ("wrong", "raises", "loops", "missing", "garbage"):
        assert all(float(r["score"]) == 0 for r in by_student[bad]), bad
    assert all(r["feedback"].startswith("timed out: cell ") for r in by_student["loops"])
    for r in by_student["missing"]:
        assert r["feedback"].endswith("is missing: did you delete or rename the cell?"), r
    assert "not a valid notebook" in by_student["garbage"][0]["feedback"]
    assert all("correct" != r["feedback"] for r in by_student["wrong"])
    assert all(r["notebook_errors"] == "" for r in by_student["right"]), by_student["right"]


def test_the_student_branch_holds_the_student_editions_where_the_launch_links_point(
    edition, tmp_path
):
    """What the workflow publishes on the student branch (``make student-branch``): each
    student edition (checked above for solution text) at the path the student website's
    launch links name (tests/test_student_site.py), and what Binder needs to run them."""
    from test_student_site import branch_and_path, launch_links, makefile_student_branch

    out, students = edition
    branch = course.student_branch(
        out / "student", tmp_path / "branch", branch=makefile_student_branch()
    )
    for path in NOTEBOOKS:
        relative = path.relative_to(course.ROOT).as_posix()
        for text, url in launch_links(branch / "_config.yml", relative).items():
            linked_branch, linked_path = branch_and_path(url)
            assert linked_branch == makefile_student_branch(), f"{relative}: {text} opens {url}"
            if linked_path:
                published = branch / linked_path
                assert published.read_bytes() == students[path.name].read_bytes(), (
                    f"the student branch's {linked_path} is not the student edition"
                )
    for needed in (".binder/requirements.txt", ".binder/runtime.txt", "pyproject.toml"):
        assert (branch / needed).is_file(), f"Binder needs {needed} on the student branch"
    assert (branch / "nblib" / "__init__.py").is_file(), "`-e .` needs nblib on the branch"
