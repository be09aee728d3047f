"""Networks as dynamical systems: Lyapunov exponents, mean-field signal propagation, Hopfield.

* :func:`lyapunov_spectrum`: the QR (Benettin) algorithm. Along an orbit x_{n+1} = F(x_n)
  with Jacobians J_n = DF(x_n), factor J_n Q_n = Q_{n+1} R_n; then

  .. math::  λ_i = \\lim_{N→∞} \\frac{1}{N\\,Δt} \\sum_{n<N} \\log |(R_n)_{ii}|          (ly.1)

  (Benettin et al. 1980). Σ_i λ_i is the growth rate of volume, (1/NΔt) Σ_n log|det J_n|.
* :func:`length_map`, :func:`mean_field_q_star`, :func:`chi1`: the mean-field theory of a
  deep random network with weights N(0, σ_w²/n) and biases N(0, σ_b²) (Poole et al. 2016;
  Schoenholz et al. 2017). The squared length q of the pre-activations evolves as

  .. math::  q_{l+1} = V(q_l) = σ_w² \\, E_{z∼N(0,1)}[φ(\\sqrt{q_l} z)²] + σ_b²         (mf.1)

  and a small perturbation grows by χ₁ = σ_w² E[φ'(√q* z)²] per layer at the fixed point
  q* = V(q*); χ₁ < 1 is the ordered phase, χ₁ > 1 the chaotic one. Expectations are by
  Gauss–Hermite quadrature with an even number of nodes, growing with q (none at z = 0, so
  relu's kink is integrated exactly: E[relu(z)²] = E[relu'(z)²] = 1/2 to rounding).
* :func:`hopfield_store`, :func:`hopfield_recall`, :func:`hopfield_energy`: Hopfield's (1982)
  associative memory. Hebbian weights W = (1/N) Σ_μ ξ^μ ξ^{μᵀ} with zero diagonal;
  asynchronous updates s_i ← sign(Σ_{j≠i} W_ij s_j) never increase E(s) = −½ sᵀ W s.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from scipy import optimize, special

from ._validate import as_float_array, check_choice, check_scalar

# ---------------------------------------------------------------------------
# Lyapunov spectrum
# ---------------------------------------------------------------------------


def _qr(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Z = QR with orthonormal Q; returns Q and |diag R|.

    For small states, Gram–Schmidt with a second orthogonalization pass (orthogonal to
    rounding, Giraud et al. 2005) in plain Python floats, several times faster than the
    call overhead of ``np.linalg.qr`` on a 2 × 2 matrix.
    """
    if Z.shape[0] > 4:
        Q, R = np.linalg.qr(Z)
        return Q, np.abs(np.diag(R))
    Q: list[list[float]] = []
    r: list[float] = []
    for v in Z.T.tolist():
        for _ in range(2 if Q else 0):
            for q in Q:
                c = sum(a * b for a, b in zip(q, v, strict=True))
                v = [a - c * b for a, b in zip(v, q, strict=True)]
        n = math.sqrt(sum(a * a for a in v))
        r.append(n)
        Q.append([a / n for a in v] if n > 0 else v)
    return np.array(Q).T, np.array(r)


def lyapunov_spectrum(
    step: Callable[[np.ndarray], np.ndarray],
    jacobian: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray | float,
    n_steps: int,
    n_exponents: int | None = None,
    dt: float = 1.0,
    *,
    n_transient: int = 0,
    return_history: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The largest ``n_exponents`` Lyapunov exponents of the orbit from ``x0``, eq. (ly.1).

    ``step(x)`` advances the state (shape ``(d,)``; a scalar is a 1-d state) by one step of
    length ``dt``; ``jacobian(x)`` is the ``(d, d)`` Jacobian of that step at x. For a map,
    dt = 1. For a flow, the caller integrates: ``step`` is one integrator step and
    ``jacobian`` must be the Jacobian *of that step* (e.g. I + dt·Df(x) for Euler, or the
    variational equation integrated alongside), and the exponents are per unit time.

    The first ``n_transient`` steps (default 0) move x onto the attractor without being
    averaged. The estimate starts from the frame Q_0 = (e_1, …, e_k), so its error is
    O(1/(n_steps·dt)) from that start plus the orbit's own fluctuation.

    Returns the exponents in decreasing order; with ``return_history`` also the running
    estimates after every step, shape ``(n_steps, k)``, in the QR's column order.
    Raises if the orbit leaves the finite numbers or a Jacobian is singular along it
    (an exponent of −∞), instead of returning NaN or −inf.
    """
    if not callable(step):
        raise TypeError(f"step must be a function x -> next x, got {type(step).__name__}")
    if not callable(jacobian):
        raise TypeError(f"jacobian must be a function x -> Jacobian, got {type(jacobian).__name__}")
    x = as_float_array(np.atleast_1d(x0), "x0", ndim=1, dtype=np.float64)
    d = x.size
    n_steps = check_scalar(n_steps, "n_steps", low=1, integer=True)
    n_transient = check_scalar(n_transient, "n_transient", low=0, integer=True)
    k = d if n_exponents is None else check_scalar(n_exponents, "n_exponents", low=1, integer=True)
    if k > d:
        raise ValueError(f"n_exponents must be at most the state dimension {d}, got {k}")
    dt = check_scalar(dt, "dt", low=0, low_inclusive=False)

    def advance(x: np.ndarray, n: int) -> np.ndarray:
        x = np.asarray(step(x), dtype=np.float64).reshape(-1)
        if x.size != d:
            raise ValueError(
                f"step must return a state of shape ({d},) like x0, got {x.size} values"
            )
        return x

    def check_orbit(x: np.ndarray, n: int) -> None:
        if not np.isfinite(x).all():
            raise ValueError(
                f"step left the finite numbers by step {n} (x = {x}): the orbit diverged"
            )

    for n in range(n_transient):
        x = advance(x, n)
    check_orbit(x, n_transient)
    Q = np.eye(d)[:, :k]
    r = np.empty((n_steps, k))  # |diag R_n|; checked once at the end (a NaN propagates)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging orbit is reported below
        for n in range(n_steps):
            J = np.asarray(jacobian(x), dtype=np.float64)
            if J.size != d * d:
                raise ValueError(f"jacobian must return a ({d}, {d}) array, got shape {J.shape}")
            x = advance(x, n)
            Q, r[n] = _qr(J.reshape(d, d) @ Q)
    check_orbit(x, n_transient + n_steps)
    if not np.isfinite(r).all():
        n = int(np.argmin(np.isfinite(r).all(axis=1)))
        raise ValueError(f"jacobian was not finite along the orbit (first at step {n})")
    if not (r > 0).all():
        n = int(np.argmin((r > 0).all(axis=1)))
        raise ValueError(
            f"the Jacobian is singular along the orbit at step {n} (an exponent of −inf); "
            "start from another x0 or check jacobian"
        )
    log_r = np.log(r)
    sums = np.cumsum(log_r, axis=0)
    exponents = np.sort(sums[-1] / (n_steps * dt))[::-1]
    if return_history:
        return exponents, sums / (dt * np.arange(1, n_steps + 1))[:, None]
    return exponents


# ---------------------------------------------------------------------------
# Mean-field signal propagation
# ---------------------------------------------------------------------------

MEAN_FIELD_ACTIVATIONS: tuple[str, ...] = ("tanh", "relu")

#: The largest pre-activation length q the quadrature accepts (weight_var + bias_var bound q*).
Q_MAX = 1000.0


@functools.lru_cache(maxsize=16)
def _nodes(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = special.roots_hermite(n)
    return np.sqrt(2.0) * x, w / np.sqrt(np.pi)


def _gauss_hermite(
    q_max: float, what: str = "weight_var + bias_var"
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z_i and weights w_i with E_{z∼N(0,1)}[f(√q z)] ≈ Σ w_i f(√q z_i) for q ≤ q_max.

    tanh(√q z) varies on the scale 1/√q, and Gauss–Hermite nodes near 0 are ≈ π/√n apart,
    so the count grows with q: n = 200 + 120·q_max (even, so no node sits on relu's kink at
    0) integrates tanh² and tanh'² to ~1e-11 (checked against scipy's adaptive quad).
    """
    if q_max > Q_MAX:
        raise ValueError(
            f"{what} must be <= {Q_MAX:g} (the quadrature would need over "
            f"{int(120 * Q_MAX)} nodes), got {q_max:g}"
        )
    return _nodes(200 * (1 + int(np.ceil(0.6 * q_max))))


def _phi(name: str, u: np.ndarray) -> np.ndarray:
    return np.tanh(u) if name == "tanh" else np.maximum(u, 0.0)


def _check_mf(weight_var, bias_var, activation) -> tuple[float, float, str]:
    sw2 = check_scalar(weight_var, "weight_var", low=0)
    sb2 = check_scalar(bias_var, "bias_var", low=0)
    return sw2, sb2, check_choice(activation, "activation", MEAN_FIELD_ACTIVATIONS)


def length_map(q: float, weight_var: float, bias_var: float, activation: str = "tanh") -> float:
    """V(q) = σ_w² E[φ(√q z)²] + σ_b², eq. (mf.1): the next layer's pre-activation length.

    ``weight_var`` is σ_w² (weights N(0, σ_w²/n)), ``bias_var`` is σ_b² (variances, not stds).
    """
    sw2, sb2, act = _check_mf(weight_var, bias_var, activation)
    q = check_scalar(q, "q", low=0)
    z, w = _gauss_hermite(q, "q")
    return float(sw2 * np.dot(w, _phi(act, np.sqrt(q) * z) ** 2) + sb2)


def mean_field_q_star(weight_var: float, bias_var: float, activation: str = "tanh") -> float:
    """The stable fixed point q* = V(q*) of the length map, eq. (mf.1).

    relu is homogeneous, V(q) = σ_w² q/2 + σ_b², so q* = σ_b²/(1 − σ_w²/2) when σ_w² < 2
    (and lengths grow without bound otherwise: a ValueError). tanh has V concave with
    V(0) = σ_b², V'(0) = σ_w², so q* is the unique positive root of V(q) = q when σ_b > 0 or
    σ_w² > 1, found by Brent's method on [σ_b², σ_w² + σ_b²]; q* = 0 when σ_b = 0, σ_w² ≤ 1.
    """
    sw2, sb2, act = _check_mf(weight_var, bias_var, activation)
    if act == "relu":
        half = 0.5  # E[relu(z)²] = E[z²]/2 by symmetry (the quadrature gives it to ~1e-15)
        if sw2 * half >= 1:
            if sb2 == 0 and sw2 * half == 1:
                raise ValueError(
                    "weight_var = 2 with bias_var = 0: every q is a fixed point of the relu "
                    "length map, so q* is not defined"
                )
            raise ValueError(
                f"weight_var must be < 2 for relu to have a finite q* (the length map grows "
                f"like weight_var/2 = {sw2 / 2:g} per layer), got weight_var={sw2:g}"
            )
        return sb2 / (1 - sw2 * half)
    if sb2 == 0 and sw2 <= 1:
        return 0.0
    z, w = _gauss_hermite(sw2 + sb2)  # q* ≤ V(∞) = σ_w² + σ_b²

    def excess(q: float) -> float:  # (V(q) − q)/q: positive below q*, negative above
        return (sw2 * np.dot(w, np.tanh(np.sqrt(q) * z) ** 2) + sb2) / q - 1.0

    lo, hi = max(sb2, 1e-300), sw2 + sb2
    if sb2 == 0:  # excess(q) → σ_w² − 1 > 0 as q → 0; step down until it is positive
        lo = hi
        while excess(lo) <= 0:
            lo /= 4
            if lo < 1e-200:  # σ_w² − 1 is below the quadrature's rounding: q* is 0 to it
                return 0.0
    if excess(hi) >= 0:  # V(hi) ≥ hi only if V(hi) = hi (V < σ_w² + σ_b² for q < ∞)
        return hi
    return float(optimize.brentq(excess, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps))


def chi1(weight_var: float, bias_var: float, activation: str = "tanh") -> float:
    """χ₁ = σ_w² E[φ'(√q* z)²]: the per-layer growth of a small perturbation at q*.

    χ₁ = 1 is the edge of chaos (Schoenholz et al. 2017). For relu, φ'(√q z)² = 1{z > 0}
    for every q > 0, so χ₁ = σ_w²/2. At q* = 0 (tanh, σ_b = 0, σ_w² ≤ 1) it is the limit
    q → 0⁺, σ_w² φ'(0)² = σ_w².
    """
    sw2, sb2, act = _check_mf(weight_var, bias_var, activation)
    if act == "relu":
        return sw2 / 2  # E[relu'(z)²] = P(z > 0) = 1/2, for every q > 0
    q = mean_field_q_star(sw2, sb2, act)
    z, w = _gauss_hermite(q)
    return float(sw2 * np.dot(w, (1.0 - np.tanh(np.sqrt(q) * z) ** 2) ** 2))


# ---------------------------------------------------------------------------
# Hopfield networks
# ---------------------------------------------------------------------------


def _check_spins(s, name: str, ndim) -> np.ndarray:
    arr = as_float_array(s, name, ndim=ndim)
    if not np.isin(arr, (-1.0, 1.0)).all():
        raise ValueError(f"{name} must hold only ±1 (spins), got values {np.unique(arr)[:5]}")
    return arr


def hopfield_store(patterns: np.ndarray) -> np.ndarray:
    """Hebbian weights W = (1/N) Σ_μ ξ^μ ξ^{μᵀ} with W_ii = 0, for ±1 ``patterns`` of shape (P, N).

    A single pattern of shape (N,) is P = 1.
    """
    xi = _check_spins(np.atleast_2d(patterns), "patterns", 2)
    W = xi.T @ xi / xi.shape[1]
    np.fill_diagonal(W, 0.0)
    return W


def _check_W(W) -> np.ndarray:
    W = as_float_array(W, "W", ndim=2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square (N, N), got shape {W.shape}")
    if not np.allclose(W, W.T, rtol=0, atol=1e-12 * max(np.abs(W).max(), 1.0)):
        raise ValueError("W must be symmetric: the energy argument needs W_ij = W_ji")
    if np.any(np.diag(W) < 0):
        raise ValueError("W must have a nonnegative diagonal (the energy argument needs W_ii ≥ 0)")
    return W


def hopfield_energy(W: np.ndarray, states: np.ndarray) -> np.ndarray | float:
    """E(s) = −½ sᵀ W s for one state (N,) or for each row of (K, N)."""
    W = as_float_array(W, "W", ndim=2)
    s = as_float_array(states, "states", ndim=(1, 2))
    if s.shape[-1] != W.shape[0]:
        raise ValueError(f"states must have N = {W.shape[0]} entries (last axis), got {s.shape}")
    E = -0.5 * np.einsum("...i,ij,...j->...", s, W, s)
    return float(E) if s.ndim == 1 else E


def hopfield_recall(
    W: np.ndarray,
    state: np.ndarray,
    *,
    rng: np.random.Generator | int | None = None,
    max_sweeps: int = 100,
    return_trajectory: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Asynchronous Hopfield dynamics from ``state`` (±1, shape (N,)) until a fixed point.

    Each sweep visits the N units once in a random order (from ``rng``) and sets
    s_i ← sign(h_i), h_i = Σ_{j≠i} W_ij s_j, keeping s_i when h_i = 0. A flip changes the
    energy by −(s_i' − s_i) h_i ≤ 0, so E never increases and, E being bounded, the
    dynamics stops: a sweep with no flip ends at a fixed point, which is returned.
    ``W`` must be symmetric with a nonnegative diagonal (the diagonal is not used).

    Returns the final state as a float array of ±1. With ``return_trajectory`` also returns the states before the first and after every
    visit, shape (n_visits + 1, N). Raises RuntimeError if ``max_sweeps`` sweeps all flip.
    """
    W = _check_W(W)
    s = _check_spins(state, "state", 1).copy()
    if s.size != W.shape[0]:
        raise ValueError(f"state must have N = {W.shape[0]} entries like W, got {s.size}")
    max_sweeps = check_scalar(max_sweeps, "max_sweeps", low=1, integer=True)
    rng = np.random.default_rng(rng)
    Woff = W - np.diag(np.diag(W))
    path = [s.copy()] if return_trajectory else None
    for _ in range(max_sweeps):
        flips = 0
        for i in rng.permutation(s.size):
            h = Woff[i] @ s  # recomputed, not updated: a drifted h ≠ 0 could flip on a tie
            new = np.sign(h) if h != 0 else s[i]
            if new != s[i]:
                s[i] = new
                flips += 1
            if path is not None:
                path.append(s.copy())
        if flips == 0:
            return (s, np.array(path)) if path is not None else s
    raise RuntimeError(
        f"no fixed point after max_sweeps={max_sweeps} sweeps; raise max_sweeps "
        "(symmetric W always converges)"
    )
