"""Answer checks for the book's code exercises.

A learner writes an answer in a notebook cell and calls ::

    from nblib.exercises import check
    check("la-forward-batch", forward_batch)

which shows ✅ or ❌ with a reason ("your output has shape (3, 4); the layer has 4
inputs and 3 outputs, so a batch of 5 should give (5, 3)") but never the expected
values. Each chapter's checks live in their own module (``linear_algebra`` for
Chapter 1, ...), registered under the exercise's label with :func:`register`.

The same checks serve the autograder: a hidden test is simply
``assert check("la-forward-batch", forward_batch)``.

A reference solution cell starts with the ``%%solution`` cell magic (registered when this
module is imported in IPython, or by ``%load_ext nblib.exercises``): it runs the cell in a
copy of the notebook's namespace, so "Run All" proves the reference passes its check
without replacing what the learner wrote (:func:`run_apart`).
"""

from __future__ import annotations

import ast
import importlib
import linecache
import pkgutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``passed`` and a ``message`` that explains without revealing."""

    exercise: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "✅ Correct" if self.passed else "❌ Not yet"
        return f"{mark} [{self.exercise}]: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.passed else "#D55E00"
        mark = "✅ Correct" if self.passed else "❌ Not yet"
        from html import escape

        return (
            f'<div class="nblib-feedback" style="border-left:4px solid {colour};'
            f'padding:0.3em 0.8em"><strong>{mark}</strong> '
            f"<code>{escape(self.exercise)}</code>: {escape(self.message)}</div>"
        )


class Incorrect(Exception):
    """Raised inside a check to report a wrong answer with the reason as its message."""


Check = Callable[[Any], str]
_CHECKS: dict[str, Check] = {}
_CHAPTER_MODULES_LOADED = False


def register(exercise_id: str) -> Callable[[Check], Check]:
    """Register ``fn(answer) -> success message`` as the check of ``exercise_id``.

    The check raises :class:`Incorrect` with a helpful reason when the answer is wrong.
    """

    def decorate(fn: Check) -> Check:
        if exercise_id in _CHECKS:
            raise ValueError(f"exercise_id {exercise_id!r} is registered twice")
        _CHECKS[exercise_id] = fn
        return fn

    return decorate


def _load_chapter_modules() -> None:
    global _CHAPTER_MODULES_LOADED
    if not _CHAPTER_MODULES_LOADED:
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        _CHAPTER_MODULES_LOADED = True


def available() -> list[str]:
    """The labels of every exercise that has a check."""
    _load_chapter_modules()
    return sorted(_CHECKS)


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check ``answer`` for the exercise ``exercise_id`` and return :class:`Feedback`.

    It never raises for a wrong or unfinished answer: an answer that is ``...``,
    ``None`` or raises ``NotImplementedError`` is "not attempted yet"; any other
    exception from the learner's code is reported with its type and message.
    """
    _load_chapter_modules()
    if exercise_id not in _CHECKS:
        raise ValueError(
            f"exercise_id {exercise_id!r} has no check; known exercises: {', '.join(sorted(_CHECKS))}"
        )
    if answer is None or answer is Ellipsis:
        return Feedback(exercise_id, False, "not attempted yet: replace the ... with your answer")
    try:
        message = _CHECKS[exercise_id](answer)
    except Incorrect as wrong:
        return Feedback(exercise_id, False, str(wrong))
    except NotImplementedError:
        return Feedback(exercise_id, False, "not attempted yet: your function is still a stub")
    except Exception as exc:  # the learner's code failed: say how, never crash the notebook
        return Feedback(exercise_id, False, f"your answer raised {type(exc).__name__}: {exc}")
    return Feedback(exercise_id, True, message)


# ---------------------------------------------------------------------------
# Building blocks for checks
# ---------------------------------------------------------------------------


def expect_function(answer: Any, name: str) -> None:
    """Raise :class:`Incorrect` unless the learner's ``answer`` (called ``name``) is callable."""
    if not callable(answer):
        raise Incorrect(f"{name} should be a function, got {type(answer).__name__}")


def as_answer_array(value: Any, what: str) -> np.ndarray:
    """The learner's answer as a finite float array, or :class:`Incorrect` saying why not."""
    if isinstance(value, tuple):
        raise Incorrect(f"{what} is a tuple of {len(value)} items; return one array")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"{what} should be a numeric array, got {type(value).__name__}") from exc
    if not np.all(np.isfinite(arr)):
        raise Incorrect(f"{what} contains NaN or infinite values")
    return arr


def call_on_copy(fn: Callable, what: str, *args: Any) -> Any:
    """Call ``fn`` on copies of the array arguments; complain if it modifies them in place."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    out = fn(*copies)
    for a, c in zip(args, copies, strict=True):
        if isinstance(a, np.ndarray) and not np.array_equal(a, c):
            raise Incorrect(f"{what} changed its input array in place; work on a copy")
    return out


def expect_array(value: Any, expected: np.ndarray, what: str, *, rtol=1e-6, atol=1e-9) -> None:
    """Raise :class:`Incorrect` unless ``value`` is an array of the expected shape and values.

    The message gives the shapes and the size of the error, never the expected values.
    """
    expected = np.asarray(expected)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"{what} should be a numeric array, got {type(value).__name__}") from exc
    if arr.shape != expected.shape:
        raise Incorrect(f"{what} has shape {arr.shape}, but it should have shape {expected.shape}")
    if not np.all(np.isfinite(arr)):
        raise Incorrect(f"{what} contains NaN or infinite values")
    if not np.allclose(arr, expected, rtol=rtol, atol=atol):
        err = np.max(np.abs(arr - expected))
        raise Incorrect(
            f"{what} has the right shape but wrong values (largest error {err:.3g}); "
            "check the formula"
        )


def expect_scalar(value: Any, expected: float, what: str, *, rtol=1e-6, atol=1e-9) -> None:
    """Raise :class:`Incorrect` unless ``value`` is a number close to ``expected``."""
    if isinstance(value, bool) or not np.isscalar(value) and np.ndim(value) != 0:
        raise Incorrect(f"{what} should be a single number, got {type(value).__name__}")
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"{what} should be a number, got {type(value).__name__}") from exc
    if not np.isfinite(v):
        raise Incorrect(f"{what} is {v}, not a finite number")
    if not np.isclose(v, expected, rtol=rtol, atol=atol):
        hint = "too large" if v > expected else "too small"
        raise Incorrect(f"{what} is {hint}")


def expect_same_function(
    answer: Callable,
    reference: Callable,
    cases: Iterable[tuple],
    what: str,
    *,
    rtol=1e-6,
    atol=1e-9,
) -> int:
    """Call ``answer(*args)`` and ``reference(*args)`` on every case; raise on the first mismatch.

    Returns the number of cases checked, for the success message.
    """
    expect_function(answer, what)
    n = 0
    for args in cases:
        n += 1
        shapes = ", ".join(str(np.shape(a)) for a in args)
        expect_array(
            answer(*args),
            reference(*args),
            f"{what} on inputs of shapes {shapes}",
            rtol=rtol,
            atol=atol,
        )
    return n


# ---------------------------------------------------------------------------
# Reference solutions, run apart from the learner's work
# ---------------------------------------------------------------------------


def run_apart(source: str, namespace: dict[str, Any], filename: str = "<solution>") -> Any:
    """Run ``source`` in a shallow copy of ``namespace`` and return its final expression's value.

    The code sees every name of ``namespace`` but binds none there: a reference solution
    defining ``two_layer_backward`` leaves the learner's own ``two_layer_backward`` in place.
    (Objects are shared, not copied: code that mutates one, e.g. draws from a shared
    generator, still changes it.) As in IPython, a final expression not ending in ``;`` is
    returned, so it is displayed.
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    if not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict, got {type(namespace).__name__}")
    tree = ast.parse(source, filename)
    show_last = (
        bool(tree.body)
        and isinstance(tree.body[-1], ast.Expr)
        and not source.rstrip().endswith(";")
    )
    last = tree.body.pop() if show_last else None
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)  # tracebacks show the code
    scope = dict(namespace)
    exec(compile(tree, filename, "exec"), scope)
    if last is not None:
        return eval(compile(ast.Expression(last.value), filename, "eval"), scope)
    return None


def _solution_magic(line: str, cell: str) -> Any:
    """``%%solution``: run this reference solution apart from the learner's names."""
    if line.strip():
        raise ValueError(f"%%solution takes no arguments, got {line.strip()!r}")
    from IPython import get_ipython

    shell = get_ipython()
    return run_apart(shell.transform_cell(cell), shell.user_ns, "<reference solution>")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nblib.exercises``: register the ``%%solution`` cell magic."""
    ipython.register_magic_function(_solution_magic, magic_kind="cell", magic_name="solution")


def _register_in_running_ipython() -> None:
    ipython_module = sys.modules.get("IPython")  # never import IPython into plain Python
    shell = ipython_module.get_ipython() if ipython_module else None
    if shell is not None:
        load_ipython_extension(shell)


_register_in_running_ipython()
