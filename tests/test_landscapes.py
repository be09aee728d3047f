"""nblib.landscapes: gradients and Hessians against autograd and finite differences,
known minima, the quadratic's condition number, grids of points."""

import autograd
import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der, rosen_hess

from nblib import landscapes

QUADRATIC = landscapes.Quadratic(kappa=25, d=3, b=[1.0, -2.0, 0.5], rng=1)

# Each landscape and its value written in autograd's numpy from the textbook formula.
CASES = {
    "quadratic": (QUADRATIC, lambda x: 0.5 * x @ QUADRATIC.A @ x - QUADRATIC.b @ x),
    "rosenbrock": (
        landscapes.Rosenbrock(a=1.5, b=20.0),
        lambda x: (1.5 - x[0]) ** 2 + 20.0 * (x[1] - x[0] ** 2) ** 2,
    ),
    "saddle": (landscapes.Saddle(), lambda x: x[0] ** 2 - x[1] ** 2),
    "himmelblau": (
        landscapes.Himmelblau(),
        lambda x: (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2,
    ),
    "beale": (
        landscapes.Beale(),
        lambda x: (
            (1.5 - x[0] + x[0] * x[1]) ** 2
            + (2.25 - x[0] + x[0] * x[1] ** 2) ** 2
            + (2.625 - x[0] + x[0] * x[1] ** 3) ** 2
        ),
    ),
}


def rel_err(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def central_jacobian(f, x, h=1e-6):
    """Column j is (f(x + h eⱼ) − f(x − h eⱼ)) / 2h."""
    return np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))], axis=-1)


def random_points(fn, n=5, seed=0):
    xmin, xmax, ymin, ymax = fn.bounds
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-1.5, 1.5, (n, fn.d))
    pts[:, 0] = rng.uniform(xmin, xmax, n)
    pts[:, 1] = rng.uniform(ymin, ymax, n)
    return pts


@pytest.mark.parametrize("name", CASES)
def test_gradient_and_hessian_against_autograd_and_finite_differences(name):
    fn, anp_f = CASES[name]
    for x in random_points(fn):
        assert fn.value(x) == pytest.approx(float(anp_f(x)), rel=1e-13, abs=1e-13)
        g, H = fn.grad(x), fn.hessian(x)
        assert g.shape == (fn.d,) and H.shape == (fn.d, fn.d)
        assert rel_err(g, autograd.grad(anp_f)(x)) <= 1e-13
        assert rel_err(H, autograd.hessian(anp_f)(x)) <= 1e-13
        assert rel_err(g, central_jacobian(fn.value, x)) <= 1e-6
        assert rel_err(H, central_jacobian(fn.grad, x)) <= 1e-6
        np.testing.assert_array_equal(H, H.T)


def test_rosenbrock_equals_scipy():
    fn = landscapes.Rosenbrock()
    for x in random_points(fn, seed=1):
        assert fn.value(x) == pytest.approx(rosen(x), rel=1e-14)
        np.testing.assert_allclose(fn.grad(x), rosen_der(x), rtol=1e-13)
        np.testing.assert_allclose(fn.hessian(x), rosen_hess(x), rtol=1e-13)


@pytest.mark.parametrize("name", CASES)
def test_minima_are_stationary_with_positive_curvature_and_inside_the_box(name):
    fn, _ = CASES[name]
    xmin, xmax, ymin, ymax = fn.bounds
    for m in fn.minima:
        assert np.max(np.abs(fn.grad(m))) < 1e-12
        assert np.all(np.linalg.eigvalsh(fn.hessian(m)) > 0)
        assert xmin < m[0] < xmax and ymin < m[1] < ymax
        # A minimum: no point nearby is lower.
        nearby = m + 1e-3 * np.random.default_rng(0).standard_normal((50, fn.d))
        assert np.all(fn.value(nearby) > fn.value(m))


def test_known_minimum_values():
    np.testing.assert_allclose(
        landscapes.Himmelblau().value(landscapes.Himmelblau().minima), 0, atol=1e-25
    )
    assert landscapes.Beale().value([3.0, 0.5]) == 0.0
    assert landscapes.Rosenbrock(a=2.0).value([2.0, 4.0]) == 0.0
    np.testing.assert_allclose(QUADRATIC.minima[0], np.linalg.solve(QUADRATIC.A, QUADRATIC.b))


def test_saddle_has_no_minimum_and_an_indefinite_hessian():
    saddle = landscapes.Saddle()
    assert saddle.minima.shape == (0, 2)
    (p,) = saddle.saddle_points
    np.testing.assert_array_equal(saddle.grad(p), [0, 0])
    np.testing.assert_array_equal(np.linalg.eigvalsh(saddle.hessian(p)), [-2.0, 2.0])


@pytest.mark.parametrize("kappa, d", [(1.0, 2), (10.0, 2), (50.0, 10), (1e6, 5)])
def test_quadratic_condition_number_equals_kappa(kappa, d):
    bowl = landscapes.Quadratic(kappa=kappa, d=d)
    assert np.linalg.cond(bowl.A) == pytest.approx(kappa, rel=1e-9)
    assert bowl.kappa == pytest.approx(kappa, rel=1e-9)
    np.testing.assert_allclose(np.linalg.eigvalsh(bowl.A)[[0, -1]], [1.0, kappa], rtol=1e-9)
    np.testing.assert_array_equal(bowl.A, bowl.A.T)


def test_quadratic_from_a_matrix_and_without_rotation():
    A, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, 1.0])
    bowl = landscapes.Quadratic(A, b)
    np.testing.assert_allclose(bowl.minima[0], [0.2, 0.4])  # A⁻¹ b by hand
    assert bowl.kappa == pytest.approx((5 + np.sqrt(5)) / (5 - np.sqrt(5)))
    assert bowl.value([0.2, 0.4]) == pytest.approx(-0.3)  # −½ bᵀA⁻¹b
    np.testing.assert_array_equal(
        landscapes.Quadratic(kappa=4, rotate=False).A, np.diag([1.0, 4.0])
    )


@pytest.mark.parametrize("name", CASES)
def test_a_grid_of_points_gives_the_pointwise_values(name):
    fn, _ = CASES[name]
    grid = random_points(fn, n=12, seed=2).reshape(3, 4, fn.d)
    values, grads, hessians = fn.value(grid), fn.grad(grid), fn.hessian(grid)
    assert values.shape == (3, 4) and grads.shape == (3, 4, fn.d)
    assert hessians.shape == (3, 4, fn.d, fn.d)
    for i in np.ndindex(3, 4):
        assert values[i] == pytest.approx(fn.value(grid[i]), rel=1e-14)
        np.testing.assert_allclose(grads[i], fn.grad(grid[i]), rtol=1e-14)
        np.testing.assert_allclose(hessians[i], fn.hessian(grid[i]), rtol=1e-14)
    assert isinstance(fn.value(grid[0, 0]), float)
    assert fn(grid[0, 0]) == fn.value(grid[0, 0])


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: landscapes.Rosenbrock().value([1.0, 2.0, 3.0]),
            r"x must be .*\(2,\).*got shape \(3,\)",
        ),
        (lambda: landscapes.Himmelblau().grad(np.ones((4, 3))), r"x must be .*got shape \(4, 3\)"),
        (lambda: landscapes.Beale().hessian([np.nan, 1.0]), "x contains"),
        (lambda: landscapes.Saddle().value(1.0), "x must be"),
        (lambda: landscapes.Quadratic(kappa=0.5), "kappa must be >= 1"),
        (lambda: landscapes.Quadratic([[1.0, 2.0], [0.0, 1.0]]), "A must be a symmetric"),
        (lambda: landscapes.Quadratic([[1.0, 0.0], [0.0, -1.0]]), "A must be positive definite"),
        (lambda: landscapes.Quadratic(np.eye(2), b=[1.0, 2.0, 3.0]), r"b must have shape \(2,\)"),
        (lambda: landscapes.Quadratic(np.eye(2), kappa=3), "either A or"),
        (lambda: landscapes.Rosenbrock(b=0), "b must be > 0"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
