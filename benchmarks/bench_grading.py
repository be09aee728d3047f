"""Grading a class: otter run one notebook at a time (how `make grade` graded until now)
against nblib.course.grade serial and parallel, on a generated class, in one run.

The class: STUDENTS students × 3 notebooks (01-forward-pass, 02-backpropagation,
01-entropy-kl), each submission one of a cycle of 20 made from the student edition and the
book's reference solutions: 9 correct, 3 wrong, 2 empty (the stubs untouched), 2 raising in
an answer cell, 2 correct but with a chapter cell edited (they cannot start from the shared
chapter state), 1 with an answer cell deleted, 1 with an endless loop in an answer.

Otter is timed on the first BASELINE submissions (one cycle: the class's mix), since at
≈ 20 s a notebook the whole class would take an hour. nblib is timed on the whole class with
--jobs 1 and --jobs N, each with and without reuse of the unchanged chapter cells
(``--no-reuse`` runs every cell of every submission, as otter does). All four nblib runs must
give the same CSV, and on the otter sample the same scores as otter but where the endless
loop costs otter the whole notebook and nblib only its exercise.

    .venv/bin/python benchmarks/bench_grading.py                 # 60 students: ≈ 1 h loaded
    .venv/bin/python benchmarks/bench_grading.py --students 10 --baseline 6 --profile  # 20 min
    .venv/bin/python benchmarks/bench_grading.py --quick         # 6 students, otter on 5
(--profile adds where otter's time goes, on one notebook.)
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nblib import _grading, course  # noqa: E402

NOTEBOOKS = [
    "01-linear-algebra/01-forward-pass.ipynb",
    "02-calculus/02-backpropagation.ipynb",
    "05-information-theory/01-entropy-kl.ipynb",
]
CYCLE = [  # 20 submissions; any run of a few consecutive ones is a mix
    "correct", "wrong", "empty", "correct", "raising", "edited", "correct", "missing",
    "correct", "wrong", "correct", "looping", "correct", "empty", "correct", "raising",
    "wrong", "correct", "edited", "correct",
]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--baseline", type=int, default=len(CYCLE), help="submissions for otter")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=60.0, help="s per notebook (nblib)")
    parser.add_argument("--otter-timeout", type=float, default=300.0, help="make grade's old limit")
    parser.add_argument("--cell-timeout", type=float, default=10.0, help="s per cell (nblib)")
    parser.add_argument("--quick", action="store_true", help="6 students, otter on 5")
    parser.add_argument("--profile", action="store_true", help="time otter's parts, 1 notebook")
    args = parser.parse_args()
    if args.quick:
        args.students, args.baseline = 6, 5
    return args


# --- the class ---------------------------------------------------------------------------


def stubs(student, book) -> list[tuple[object, str, str]]:
    """(stub cell, exercise label, answer name) of each auto-graded exercise, in order."""
    found = []
    for ex in course.exercises(book):
        if ex.autograded:
            (cell,) = [
                c
                for c in student.cells
                if "exercise-stub" in c.metadata.get("tags", [])
                and re.search(rf"\b{re.escape(ex.answer)}\b", c.source)
            ]
            found.append((cell, ex.label, ex.answer))
    return found


def submission(kind: str, student, book, answers: dict[str, str]):
    """The student edition turned into one submission of ``kind``."""
    nb = copy.deepcopy(student)
    cells = stubs(nb, book)
    if kind == "empty":
        return nb
    for cell, label, name in cells:
        if kind == "wrong":
            cell.source = f"{name} = lambda *args, **kwargs: -1.2345"
        else:
            cell.source = answers[label]
    first, _, name = cells[0]
    if kind == "raising":
        first.source = "raise RuntimeError('my cell is broken')\n" + first.source
    elif kind == "missing":
        nb.cells.remove(first)
    elif kind == "looping":
        first.source = f"def {name}(*args, **kwargs):\n    while True:\n        pass"
    elif kind == "edited":  # a note added to the first chapter cell after the imports
        code = [c for c in nb.cells if c.cell_type == "code" and "import " not in c.source]
        code[0].source += "\nprint('my note: this is where I got lost')"
    return nb


def make_class(tmp: Path, n_students: int) -> tuple[Path, Path, list[tuple[str, str, str]]]:
    """The autograder, and the class as submissions/<student>/<notebook>.ipynb."""
    paths = [ROOT / "chapters" / name for name in NOTEBOOKS]
    course.student_edition(paths, tmp / "student", tmp / "autograder", run_tests=False)
    subs, roster = tmp / "submissions", []
    for s in range(n_students):
        for k, path in enumerate(paths):
            kind = CYCLE[(3 * s + k) % len(CYCLE)]
            book = nbformat.read(path, as_version=4)
            student = nbformat.read(tmp / "student" / path.parent.name / path.name, as_version=4)
            folder = subs / f"s{s:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(
                submission(kind, student, book, course.reference_answers(book)), folder / path.name
            )
            roster.append((f"s{s:02d}", path.stem, kind))
    return tmp / "autograder", subs, roster


# --- otter run, as `make grade` ran it -----------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and its finished descendants (kernels, workers, children)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def otter_run(path: Path, zip_path: Path, timeout: float) -> tuple[dict[str, float], float]:
    """Scores per exercise from ``otter run`` (zeros on a time-out), and the seconds taken."""
    otter = str(Path(sys.executable).with_name("otter"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        try:
            subprocess.run(
                [otter, "run", "--no-logo", "-a", str(zip_path), "-o", out, str(path)],
                capture_output=True,
                timeout=timeout,
            )
            results = json.loads((Path(out) / "results.json").read_text())["tests"]
            scores = {t["name"]: float(t.get("score") or 0) for t in results if "score" in t}
        except (subprocess.TimeoutExpired, FileNotFoundError):
            scores = {}
    return scores, time.perf_counter() - started


# --- where otter's time goes ---------------------------------------------------------------


def profile(path: Path, zip_path: Path, reference: Path) -> None:
    """One correct submission: otter run, and its parts measured apart."""
    import nbclient
    from jupyter_client.manager import start_new_kernel

    print(f"\nWhere otter's time goes, {path.parent.name}/{path.name} (wall s):")
    _, total = otter_run(path, zip_path, 600)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import otter.run, otter.execute"], check=True)
    imports = time.perf_counter() - t
    t = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3")
    kernel = time.perf_counter() - t
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    nb = nbformat.read(path, as_version=4)
    t = time.perf_counter()
    nbclient.NotebookClient(copy.deepcopy(nb), timeout=600, kernel_name="python3").execute()
    in_kernel = time.perf_counter() - t
    probe = (
        "import time, nbformat\nfrom nblib import _grading, course\n"
        f"nb = nbformat.read({str(path)!r}, as_version=4)\n"
        "cells = course._code_cells(nb)\n"
        f"ref = course._code_cells(nbformat.read({str(reference)!r}, as_version=4))\n"
        "n = next(i for i, c in enumerate(ref) if c[2] is not None)\n"
        "_grading.imports([c[1] for c in cells])\n"
        "for m in _grading.imports([c[1] for c in cells]): __import__(m)\n"
        "shell = _grading._make_shell(); t = time.perf_counter(); parts = []\n"
        "for i, (_, source, _) in enumerate(cells):\n"
        "    if i == n: parts.append(time.perf_counter() - t); t = time.perf_counter()\n"
        "    _grading._run_cell(shell, source, 600)\n"
        "parts.append(time.perf_counter() - t); print(parts[0], parts[1])\n"
    )
    env = dict(os.environ, MPLBACKEND="Agg", **dict.fromkeys(_grading.THREAD_VARS, "1"))
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    chapter, exercises = map(float, out.stdout.split()[-2:])
    rows = [
        ("otter run, the whole of it", total),
        ("  a Python that imports otter (otter run does this first)", imports),
        ("  start a Python kernel and connect to it", kernel),
        ("  kernel start + every cell in it (nbclient, inline figures)", in_kernel),
        ("every cell in-process, modules imported (nblib, --no-reuse)", chapter + exercises),
        ("  of which the chapter's cells before the exercises", chapter),
        ("  of which the exercises' cells (what nblib runs with reuse)", exercises),
    ]
    for name, seconds in rows:
        print(f"  {name:64s} {seconds:6.2f}")


# --- the run -------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average at start {os.getloadavg()}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        autograder, subs, roster = make_class(tmp, args.students)
        print(f"class: {args.students} students × {len(NOTEBOOKS)} notebooks = {len(roster)} "
              f"submissions, made in {time.perf_counter() - t:.0f} s (otter assign included)")  # fmt: skip
        zips = {p.stem: p for p in autograder.rglob("*.zip")}
        if args.profile:
            first = subs / roster[0][0] / f"{roster[0][1]}.ipynb"
            profile(first, zips[roster[0][1]], zips[roster[0][1]].with_suffix(".ipynb"))

        # otter on the first submissions of the class
        sample, by_kind, otter_scores = roster[: args.baseline], {}, {}
        t, cpu = time.perf_counter(), cpu_seconds()
        for student, stem, kind in sample:
            scores, seconds = otter_run(
                subs / student / f"{stem}.ipynb", zips[stem], args.otter_timeout
            )
            by_kind.setdefault(kind, []).append(seconds)
            otter_scores[(student, stem)] = scores
        otter_seconds, otter_cpu = time.perf_counter() - t, cpu_seconds() - cpu
        otter_rate = 60 * len(sample) / otter_seconds

        runs, results = [], {}
        for reuse in (True, False):
            for jobs in (1, args.jobs):
                t, cpu = time.perf_counter(), cpu_seconds()
                csv_path = course.grade(
                    subs,
                    autograder,
                    tmp / f"grades-{jobs}-{reuse}",
                    timeout=args.timeout,
                    cell_timeout=args.cell_timeout,
                    jobs=jobs,
                    reuse=reuse,
                )
                seconds = time.perf_counter() - t
                results[(jobs, reuse)] = csv_path.read_text()
                runs.append((jobs, reuse, seconds, cpu_seconds() - cpu))
        print(f"load average at the end {os.getloadavg()}")

    print(f"\nlimits per notebook: otter {args.otter_timeout:g} s; nblib {args.timeout:g} s, "
          f"{args.cell_timeout:g} s a cell")  # fmt: skip
    print("| grader | jobs | submissions | wall s | submissions / min | × otter | CPU s each |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| otter run (sample) | 1 | {len(sample)} | {otter_seconds:.0f} | {otter_rate:.2f} | "
          f"1.0 | {otter_cpu / len(sample):.1f} |")  # fmt: skip
    for jobs, reuse, seconds, cpu in runs:
        rate = 60 * len(roster) / seconds
        name = "nblib" + ("" if reuse else " --no-reuse")
        print(f"| {name} | {jobs} | {len(roster)} | {seconds:.0f} | {rate:.1f} | "
              f"{rate / otter_rate:.1f} | {cpu / len(roster):.2f} |")  # fmt: skip
    for reuse in (True, False):
        serial = next(s for j, r, s, _ in runs if j == 1 and r == reuse)
        parallel = next(s for j, r, s, _ in runs if j == args.jobs and r == reuse)
        print(f"parallel / serial speed-up ({'reuse' if reuse else 'no reuse'}): "
              f"{serial / parallel:.2f}")  # fmt: skip
    print("otter seconds per submission by kind: " + ", ".join(
        f"{k} {statistics.mean(v):.1f}" for k, v in sorted(by_kind.items())))  # fmt: skip

    reference = results[(1, False)]
    same = all(text == reference for text in results.values())
    print(f"the four nblib runs give the same CSV: {'yes' if same else 'NO'}")
    rows = list(csv.DictReader(reference.splitlines()))
    agree, differ = 0, []
    for student, stem, kind in sample:
        for row in (r for r in rows if r["student"] == student and r["notebook"] == stem):
            theirs = otter_scores[(student, stem)].get(row["exercise"], 0.0)
            if float(row["score"]) == theirs:
                agree += 1
            else:
                differ.append(f"{student}/{stem}/{row['exercise']} ({kind}): "
                              f"otter {theirs:g}, nblib {row['score']}")  # fmt: skip
    print(f"scores equal to otter's on the sample: {agree} of {agree + len(differ)}")
    for line in differ:
        print("  " + line)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
