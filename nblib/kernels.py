"""Kernels, random features and the neural tangent kernel (Chapter 7).

A kernel k(x, x') = ⟨φ(x), φ(x')⟩ is an inner product of features; every function here takes
inputs as the rows of ``X1`` (n1, d) and ``X2`` (n2, d) and returns the (n1, n2) matrix
K[i, j] = k(X1[i], X2[j]).

- :func:`rbf_kernel`: the Gaussian kernel σ² exp(−‖x − x'‖² / 2ℓ²);
- :func:`random_fourier_features`: features z with z(x)·z(x') → the RBF kernel (Rahimi & Recht 2007);
- :func:`kernel_ridge`: the dual coefficients α = (K + λI)⁻¹ y of kernel ridge regression;
- :func:`arccos_kernel`: the arc-cosine kernels of Cho & Saul (2009), the infinite-width limit of
  one layer of step, ReLU and squared-ReLU units;
- :func:`ntk_relu`: the analytic neural tangent kernel of a deep ReLU network (Jacot et al. 2018;
  Arora et al. 2019), and :class:`NTKMLP`, the finite network in the NTK parameterization whose
  empirical kernel :func:`empirical_ntk` converges to it as the width grows.

The NNGP kernel of Chapter 4 (``nblib.prob.nngp_kernel``) uses the same Gaussian expectation
E[relu(u) relu(v)] as this module (``_gauss_arccos`` with order 1); ``prob`` imports it from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import linalg as _sla

from ._validate import as_float_array, check_scalar

# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def _check_pair(X1: Any, X2: Any) -> tuple[np.ndarray, np.ndarray]:
    """Two 2-d float64 arrays of inputs as rows with the same number of columns."""
    X1 = as_float_array(X1, "X1", ndim=2).astype(np.float64, copy=False)
    X2 = as_float_array(X2, "X2", ndim=2).astype(np.float64, copy=False)
    if X1.shape[1] != X2.shape[1]:
        raise ValueError(
            "X1 and X2 must have the same number of columns (input dimension), "
            f"got shapes {X1.shape} and {X2.shape}"
        )
    return X1, X2


def _check_order(order: Any) -> int:
    if (
        isinstance(order, bool)
        or not isinstance(order, (int, np.integer))
        or order not in (0, 1, 2)
    ):
        raise ValueError(f"order must be 0, 1 or 2 (an int), got {order!r}")
    return int(order)


def _check_rng(rng: Any) -> np.random.Generator:
    """``numpy.random.default_rng(rng)``, with an error naming ``rng`` if it is not a seed."""
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"rng must be a numpy.random.Generator, a non-negative int seed (or a sequence of "
            f"them) or None, got {rng!r}"
        ) from exc


def _sq_dists(X1: np.ndarray, X2: np.ndarray) -> np.ndarray:
    """‖x − x'‖² = ‖x‖² + ‖x'‖² − 2 x·x', clipped at 0 (rounding can make it slightly negative)."""
    d2 = np.sum(X1**2, axis=1)[:, None] + np.sum(X2**2, axis=1)[None, :] - 2 * X1 @ X2.T
    return np.maximum(d2, 0.0)


# ---------------------------------------------------------------------------
# The RBF kernel, random Fourier features, kernel ridge regression
# ---------------------------------------------------------------------------


def rbf_kernel(
    X1: np.ndarray, X2: np.ndarray, lengthscale: float = 1.0, variance: float = 1.0
) -> np.ndarray:
    r"""The Gaussian (RBF) kernel matrix.

    .. math::  k(x, x') = \sigma^2 \exp\!\big(-\lVert x - x'\rVert^2 / (2\ell^2)\big)

    with ℓ = ``lengthscale`` > 0 and σ² = ``variance`` > 0. It equals scikit-learn's
    ``rbf_kernel(X1, X2, gamma=1 / (2 ℓ²))`` times σ².

    >>> rbf_kernel(np.zeros((1, 2)), np.array([[1.0, 1.0]]), lengthscale=1.0)
    array([[0.36787944]])
    """
    X1, X2 = _check_pair(X1, X2)
    lengthscale = check_scalar(lengthscale, "lengthscale", low=0, low_inclusive=False)
    variance = check_scalar(variance, "variance", low=0, low_inclusive=False)
    return variance * np.exp(-_sq_dists(X1, X2) / (2 * lengthscale**2))


def random_fourier_features(
    X: np.ndarray,
    n_features: int,
    lengthscale: float = 1.0,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    r"""Random Fourier features z(x) ∈ R^D with z(x)·z(x') ≈ ``rbf_kernel(x, x', lengthscale)``.

    By Bochner's theorem the RBF kernel is the Fourier transform of the Gaussian N(0, ℓ⁻² I), so
    with ω_j ~ N(0, ℓ⁻² I) and b_j ~ U[0, 2π) (Rahimi & Recht 2007)

    .. math::  z_j(x) = \sqrt{2/D}\,\cos(\omega_j^\top x + b_j), \qquad
               \mathbb E[z(x)^\top z(x')] = e^{-\lVert x - x'\rVert^2 / (2\ell^2)},

    an average of D = ``n_features`` independent terms, so the error falls like D^{−1/2}.
    Returns the (n, D) matrix of features of the rows of ``X``; multiply by σ for variance σ².
    The draws are ω (d, D) then b (D,) from ``rng``: the same int seed gives the same features
    for any X with d columns (use it to map training and test points alike).
    Same distribution as scikit-learn's ``RBFSampler(gamma=1 / (2 ℓ²))``, different draws.

    >>> Z = random_fourier_features(np.zeros((2, 3)), 4, rng=0)
    >>> Z.shape, bool(np.allclose(Z[0], Z[1]))
    ((2, 4), True)
    """
    X = as_float_array(X, "X", ndim=2).astype(np.float64, copy=False)
    n_features = check_scalar(n_features, "n_features", low=1, integer=True)
    lengthscale = check_scalar(lengthscale, "lengthscale", low=0, low_inclusive=False)
    rng = _check_rng(rng)
    omega = rng.standard_normal((X.shape[1], n_features)) / lengthscale
    b = rng.uniform(0.0, 2 * np.pi, n_features)
    return np.sqrt(2.0 / n_features) * np.cos(X @ omega + b)


def kernel_ridge(K: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    r"""Dual coefficients α of kernel ridge regression; predictions are ``K(X_new, X) @ α``.

    The minimizer over the RKHS H of Σᵢ (f(xᵢ) − yᵢ)² + λ‖f‖²_H is, by the representer theorem,
    f = Σᵢ αᵢ k(·, xᵢ) with

    .. math::  \alpha = (K + \lambda I)^{-1} y, \qquad \lVert f\rVert_H^2 = \alpha^\top K \alpha,

    (λ = ``lam`` ≥ 0, not multiplied by n: scikit-learn's ``KernelRidge(alpha=lam,
    kernel="precomputed").dual_coef_``). With λ = 0 it is the minimum-norm interpolant, of
    ‖f‖²_H = yᵀK⁻¹y. ``K`` must be a symmetric positive semi-definite (n, n) kernel matrix
    (ValueError otherwise); ``y`` is (n,) or (n, k). If K + λI is singular (λ = 0 with repeated
    points) the pseudo-inverse gives the minimum-norm α.

    >>> kernel_ridge(np.eye(2), np.array([1.0, 2.0]), lam=1.0)
    array([0.5, 1. ])
    """
    K = as_float_array(K, "K", ndim=2).astype(np.float64, copy=False)
    y = as_float_array(y, "y", ndim=(1, 2)).astype(np.float64, copy=False)
    lam = check_scalar(lam, "lam", low=0)
    n = len(y)
    if K.shape != (n, n):
        raise ValueError(f"K must have shape (len(y), len(y)) = ({n}, {n}), got {K.shape}")
    scale = max(float(np.max(np.abs(K))), 1e-300)
    asym = float(np.max(np.abs(K - K.T)))
    if asym > 1e-8 * scale:
        raise ValueError(
            f"K must be symmetric (a kernel matrix k(X, X)), but max |K - K.T| = {asym:.3g}"
        )
    A = K + lam * np.eye(n)
    try:
        return _sla.cho_solve(_sla.cho_factor(A, lower=True), y)
    except _sla.LinAlgError:
        pass
    evals, V = np.linalg.eigh((A + A.T) / 2)
    tol = n * np.finfo(np.float64).eps * max(scale, lam)
    if evals[0] < -tol:
        raise ValueError(
            f"K is not positive semi-definite: K + lam*I has eigenvalue {evals[0]:.3g} < 0; "
            "pass a kernel matrix k(X, X)"
        )
    inv = np.where(evals > tol, 1.0 / np.where(evals > tol, evals, 1.0), 0.0)
    coef = V.T @ y
    return V @ (inv[:, None] * coef if coef.ndim == 2 else inv * coef)


# ---------------------------------------------------------------------------
# Arc-cosine kernels and the Gaussian expectations behind the NNGP and the NTK
# ---------------------------------------------------------------------------


def _arccos_J(order: int, cos: np.ndarray) -> np.ndarray:
    """Cho & Saul's angular factor J_n(θ) for θ = arccos(cos): J_0 = π − θ,
    J_1 = sin θ + (π − θ) cos θ, J_2 = 3 sin θ cos θ + (π − θ)(1 + 2 cos² θ).

    arccos has infinite slope at ±1: a rounding error ε in cos moves θ by √(2ε) ≈ 2e-8, so a
    cosine within 4ε of ±1 is snapped to ±1 (x·x computed two ways gives θ = 0 exactly)."""
    snap = 4 * np.finfo(np.float64).eps
    cos = np.where(np.abs(cos) > 1 - snap, np.sign(cos), cos)
    theta = np.arccos(cos)
    sin = np.sin(theta)
    if order == 0:
        return np.pi - theta
    if order == 1:
        return sin + (np.pi - theta) * cos
    return 3 * sin * cos + (np.pi - theta) * (1 + 2 * cos**2)


def _gauss_arccos(k11: np.ndarray, k22: np.ndarray, k12: np.ndarray, order: int) -> np.ndarray:
    """E[Θ(u)uⁿ Θ(v)vⁿ] for (u, v) ~ N(0, [[k11, k12], [k12, k22]]): (k11 k22)^{n/2} J_n(θ) / 2π,
    cos θ = k12 / √(k11 k22). Order 1 is E[relu(u) relu(v)], order 0 is E[relu'(u) relu'(v)]
    (Θ(0) = 0, as relu'(0) = 0 in ``nblib.nn``); a zero variance gives 0."""
    norm = np.sqrt(k11) * np.sqrt(k22)  # not sqrt(k11 * k22), which overflows sooner
    safe = np.where(norm > 0, norm, 1.0)
    out = _arccos_J(order, k12 / safe) / (2 * np.pi)
    if order:
        out = norm**order * out
    return np.where(norm > 0, out, 0.0)


def arccos_kernel(X1: np.ndarray, X2: np.ndarray, order: int) -> np.ndarray:
    r"""The arc-cosine kernel of degree n = ``order`` ∈ {0, 1, 2} (Cho & Saul 2009).

    .. math::

        k_n(x, y) = 2\,\mathbb E_{w \sim N(0, I)}\big[\Theta(w\cdot x)(w\cdot x)^n\,
                    \Theta(w\cdot y)(w\cdot y)^n\big]
                  = \tfrac1\pi \lVert x\rVert^n \lVert y\rVert^n J_n(\theta),

    θ the angle between x and y, J_0 = π − θ, J_1 = sin θ + (π − θ) cos θ,
    J_2 = 3 sin θ cos θ + (π − θ)(1 + 2cos²θ). It is the kernel of one infinitely wide layer
    of step (n = 0), ReLU (n = 1) or squared-ReLU (n = 2) units with N(0, 1) weights; the
    factor 2 is Cho & Saul's, so k_0(x, x) = 1 and k_1(x, x) = ‖x‖². A zero row gives 0.

    >>> np.round(arccos_kernel(np.eye(2), np.eye(2), order=1), 4)
    array([[1.    , 0.3183],
           [0.3183, 1.    ]])
    """
    X1, X2 = _check_pair(X1, X2)
    order = _check_order(order)
    n1 = np.sum(X1**2, axis=1)
    n2 = np.sum(X2**2, axis=1)
    return 2 * _gauss_arccos(n1[:, None], n2[None, :], X1 @ X2.T, order)


# ---------------------------------------------------------------------------
# The neural tangent kernel
# ---------------------------------------------------------------------------


def ntk_relu(
    X1: np.ndarray,
    X2: np.ndarray,
    depth: int,
    bias_var: float = 0.0,
    *,
    return_nngp: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""The analytic NTK of a ReLU network with ``depth`` hidden layers (:class:`NTKMLP`).

    In the NTK parameterization (weights and biases N(0, 1), each hidden layer's output
    scaled by √(2/width), biases by σ_b = √``bias_var``) the infinite-width kernels obey
    (Jacot et al. 2018; Arora et al. 2019, Thm 3.1, with biases added)

    .. math::

        \Sigma^{(1)} = x^\top x' + \sigma_b^2, \quad
        \Sigma^{(l+1)} = 2\,\mathbb E[\mathrm{relu}(u)\,\mathrm{relu}(v)] + \sigma_b^2, \quad
        \dot\Sigma^{(l+1)} = 2\,\mathbb E[\mathrm{relu}'(u)\,\mathrm{relu}'(v)],

        \Theta^{(1)} = \Sigma^{(1)}, \qquad
        \Theta^{(l+1)} = \Theta^{(l)}\,\dot\Sigma^{(l+1)} + \Sigma^{(l+1)},

    with (u, v) ~ N(0, Σ^{(l)} on {x, x'}); the NTK is Θ^{(L+1)}, L = ``depth`` ≥ 1. The
    expectations are the arc-cosine kernels (:func:`arccos_kernel`) of the previous layer's
    covariance. For L = 1 and σ_b = 0 it is x·x' k_0(x, x') + k_1(x, x'); without biases
    Θ(x, x) = (L + 1)‖x‖². The input layer is not rescaled (Arora et al.): use inputs of norm
    about 1 (divide X by √d for Jacot et al.'s 1/√d). With ``return_nngp`` also returns
    Σ^{(L+1)}, the covariance of the network's output at initialization (the NNGP,
    ``nblib.prob.nngp_kernel`` with weight_var = 2 on inputs scaled by √(d/2)).

    >>> np.round(ntk_relu(np.eye(2), np.eye(2), depth=1), 4)
    array([[2.    , 0.3183],
           [0.3183, 2.    ]])
    """
    X1, X2 = _check_pair(X1, X2)
    depth = check_scalar(depth, "depth", low=1, integer=True)
    bias_var = check_scalar(bias_var, "bias_var", low=0)
    s12 = X1 @ X2.T + bias_var
    s11 = np.sum(X1**2, axis=1)[:, None] + bias_var
    s22 = np.sum(X2**2, axis=1)[None, :] + bias_var
    theta = s12.copy()
    for _ in range(depth):
        dot = 2 * _gauss_arccos(s11, s22, s12, 0)
        s12 = 2 * _gauss_arccos(s11, s22, s12, 1) + bias_var
        s11 = 2 * _gauss_arccos(s11, s11, s11, 1) + bias_var
        s22 = 2 * _gauss_arccos(s22, s22, s22, 1) + bias_var
        theta = theta * dot + s12
    if not np.all(np.isfinite(theta)):
        raise ValueError(
            "the NTK overflows float64; rescale X1 and X2 (rows of norm about 1 are intended)"
        )
    return (theta, s12) if return_nngp else theta


class NTKMLP:
    r"""A ReLU network with a scalar output in the NTK parameterization.

    With a⁽⁰⁾ = x, widths n_0 = d, n_1, …, n_L and every weight and bias drawn N(0, 1):

    .. math::

        z^{(l)} = c_l\, W^{(l)} a^{(l-1)} + \sigma_b b^{(l)}, \quad a^{(l)} = \mathrm{relu}(z^{(l)}),
        \quad f(x) = z^{(L+1)},

    c_1 = 1 and c_l = √(2/n_{l−1}) for l ≥ 2 (Arora et al. 2019's √(c_σ/n) with c_σ = 2).
    As the widths grow its empirical NTK J Jᵀ tends to :func:`ntk_relu`.

    Parameters
    ----------
    n_in : input dimension d.
    width : hidden width m, or a list of ``depth`` widths.
    depth : number of hidden layers L ≥ 1.
    bias_var : σ_b²; with 0 the biases are kept (so ``params`` has a fixed layout) but inert.
    rng : ``numpy.random.Generator`` or seed; draws W⁽¹⁾, b⁽¹⁾, W⁽²⁾, … in that order.

    ``params`` is ``[W1, b1, …, W_{L+1}, b_{L+1}]`` with W⁽ˡ⁾ of shape (n_l, n_{l−1}) as in
    ``nblib.nn``; ``forward`` returns shape (n,); ``backward(dL/df)`` fills ``grads``, so
    ``nblib.optim`` optimizers train it; ``jacobian`` and ``ntk`` give ∂f/∂θ and J Jᵀ.
    """

    def __init__(
        self,
        n_in: int,
        width: int | Sequence[int],
        depth: int = 1,
        bias_var: float = 0.0,
        *,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        n_in = check_scalar(n_in, "n_in", low=1, integer=True)
        depth = check_scalar(depth, "depth", low=1, integer=True)
        if isinstance(width, (int, np.integer)) and not isinstance(width, bool):
            widths = [check_scalar(width, "width", low=1, integer=True)] * depth
        else:
            widths = [check_scalar(w, "width", low=1, integer=True) for w in width]
            if len(widths) != depth:
                raise ValueError(f"width must list depth = {depth} widths, got {len(widths)}")
        self.bias_var = check_scalar(bias_var, "bias_var", low=0)
        self.sizes = [n_in, *widths, 1]
        self.depth = depth
        rng = _check_rng(rng)
        self.W: list[np.ndarray] = []
        self.b: list[np.ndarray] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            self.W.append(rng.standard_normal((fan_out, fan_in)))
            self.b.append(rng.standard_normal(fan_out))
        # c_l: 1 for the input layer, √(2/fan_in) after a ReLU layer
        self.scales = [1.0] + [float(np.sqrt(2.0 / m)) for m in widths]
        self._cache: tuple[list[np.ndarray], list[np.ndarray]] | None = None
        self._grads: list[np.ndarray] | None = None

    def __repr__(self) -> str:
        return f"NTKMLP(sizes={self.sizes}, bias_var={self.bias_var:g})"

    @property
    def params(self) -> list[np.ndarray]:
        """``[W1, b1, …, W_{L+1}, b_{L+1}]``; optimizers update these arrays in place."""
        return [p for Wb in zip(self.W, self.b, strict=True) for p in Wb]

    @property
    def grads(self) -> list[np.ndarray]:
        """∂L/∂params from the last ``backward``, in the order of ``params``."""
        if self._grads is None:
            raise RuntimeError("NTKMLP has no gradients yet: call forward, then backward")
        return self._grads

    def num_params(self) -> int:
        """Number of scalar parameters P (the columns of the Jacobian)."""
        return sum(p.size for p in self.params)

    def _check_input(self, X: Any, name: str = "X") -> np.ndarray:
        X = as_float_array(X, name, ndim=2).astype(np.float64, copy=False)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"{name} must have shape (n, {self.sizes[0]}) for this NTKMLP, got {X.shape}"
            )
        return X

    def _forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations [z1, …, z_{L+1}] and layer inputs [a0 = X, a1, …, a_L]."""
        sb = np.sqrt(self.bias_var)
        a, zs, acts = X, [], [X]
        for i, (W, b, c) in enumerate(zip(self.W, self.b, self.scales, strict=True)):
            z = c * (a @ W.T) + sb * b
            zs.append(z)
            if i < self.depth:
                a = np.maximum(z, 0.0)
                acts.append(a)
        return zs, acts

    def forward(self, X: np.ndarray) -> np.ndarray:
        """f(x) for the rows of ``X`` (n, d): shape (n,). Keeps what ``backward`` needs."""
        zs, acts = self._forward(self._check_input(X))
        self._cache = (zs, acts)
        return zs[-1][:, 0]

    __call__ = forward

    def _deltas(self, zs: list[np.ndarray], g: np.ndarray) -> list[np.ndarray]:
        """δ⁽ˡ⁾ = ∂(Σᵢ gᵢ f(xᵢ))/∂z⁽ˡ⁾ per example, by the chain rule backwards."""
        delta = g[:, None]
        deltas = [delta]
        for i in range(self.depth, 0, -1):
            delta = (self.scales[i] * delta @ self.W[i]) * (zs[i - 1] > 0)
            deltas.append(delta)
        return deltas[::-1]

    def backward(self, grad_output: np.ndarray) -> None:
        """Given ∂L/∂f (n,) for the last ``forward``, store ∂L/∂θ in ``grads``:
        ∂L/∂W⁽ˡ⁾ = c_l δ⁽ˡ⁾ᵀ a⁽ˡ⁻¹⁾, ∂L/∂b⁽ˡ⁾ = σ_b Σᵢ δᵢ⁽ˡ⁾."""
        if self._cache is None:
            raise RuntimeError("NTKMLP.backward needs a forward pass first")
        zs, acts = self._cache
        g = as_float_array(grad_output, "grad_output", ndim=1).astype(np.float64, copy=False)
        if g.shape != (len(acts[0]),):
            raise ValueError(
                f"grad_output must have the shape of the last output ({len(acts[0])},), "
                f"got {g.shape}"
            )
        sb = np.sqrt(self.bias_var)
        grads = []
        for c, d, a in zip(self.scales, self._deltas(zs, g), acts, strict=True):
            grads += [c * d.T @ a, sb * d.sum(axis=0)]
        self._grads = grads

    def jacobian(self, X: np.ndarray) -> np.ndarray:
        """J[i] = ∂f(xᵢ)/∂θ, shape (n, P), columns in the order of ``params`` (each raveled)."""
        X = self._check_input(X)
        sb = np.sqrt(self.bias_var)
        blocks = []
        for c, d, a in zip(self.scales, *self._deltas_acts(X), strict=True):
            blocks += [c * (d[:, :, None] * a[:, None, :]).reshape(len(X), -1), sb * d]
        return np.concatenate(blocks, axis=1)

    def ntk(self, X1: np.ndarray, X2: np.ndarray | None = None) -> np.ndarray:
        """The empirical NTK J(X1) J(X2)ᵀ without forming J: per layer the weight block of
        J Jᵀ is c_l² (Δ₁Δ₂ᵀ) ⊙ (A₁A₂ᵀ) and the bias block σ_b² Δ₁Δ₂ᵀ."""
        X1 = self._check_input(X1, "X1")
        D1, A1 = self._deltas_acts(X1)
        D2, A2 = (D1, A1) if X2 is None else self._deltas_acts(self._check_input(X2, "X2"))
        out = np.zeros((len(X1), len(A2[0])))
        for c, d1, d2, a1, a2 in zip(self.scales, D1, D2, A1, A2, strict=True):
            dd = d1 @ d2.T
            out += c**2 * dd * (a1 @ a2.T) + self.bias_var * dd
        return out

    def _deltas_acts(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per-example δ⁽ˡ⁾ = ∂f/∂z⁽ˡ⁾ and layer inputs a⁽ˡ⁻¹⁾ for checked inputs ``X``."""
        zs, acts = self._forward(X)
        return self._deltas(zs, np.ones(len(X))), acts


def _jacobian_by_backprop(model: Any, X: np.ndarray) -> np.ndarray:
    """∂f(xᵢ)/∂θ of a one-output ``nblib.nn``-style network, one backward pass per example."""
    rows = []
    for i in range(len(X)):
        out = np.asarray(model.forward(X[i : i + 1]))
        if out.size != 1:
            raise ValueError(
                f"model must have a single (scalar) output, but its output for one input has "
                f"shape {out.shape}"
            )
        model.backward(np.ones_like(out))
        rows.append(np.concatenate([np.ravel(g) for g in model.grads]))
    return np.stack(rows)


def empirical_ntk(model: Any, X: np.ndarray, X2: np.ndarray | None = None) -> np.ndarray:
    r"""The empirical NTK Θ̂(x, x') = ∇_θ f(x) · ∇_θ f(x') of a network at its current parameters.

    .. math::  \hat\Theta = J J^\top, \qquad J_{ip} = \partial f(x_i) / \partial\theta_p,

    over the rows of ``X`` (and of ``X2`` for the cross kernel J(X) J(X2)ᵀ). ``model`` is an
    :class:`NTKMLP` (computed layer by layer without forming J), or any ``nblib.nn``-style
    network with one output unit, e.g. ``nn.MLP([d, m, 1])``: something with ``forward``,
    ``backward`` and ``grads``, differentiated by one backward pass per example (this
    overwrites its cached activations and gradients). An ``nn.MLP`` is in the standard
    parameterization, so its NTK grows with the width instead of converging.
    """
    if isinstance(model, NTKMLP):
        return model.ntk(X, X2)
    if not all(hasattr(type(model), a) for a in ("forward", "backward", "grads")):
        raise TypeError(
            "model must be an NTKMLP or a network with forward, backward and grads "
            f"(e.g. nblib.nn.MLP), got {type(model).__name__}"
        )
    X = as_float_array(X, "X", ndim=2)
    J1 = _jacobian_by_backprop(model, X)
    if X2 is None:
        return J1 @ J1.T
    X2 = as_float_array(X2, "X2", ndim=2)
    return J1 @ _jacobian_by_backprop(model, X2).T
