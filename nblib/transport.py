"""Optimal transport (Chapter 11): exact and entropic, discrete and Gaussian.

For histograms a ∈ Δⁿ, b ∈ Δᵐ and a cost matrix M (n × m), Kantorovich's problem is the
linear programme

.. math::  OT(a, b) = min { ⟨P, M⟩ : P ≥ 0, P 1 = a, Pᵀ 1 = b }                     (ot.1)

whose dual is max { ⟨a, f⟩ + ⟨b, g⟩ : f_i + g_j ≤ M_ij }, with equal optimal values. With
M_ij = |x_i − y_j|^p, OT(a, b)^{1/p} is the p-Wasserstein distance W_p between Σ a_i δ_{x_i}
and Σ b_j δ_{y_j}. Entropic regularization (Cuturi 2013) adds −ε H(P), H(P) = −Σ P_ij log P_ij:

.. math::  P_ε = argmin { ⟨P, M⟩ − ε H(P) : P 1 = a, Pᵀ 1 = b } = diag(u) K diag(v),
           K = exp(−M / ε)                                                              (ot.2)

and Sinkhorn's algorithm finds the scalings by alternating v ← b / Kᵀu, u ← a / K v.

- :func:`wasserstein_1d`: W_p on the line from the quantile functions,
  W_p^p = ∫₀¹ |F⁻¹(t) − G⁻¹(t)|^p dt (sorting, for equal weights); peers
  ``scipy.stats.wasserstein_distance`` (p = 1) and ``ot.wasserstein_1d``;
- :func:`emd`: the optimal plan of (ot.1) by the HiGHS simplex solver through
  ``scipy.optimize.linprog``, with the dual potentials on request; peer ``ot.emd``/``ot.emd2``;
- :func:`sinkhorn`: the plan P_ε of (ot.2), plain or in the log domain (the stabilized
  variant that never forms K); peer ``ot.sinkhorn`` (``method="sinkhorn"`` and
  ``"sinkhorn_log"``), with the same iteration order;
- :func:`gaussian_w2`: W₂ between N(m₀, Σ₀) and N(m₁, Σ₁) in closed form,
  W₂² = ‖m₀ − m₁‖² + tr(Σ₀ + Σ₁ − 2 (Σ₀^{1/2} Σ₁ Σ₀^{1/2})^{1/2}) (the Bures–Wasserstein
  formula); peer ``ot.gaussian.bures_wasserstein_distance``.

``tests/test_transport.py`` checks each against its peer, against LP duality, and against
closed forms (Gaussians, the entropic-bias bound 0 ≤ ⟨P_ε, M⟩ − OT ≤ ε min(H(a), H(b))).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, vstack

from ._validate import as_float_array, check_scalar

__all__ = ["emd", "gaussian_w2", "sinkhorn", "wasserstein_1d"]

#: Relative tolerance on "a and b have the same total mass" (float64 sums of n terms).
_MASS_RTOL = 1e-9


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def _weights(w: Any, name: str, n: int | None = None) -> np.ndarray:
    """A 1-d, nonnegative, finite weight vector with positive total (and length n if given)."""
    w = as_float_array(w, name, ndim=1).astype(np.float64, copy=False)
    if n is not None and len(w) != n:
        raise ValueError(f"{name} must have length {n}, got {len(w)}")
    if np.any(w < 0):
        raise ValueError(f"{name} must be nonnegative, got min {w.min():.3g}")
    if w.sum() <= 0:
        raise ValueError(f"{name} must have positive total mass, got all zeros")
    return w


def _problem(a: Any, b: Any, M: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check (a, b, M) of a discrete transport problem; b is rescaled to a's mass exactly."""
    M = as_float_array(M, "M", ndim=2).astype(np.float64, copy=False)
    a = _weights(a, "a")
    b = _weights(b, "b")
    if M.shape != (len(a), len(b)):
        raise ValueError(
            f"M must have shape (len(a), len(b)) = ({len(a)}, {len(b)}), got {M.shape}"
        )
    sa, sb = a.sum(), b.sum()
    if abs(sa - sb) > _MASS_RTOL * max(sa, sb):
        raise ValueError(f"a and b must have the same total mass, got {sa!r} and {sb!r}")
    return a, b * (sa / sb), M


# ---------------------------------------------------------------------------
# One dimension
# ---------------------------------------------------------------------------


def wasserstein_1d(
    u: Any, v: Any, p: float = 1, *, u_weights: Any = None, v_weights: Any = None
) -> float:
    """W_p between the empirical measures of samples ``u`` and ``v`` on the real line.

    On the line the monotone (sorted) coupling is optimal for every convex cost, so
    W_p^p = ∫₀¹ |F⁻¹(t) − G⁻¹(t)|^p dt with F⁻¹, G⁻¹ the quantile functions. For two samples
    of equal size and equal weights this is (1/n) Σ |u_(i) − v_(i)|^p over the sorted values;
    in general both quantile functions are step functions and the integral is a sum over the
    merged breakpoints of the two cumulative weights. Returns W_p (not its p-th power), as
    ``scipy.stats.wasserstein_distance`` does for p = 1; ``ot.wasserstein_1d`` returns W_p^p.
    """
    u = as_float_array(u, "u", ndim=1).astype(np.float64, copy=False)
    v = as_float_array(v, "v", ndim=1).astype(np.float64, copy=False)
    p = check_scalar(p, "p", low=1)
    wu = np.ones(len(u)) if u_weights is None else _weights(u_weights, "u_weights", len(u))
    wv = np.ones(len(v)) if v_weights is None else _weights(v_weights, "v_weights", len(v))
    iu, iv = np.argsort(u, kind="stable"), np.argsort(v, kind="stable")
    us, vs = u[iu], v[iv]
    cu, cv = np.cumsum(wu[iu]) / wu.sum(), np.cumsum(wv[iv]) / wv.sum()
    cu[-1] = cv[-1] = 1.0  # the last breakpoint is exactly 1 despite rounding
    t = np.unique(np.concatenate(([0.0], cu, cv)))
    mid = 0.5 * (t[:-1] + t[1:])  # strictly inside each interval where both quantiles are flat
    qu = us[np.minimum(np.searchsorted(cu, mid, side="left"), len(us) - 1)]
    qv = vs[np.minimum(np.searchsorted(cv, mid, side="left"), len(vs) - 1)]
    cost = float(np.sum(np.diff(t) * np.abs(qu - qv) ** p))
    return cost ** (1.0 / p)


# ---------------------------------------------------------------------------
# The exact linear programme
# ---------------------------------------------------------------------------


def emd(a: Any, b: Any, M: Any, *, return_duals: bool = False) -> Any:
    """The optimal plan P* of Kantorovich's problem (ot.1): min ⟨P, M⟩ over couplings of a, b.

    Solved exactly as a linear programme in the n·m entries of P with the n + m marginal
    constraints (one of them redundant), by HiGHS's dual simplex (``scipy.optimize.linprog``,
    ``method="highs-ds"``), so P* is a vertex of the transport polytope: at most n + m − 1
    nonzero entries. The optimal cost is ``(P * M).sum()``, which is POT's ``ot.emd2``; for a
    generic M the optimum is unique and P* equals ``ot.emd``. Entries that are zero in a or b
    get zero rows or columns. ``b`` is rescaled to a's total mass (they must agree to 1e-9).

    With ``return_duals=True`` returns ``(P, f, g)``: Kantorovich potentials with
    f_i + g_j ≤ M_ij and ⟨a, f⟩ + ⟨b, g⟩ = ⟨P*, M⟩ (strong duality), equality wherever P*_ij > 0.
    """
    a, b, M = _problem(a, b, M)
    n, m = M.shape
    rows = np.repeat(np.arange(n), m)  # entry k = i*m + j of vec(P) is in row i ...
    cols = np.tile(np.arange(m), n)  # ... and in column j
    k = np.arange(n * m)
    A_rows = coo_matrix((np.ones(n * m), (rows, k)), shape=(n, n * m))
    A_cols = coo_matrix((np.ones(n * m), (cols, k)), shape=(m, n * m))
    res = linprog(
        M.ravel(),
        A_eq=vstack([A_rows, A_cols]).tocsr(),
        b_eq=np.concatenate([a, b]),
        bounds=(0, None),
        method="highs-ds",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    if res.status != 0:  # pragma: no cover - a transport problem with equal masses is feasible
        raise RuntimeError(f"the transport LP failed: {res.message}")
    P = np.maximum(res.x.reshape(n, m), 0.0)  # HiGHS may return -1e-17 for zero
    if not return_duals:
        return P
    duals = res.eqlin.marginals  # sensitivities of the optimum to a and b: the potentials
    return P, duals[:n].copy(), duals[n:].copy()


# ---------------------------------------------------------------------------
# Entropic regularization: Sinkhorn
# ---------------------------------------------------------------------------


def _sinkhorn_plain(a, b, M, reg, n_iter, tol):
    """Scaling iterations v ← b / Kᵀu, u ← a / K v (POT's ``sinkhorn_knopp`` order)."""
    K = np.exp(-M / reg)
    dead = np.flatnonzero(~K.any(axis=1))
    if dead.size:
        raise FloatingPointError(
            f"sinkhorn: exp(-M/reg) underflows to 0 on every entry of {dead.size} row(s) of M "
            f"(first: row {dead[0]}; min cost there {M[dead[0]].min():.3g}, reg={reg:.3g}); "
            "use log_domain=True or a larger reg"
        )
    u = np.full(len(a), 1.0 / len(a))
    v = np.ones(len(b))
    err, it = np.inf, 0
    while True:
        Ktu = K.T @ u
        if it:  # the column marginal of the current plan is v ⊙ Kᵀu
            err = float(np.abs(v * Ktu - b).sum())
            if err < tol or it == n_iter:
                break
        v = b / Ktu
        Kv = K @ v
        u = a / Kv
        it += 1
        if not (np.isfinite(u).all() and np.isfinite(v).all()) or np.any(Kv == 0):
            raise FloatingPointError(
                f"sinkhorn: the scalings under- or overflowed at iteration {it} "
                f"(reg={reg:.3g} is small for costs up to {np.abs(M).max():.3g}); "
                "use log_domain=True or a larger reg"
            )
    P = u[:, None] * K * v[None, :]
    return P, err, it, reg * np.log(u), reg * np.log(v)


def _lse(X: np.ndarray, axis: int) -> np.ndarray:
    """log Σ exp(X) along ``axis``, shifted by the maximum (X finite here)."""
    top = X.max(axis=axis, keepdims=True)
    return np.log(np.exp(X - top).sum(axis=axis)) + np.squeeze(top, axis=axis)


def _sinkhorn_log(a, b, M, reg, n_iter, tol):
    """The same iterations on F = log u = f/ε and G = log v = g/ε, with log-sum-exp."""
    loga, logb, Mr = np.log(a), np.log(b), M / reg
    F = np.full(len(a), -np.log(len(a)))
    G = np.zeros(len(b))
    err, it = np.inf, 0
    while True:
        lse_col = _lse(F[:, None] - Mr, axis=0)
        if it:  # the column marginal of the current plan is exp(G + lse_col)
            err = float(np.abs(np.exp(G + lse_col) - b).sum())
            if err < tol or it == n_iter:
                break
        G = logb - lse_col
        F = loga - _lse(G[None, :] - Mr, axis=1)
        it += 1
    P = np.exp(F[:, None] + G[None, :] - Mr)
    return P, err, it, reg * F, reg * G


_SOLVERS = {False: _sinkhorn_plain, True: _sinkhorn_log}


def sinkhorn(
    a: Any,
    b: Any,
    M: Any,
    reg: float,
    n_iter: int = 1000,
    tol: float = 1e-9,
    log_domain: bool = False,
    *,
    return_info: bool = False,
) -> Any:
    """The entropic plan P_ε = diag(u) K diag(v) of (ot.2), K = exp(−M/ε), ε = ``reg``.

    Sinkhorn's algorithm (Sinkhorn 1967; Cuturi 2013) alternates v ← b / Kᵀu and u ← a / K v
    from u = 1/n, each step matching one marginal exactly; it stops when the other marginal
    error ‖Pᵀ1 − b‖₁ falls below ``tol`` (after at most ``n_iter`` full iterations, with a
    ``RuntimeWarning`` if it did not). The iterates are those of ``ot.sinkhorn``.

    Choosing the variant: the plain one (``log_domain=False``) is two matrix-vector products
    per iteration, but K underflows once costs exceed about 745 ε, and then it raises a
    ``FloatingPointError`` rather than return NaN. ``log_domain=True`` runs the same
    iteration on f = ε log u, g = ε log v with a stable log-sum-exp,
    g_j = ε log b_j − ε log Σ_i exp((f_i − M_ij)/ε), and never forms K: slower (an exp per
    entry per step), finite for any ε > 0 (it needs more iterations as ε shrinks).

    Zero entries of a or b give zero rows or columns. With ``return_info=True`` returns
    ``(P, info)``, info = {"n_iter", "err", "f", "g"} (f, g the potentials, −inf off the support).
    """
    a, b, M = _problem(a, b, M)
    reg = check_scalar(reg, "reg", low=0, low_inclusive=False)
    n_iter = check_scalar(n_iter, "n_iter", low=1, integer=True)
    tol = check_scalar(tol, "tol", low=0)
    if not isinstance(log_domain, (bool, np.bool_)):
        raise TypeError(f"log_domain must be True or False, got {log_domain!r}")
    ia, ib = np.flatnonzero(a > 0), np.flatnonzero(b > 0)  # solve on the supports
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        Ps, err, it, fs, gs = _SOLVERS[bool(log_domain)](  # checks finiteness itself
            a[ia], b[ib], M[np.ix_(ia, ib)], reg, n_iter, tol
        )
    if err >= tol:
        warnings.warn(
            f"sinkhorn did not converge in n_iter={n_iter} iterations: marginal error "
            f"{err:.3g} >= tol={tol:.3g}; raise n_iter or reg",
            RuntimeWarning,
            stacklevel=2,
        )
    P = np.zeros(M.shape)
    P[np.ix_(ia, ib)] = Ps
    if not return_info:
        return P
    f, g = np.full(len(a), -np.inf), np.full(len(b), -np.inf)
    f[ia], g[ib] = fs, gs
    return P, {"n_iter": it, "err": err, "f": f, "g": g}


# ---------------------------------------------------------------------------
# Gaussians
# ---------------------------------------------------------------------------


def _psd_sqrt(S: np.ndarray) -> np.ndarray:
    """Symmetric square root of a positive semidefinite matrix (eigenvalues clipped at 0)."""
    w, V = np.linalg.eigh(S)
    return (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T


def _covariance(S: Any, name: str, d: int) -> np.ndarray:
    S = as_float_array(S, name, ndim=2).astype(np.float64, copy=False)
    if S.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}) to match the mean, got {S.shape}")
    scale = max(np.abs(S).max(), np.finfo(float).tiny)
    if np.abs(S - S.T).max() > 1e-10 * scale:
        raise ValueError(
            f"{name} must be symmetric, got max |S - S.T| = {np.abs(S - S.T).max():.3g}"
        )
    low = np.linalg.eigvalsh(S).min()
    if low < -1e-10 * scale:  # round-off allowance for a singular covariance
        raise ValueError(f"{name} must be positive semidefinite, got eigenvalue {low:.3g}")
    return 0.5 * (S + S.T)


def gaussian_w2(m0: Any, S0: Any, m1: Any, S1: Any) -> float:
    """W₂ (not squared) between N(m0, S0) and N(m1, S1), by the Bures–Wasserstein formula.

    W₂² = ‖m0 − m1‖² + tr(S0 + S1 − 2 (S0^{1/2} S1 S0^{1/2})^{1/2}) (Dowson & Landau 1982;
    Givens & Shortt 1984); the optimal map is affine, T(x) = m1 + A (x − m0) with
    A = S0^{-1/2} (S0^{1/2} S1 S0^{1/2})^{1/2} S0^{-1/2}. In one dimension
    W₂² = (m0 − m1)² + (σ0 − σ1)². Equals ``ot.gaussian.bures_wasserstein_distance``.
    Means are (d,) vectors and covariances symmetric positive semidefinite (d, d) matrices.
    """
    m0 = as_float_array(m0, "m0", ndim=1).astype(np.float64, copy=False)
    d = len(m0)
    m1 = as_float_array(m1, "m1", ndim=1).astype(np.float64, copy=False)
    if len(m1) != d:
        raise ValueError(f"m1 must have length {d} like m0, got {len(m1)}")
    S0, S1 = _covariance(S0, "S0", d), _covariance(S1, "S1", d)
    R0 = _psd_sqrt(S0)
    cross = _psd_sqrt(R0 @ S1 @ R0)
    w2sq = float(np.sum((m0 - m1) ** 2) + np.trace(S0) + np.trace(S1) - 2.0 * np.trace(cross))
    return float(np.sqrt(max(w2sq, 0.0)))
