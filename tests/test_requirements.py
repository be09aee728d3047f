"""The pinned environments: each ``requirements*.txt`` is compiled by ``make lock`` from its
short hand-written ``requirements*.in`` and pins every package exactly, so Binder, hubs and CI
build the same environment next year; one package has one version in all of them; and the
course tools (``make student``, ``make grade``) need no test-only tool."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Each hand-written file and the lock compiled from it, from the reading environment up.
LOCKS = {
    "requirements.in": "requirements.txt",
    "requirements-course.in": "requirements-course.txt",
    "requirements-test.in": "requirements-test.txt",
    ".binder/requirements.in": ".binder/requirements.txt",
}
#: Test-only tools that the course tools must not need (tests/, benchmarks, linters, peers).
TEST_ONLY = {"torch", "autograd", "ennemi", "pytest", "pytest-xdist", "nbval", "ruff"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wanted(path: Path) -> set[str]:
    """The names a hand-written file asks for, following its ``-r`` includes."""
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names |= wanted(path.parent / line[3:].strip())
        elif line and not line.startswith("-"):
            names.add(_normal(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0]))
    return names


def pins(path: Path) -> dict[str, str]:
    """{name: version} of every ``name==version`` line of a lock."""
    text = path.read_text()
    return {_normal(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


@pytest.mark.parametrize("source", LOCKS)
def test_every_name_of_a_hand_written_file_is_pinned_in_its_lock(source):
    lock = ROOT / LOCKS[source]
    names, pinned = wanted(ROOT / source), pins(lock)
    assert names, f"{source} asks for nothing"
    unpinned = sorted(names - set(pinned))
    assert not unpinned, f"{unpinned} are not pinned (==) in {lock.name}: run `make lock`"
    lines = [line.split("#")[0].strip() for line in lock.read_text().splitlines()]
    assert "-e ." in lines, f"{lock.name} does not install nblib (-e .)"
    loose = [
        line
        for line in lines
        if line and not line.startswith(("-e ", "#")) and not re.fullmatch(r"\S+==\S+", line)
    ]
    assert not loose, f"{lock.name} has lines that are not exact pins: {loose[:5]}"


def test_a_package_has_one_version_in_every_lock():
    versions: dict[str, dict[str, str]] = {}
    for lock in LOCKS.values():
        for name, version in pins(ROOT / lock).items():
            versions.setdefault(name, {})[lock] = version
    split = {name: found for name, found in versions.items() if len(set(found.values())) > 1}
    assert not split, f"packages pinned differently (run `make lock`): {split}"


def test_each_lock_holds_the_one_below_it():
    """Course tools install on top of the reading environment, test tools on top of both."""
    chain = ["requirements.txt", "requirements-course.txt", "requirements-test.txt"]
    for lower, upper in zip(chain, chain[1:], strict=False):
        missing = sorted(set(pins(ROOT / lower)) - set(pins(ROOT / upper)))
        assert not missing, f"{upper} lacks {missing} of {lower}: run `make lock`"


def test_the_course_tools_need_no_test_tool():
    course = pins(ROOT / "requirements-course.txt")
    assert "otter-grader" in course
    assert not TEST_ONLY & set(course), (
        f"test-only tools in the course lock: {TEST_ONLY & set(course)}"
    )
    assert TEST_ONLY <= set(pins(ROOT / "requirements-test.txt")) | {"pytest-xdist"}
    makefile = (ROOT / "Makefile").read_text()
    for target in ("student", "grade"):
        line = re.search(rf"^{target}:(.*)$", makefile, re.M)
        assert line and "venv-course" in line[1].split() and "venv-test" not in line[1], (
            f"make {target} should need the course environment (venv-course) only: {line}"
        )


def nblib_imports() -> set[str]:
    """Top-level modules nblib imports (standard library and nblib itself left out)."""
    modules = set()
    for path in (ROOT / "nblib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"nblib"}


def test_everything_nblib_imports_is_in_the_course_environment():
    """nblib, which the course tools run (and the notebooks import: tests/test_binder.py),
    imports nothing test-only: the reading environment and otter-grader are enough."""
    assert {"numpy", "matplotlib"} <= nblib_imports()
    pinned = set(pins(ROOT / "requirements-course.txt"))
    providers = packages_distributions()
    missing = []
    for module in sorted(nblib_imports()):
        dists = {_normal(d) for d in providers.get(module, [module])}
        if not dists & pinned:
            missing.append(f"{module} (from {', '.join(sorted(dists))})")
    assert not missing, f"add to requirements.in or requirements-course.in, `make lock`: {missing}"
