"""Test functions for optimizers, with exact gradients and Hessians.

Each landscape is an object with

- ``value(x)``: f(x); also ``landscape(x)``,
- ``grad(x)``: ∇f(x),
- ``hessian(x)``: ∇²f(x),
- ``minima``: the known minimizers as the rows of an array of shape ``(k, d)``
  (``k = 0`` when there is none, as for the saddle),
- ``bounds``: a box ``(xmin, xmax, ymin, ymax)`` for a contour plot
  (``nblib.plots.contour(ax, f, f.bounds)``),
- ``d``: the dimension.

``x`` is one point of shape ``(d,)``, or any stack of points of shape ``(..., d)`` such
as a grid for a contour plot. ``value`` then returns shape ``(...)`` (a float for one
point), ``grad`` shape ``(..., d)`` and ``hessian`` shape ``(..., d, d)``.

The calculus chapter uses them for gradients, Hessians and saddles; the optimization
chapter runs every optimizer on them with ``nblib.optim.run``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import as_float_array, check_scalar


class Landscape:
    """Shared plumbing: input checks and the (..., d) conventions. Subclasses define
    ``_value``, ``_grad`` and ``_hessian`` on checked arrays of shape ``(..., d)``."""

    d: int = 2
    minima: np.ndarray
    bounds: tuple[float, float, float, float]

    def _check(self, x: Any) -> np.ndarray:
        x = as_float_array(x, "x", dtype=np.float64)
        if x.ndim == 0 or x.shape[-1] != self.d:
            raise ValueError(
                f"x must be a point of shape ({self.d},) or points of shape (..., {self.d}) "
                f"for {type(self).__name__}, got shape {x.shape}"
            )
        return x

    def value(self, x: Any) -> float | np.ndarray:
        """f(x): a float for one point, an array of shape ``(...)`` for points ``(..., d)``."""
        x = self._check(x)
        f = self._value(x)
        return float(f) if x.ndim == 1 else f

    __call__ = value

    def grad(self, x: Any) -> np.ndarray:
        """∇f(x), the shape of ``x``."""
        return self._grad(self._check(x))

    def hessian(self, x: Any) -> np.ndarray:
        """∇²f(x), shape ``(..., d, d)``."""
        return self._hessian(self._check(x))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(d={self.d})"


def _stack(rows: list[list[np.ndarray]]) -> np.ndarray:
    """Assemble per-point matrix entries (each of shape (...)) into an array (..., d, d)."""
    return np.stack([np.stack(row, axis=-1) for row in rows], axis=-2)


class Quadratic(Landscape):
    """f(x) = ½ xᵀ A x − bᵀ x with A symmetric positive definite.

    ∇f = A x − b, ∇²f = A, minimizer x* = A⁻¹ b, condition number κ = λ_max / λ_min.

    Either give ``A`` (and optionally ``b``), or ``kappa`` and ``d``: then
    A = Q diag(λ) Qᵀ with eigenvalues λ geometrically spaced from 1 to ``kappa``
    (1 and κ for d = 2) and Q a random rotation drawn with ``rng`` (the identity if
    ``rotate=False``, so the axes are the eigenvectors). ``b`` defaults to 0, so x* = 0.

    Attributes: ``A``, ``b``, ``eigenvalues`` (ascending), ``eigenvectors`` (columns),
    ``kappa``.
    """

    def __init__(
        self,
        A: Any = None,
        b: Any = None,
        *,
        kappa: float | None = None,
        d: int | None = None,
        rotate: bool = True,
        rng: np.random.Generator | int | None = 0,
    ) -> None:
        if A is None:
            kappa = check_scalar(10.0 if kappa is None else kappa, "kappa", low=1.0)
            d = check_scalar(2 if d is None else d, "d", low=1, integer=True)
            eigenvalues = np.geomspace(1.0, kappa, d)
            Q = _random_rotation(d, rng) if rotate else np.eye(d)
            A = Q @ np.diag(eigenvalues) @ Q.T
            A = (A + A.T) / 2  # exactly symmetric despite rounding
        else:
            if kappa is not None or d is not None:
                raise ValueError("give either A or (kappa, d), not both")
            A = as_float_array(A, "A", ndim=2, dtype=np.float64)
            if A.shape[0] != A.shape[1] or not np.allclose(A, A.T, rtol=1e-12, atol=0):
                raise ValueError(f"A must be a symmetric square matrix, got shape {A.shape}")
            A = (A + A.T) / 2
        self.A = A
        self.d = A.shape[0]
        self.eigenvalues, self.eigenvectors = np.linalg.eigh(A)
        if self.eigenvalues[0] <= 0:
            raise ValueError(
                f"A must be positive definite, got smallest eigenvalue {self.eigenvalues[0]:.3g}"
            )
        if b is None:
            self.b = np.zeros(self.d)
        else:
            self.b = as_float_array(b, "b", ndim=1, dtype=np.float64)
            if self.b.shape != (self.d,):
                raise ValueError(f"b must have shape ({self.d},) to match A, got {self.b.shape}")
        self.minima = np.linalg.solve(A, self.b)[None, :]
        cx, cy = (self.minima[0, :2].tolist() + [0.0])[:2]
        self.bounds = (cx - 2.0, cx + 2.0, cy - 2.0, cy + 2.0)

    @property
    def kappa(self) -> float:
        """The condition number λ_max / λ_min of A."""
        return float(self.eigenvalues[-1] / self.eigenvalues[0])

    def __repr__(self) -> str:
        return f"Quadratic(d={self.d}, kappa={self.kappa:.4g})"

    def _value(self, x: np.ndarray) -> np.ndarray:
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x) - x @ self.b

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return x @ self.A - self.b  # (A x)ᵢ = Σⱼ Aᵢⱼ xⱼ = (x A)ᵢ since A is symmetric

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.A, x.shape[:-1] + self.A.shape).copy()


def _random_rotation(d: int, rng: np.random.Generator | int | None) -> np.ndarray:
    """A random orthogonal matrix: the Q of a QR factorization of a Gaussian matrix,
    with column signs fixed so that Q is uniformly (Haar) distributed."""
    Q, R = np.linalg.qr(np.random.default_rng(rng).standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


class Rosenbrock(Landscape):
    """f(x, y) = (a − x)² + b (y − x²)²: a curved, narrow valley with its minimum at (a, a²).

    ∇f = (−2(a − x) − 4b x (y − x²),  2b (y − x²)),
    ∇²f = [[2 − 4b (y − x²) + 8b x²,  −4b x], [−4b x,  2b]].
    """

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        self.a = check_scalar(a, "a")
        self.b = check_scalar(b, "b", low=0.0, low_inclusive=False)
        self.minima = np.array([[self.a, self.a**2]])
        self.bounds = (self.a - 3.0, self.a + 1.5, self.a**2 - 2.0, self.a**2 + 2.5)

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a:g}, b={self.b:g})"

    def _value(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def _grad(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        valley = y - x**2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * valley, 2 * self.b * valley], -1)

    def _hessian(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        fxy = -4 * self.b * x
        fxx = 2 - 4 * self.b * (y - x**2) + 8 * self.b * x**2
        return _stack([[fxx, fxy], [fxy, np.full_like(x, 2 * self.b)]])


class Saddle(Landscape):
    """f(x, y) = x² − y²: a saddle point at the origin, where ∇f = 0 but ∇²f = diag(2, −2)
    has one positive and one negative eigenvalue. No minimum (``minima`` is empty);
    ``saddle_points`` holds the origin."""

    def __init__(self) -> None:
        self.minima = np.empty((0, 2))
        self.saddle_points = np.zeros((1, 2))
        self.bounds = (-2.0, 2.0, -2.0, 2.0)

    def __repr__(self) -> str:
        return "Saddle()"

    def _value(self, p: np.ndarray) -> np.ndarray:
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def _grad(self, p: np.ndarray) -> np.ndarray:
        return np.stack([2 * p[..., 0], -2 * p[..., 1]], axis=-1)

    def _hessian(self, p: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.diag([2.0, -2.0]), p.shape[:-1] + (2, 2)).copy()


class Himmelblau(Landscape):
    """f(x, y) = (x² + y − 11)² + (x + y² − 7)²: four minima, all with f = 0.

    With u = x² + y − 11 and v = x + y² − 7:
    ∇f = (4x u + 2v,  2u + 4y v),
    ∇²f = [[12x² + 4y − 42,  4x + 4y], [4x + 4y,  4x + 12y² − 26]].
    """

    def __init__(self) -> None:
        # (3, 2) exactly; the other three solved to 20 digits with mpmath.findroot.
        self.minima = np.array(
            [
                [3.0, 2.0],
                [-2.8051180869527448531, 3.1313125182505729658],
                [-3.7793102533777468919, -3.2831859912861694123],
                [3.5844283403304917449, -1.8481265269644035535],
            ]
        )
        self.bounds = (-5.0, 5.0, -5.0, 5.0)

    def __repr__(self) -> str:
        return "Himmelblau()"

    def _value(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def _grad(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        u, v = x**2 + y - 11, x + y**2 - 7
        return np.stack([4 * x * u + 2 * v, 2 * u + 4 * y * v], axis=-1)

    def _hessian(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        fxy = 4 * x + 4 * y
        return _stack([[12 * x**2 + 4 * y - 42, fxy], [fxy, 4 * x + 12 * y**2 - 26]])


class Beale(Landscape):
    """f(x, y) = Σᵢ rᵢ² with rᵢ = cᵢ − x + x yⁱ, i = 1, 2, 3 and c = (1.5, 2.25, 2.625).

    Minimum f = 0 at (3, 0.5), in a flat region bounded by steep walls. With
    ∇rᵢ = (yⁱ − 1, i x yⁱ⁻¹): ∇f = Σ 2 rᵢ ∇rᵢ and ∇²f = Σ 2 (∇rᵢ ∇rᵢᵀ + rᵢ ∇²rᵢ),
    ∇²rᵢ = [[0, i yⁱ⁻¹], [i yⁱ⁻¹, i(i − 1) x yⁱ⁻²]].
    """

    c = (1.5, 2.25, 2.625)

    def __init__(self) -> None:
        self.minima = np.array([[3.0, 0.5]])
        self.bounds = (-4.5, 4.5, -4.5, 4.5)

    def __repr__(self) -> str:
        return "Beale()"

    def _terms(self, p: np.ndarray):
        """For i = 1, 2, 3: i, rᵢ and the two components of ∇rᵢ."""
        x, y = p[..., 0], p[..., 1]
        for i, c in enumerate(self.c, start=1):
            yield i, c - x + x * y**i, y**i - 1, i * x * y ** (i - 1)

    def _value(self, p: np.ndarray) -> np.ndarray:
        return sum(r**2 for _, r, _, _ in self._terms(p))

    def _grad(self, p: np.ndarray) -> np.ndarray:
        return sum(2 * r[..., None] * np.stack([rx, ry], -1) for _, r, rx, ry in self._terms(p))

    def _hessian(self, p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        H = np.zeros(p.shape[:-1] + (2, 2))
        for i, r, rx, ry in self._terms(p):
            rxy = i * y ** (i - 1)
            ryy = i * (i - 1) * x * y ** (i - 2) if i > 1 else np.zeros_like(x)
            H += 2 * _stack([[rx * rx, rx * ry + r * rxy], [rx * ry + r * rxy, ry * ry + r * ryy]])
        return H
