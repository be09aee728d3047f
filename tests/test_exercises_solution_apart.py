"""Reference solutions run apart (``%%solution``): Run All never replaces the learner's work."""

from __future__ import annotations

import traceback

import pytest
from IPython.core.interactiveshell import InteractiveShell

from nblib import exercises
from nblib.exercises import check, run_apart


def _stub(*args):
    raise NotImplementedError


def test_the_solution_sees_the_namespace_but_rebinds_nothing_in_it():
    namespace = {"two_layer_backward": _stub, "scale": 3.0}
    run_apart(
        "def two_layer_backward(x):\n    return scale * x\nresult = two_layer_backward(2)",
        namespace,
    )
    assert namespace == {"two_layer_backward": _stub, "scale": 3.0}


def test_the_final_expression_is_returned_unless_silenced():
    assert run_apart("x = 2\nx * 21", {}) == 42
    assert run_apart("x = 2\nx * 21;", {}) is None
    assert run_apart("y = 1", {}) is None
    assert run_apart("", {}) is None


def test_functions_defined_apart_see_their_own_helpers():
    source = "def helper(v):\n    return v + 1\ndef answer(v):\n    return helper(v)\nanswer(1)"
    assert run_apart(source, {"helper": _stub}) == 2


def test_objects_are_shared_not_copied():
    log = []
    run_apart("log.append(1)", {"log": log})
    assert log == [1]  # documented: mutation is visible, rebinding is not


def test_a_failing_solution_raises_with_its_own_line_in_the_traceback():
    with pytest.raises(AssertionError) as info:
        run_apart("x = 1\nassert x == 2, 'reference is wrong'", {}, "<ref>")
    text = "".join(traceback.format_exception(info.value))
    assert "assert x == 2, 'reference is wrong'" in text


@pytest.mark.parametrize(
    ("source", "namespace", "argument"),
    [(b"x = 1", {}, "source"), ("x = 1", [("x", 1)], "namespace")],
)
def test_bad_arguments_are_named(source, namespace, argument):
    with pytest.raises(TypeError, match=argument):
        run_apart(source, namespace)


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    exercises.load_ipython_extension(shell)
    yield shell
    InteractiveShell.clear_instance()


def test_the_cell_magic_keeps_the_learners_stub_and_its_verdict(shell):
    shell.run_cell(
        "from nblib.exercises import check\ndef pairwise_distances(A, B):\n    raise NotImplementedError"
    )
    solution = (
        "%%solution\nimport numpy as np\n"
        "def pairwise_distances(A, B):\n"
        "    d2 = (A**2).sum(1)[:, None] + (B**2).sum(1)[None, :] - 2 * A @ B.T\n"
        "    return np.sqrt(np.maximum(d2, 0))\n"
        'assert check("la-pairwise-distances", pairwise_distances)\n'
    )
    result = shell.run_cell(solution)
    result.raise_error()
    learner = shell.user_ns["pairwise_distances"]
    feedback = check("la-pairwise-distances", learner)
    assert not feedback.passed and "not attempted" in feedback.message
    assert "np" not in shell.user_ns  # the solution's import stayed apart too


def test_the_cell_magic_reports_a_failing_reference(shell):
    result = shell.run_cell("%%solution\nassert 1 == 2")
    assert isinstance(result.error_in_exec, AssertionError)


def test_the_cell_magic_takes_no_arguments(shell):
    result = shell.run_cell("%%solution extra\nx = 1")
    assert isinstance(result.error_in_exec, ValueError)
    assert "takes no arguments" in str(result.error_in_exec)
