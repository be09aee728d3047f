"""Checks for Chapter 11, Open problems and frontiers (exercise labels start with ``fr-``). How a check works: :mod:`nblib.exercises`."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from . import Incorrect, expect_function, register

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)


# ---------------------------------------------------------------------------
# Section 11.1
# ---------------------------------------------------------------------------


def _hard_margin(Z: np.ndarray) -> np.ndarray:
    """min ‖w‖ s.t. Zw ≥ 1, exactly: SLSQP proposes the support set S, the KKT system on S gives
    w = Z_Sᵀα with Z_S Z_Sᵀα = 1, and α ≥ 0 with every margin ≥ 1 certifies the optimum."""
    from scipy.optimize import minimize  # imported on use: loading the checks stays light

    res = minimize(
        lambda w: 0.5 * w @ w,
        np.linalg.lstsq(Z, np.ones(len(Z)), rcond=None)[0] * 2,
        jac=lambda w: w,
        constraints=[{"type": "ineq", "fun": lambda w: Z @ w - 1, "jac": lambda w: Z}],
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    S = np.flatnonzero(Z @ res.x < 1 + 1e-6)
    alpha = np.linalg.lstsq(Z[S] @ Z[S].T, np.ones(len(S)), rcond=None)[0]
    w = Z[S].T @ alpha
    if np.any(alpha < -1e-12) or np.any(Z @ w < 1 - 1e-9):  # pragma: no cover - fixed cases
        raise RuntimeError("the KKT conditions of the reference solution fail")
    return w


def _hard_margin_with_intercept(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The w of min ‖w‖ s.t. yᵢ(xᵢ·w + b) ≥ 1 (SLSQP, to recognize this common mix-up)."""
    from scipy.optimize import minimize

    A = y[:, None] * np.hstack([X, np.ones((len(X), 1))])
    res = minimize(
        lambda v: 0.5 * v[:-1] @ v[:-1],
        np.linalg.lstsq(A, np.ones(len(A)), rcond=None)[0] * 2,
        jac=lambda v: np.r_[v[:-1], 0.0],
        constraints=[{"type": "ineq", "fun": lambda v: A @ v - 1, "jac": lambda v: A}],
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 1000},
    )
    return res.x[:-1]


def _max_margin_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Separable problems through the origin: the plane, 5 dimensions with n > d, 40 dimensions
    with n < d, and a lopsided one whose best separator with an intercept is another line."""
    rng = np.random.default_rng(111)
    cases = []
    for what, n, d in (
        ("a problem in the plane", 16, 2),
        ("a problem in 5 dimensions", 40, 5),
        ("a problem with 12 points in 40 dimensions", 12, 40),
    ):
        X = rng.standard_normal((n, d))
        direction = rng.standard_normal(d)
        direction /= np.linalg.norm(direction)
        y = np.where(X @ direction > 0, 1.0, -1.0)
        cases.append((what, X + 0.3 * y[:, None] * direction, y))
    X = rng.standard_normal((20, 2)) * 0.5 + np.array([3.0, 0.0])  # all points right of the origin
    y = np.where(X[:, 1] > 0, 1.0, -1.0)
    X[:, 1] += 0.4 * y
    cases.append(("a lopsided problem in the plane (all points on one side of the origin)", X, y))
    return cases


#: The reference is exact to about 1e-12. Common solvers at their default tolerances are off by up to
#: 7e-4 relative on these cases (SVC's tol=1e-3 on its dual, LinearSVC, L-BFGS-B on the dual), while
#: logistic gradient descent, even after 10^5 steps, is off by 3e-2 or more and gains only like
#: 1/log t: 3e-3 lies a factor of about 5 from both, so it accepts any solver and rejects the slow rate.
_MARGIN_RTOL = 3e-3


@register("fr-max-margin")
def _check_max_margin(answer) -> str:
    expect_function(answer, "max_margin")
    cases = _max_margin_cases()
    for what, X, y in cases:
        n, d = X.shape
        out = answer(X.copy(), y.copy())
        try:
            w = np.asarray(out, dtype=float)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"for {what}, max_margin should return an array w") from exc
        if w.shape != (d,):
            raise Incorrect(
                f"for {what}, w should have shape {(d,)} (one weight per feature, no intercept), "
                f"got {w.shape}"
            )
        if not np.all(np.isfinite(w)):
            raise Incorrect(f"for {what}, w contains NaN or infinite values")
        Z = y[:, None] * X
        want = _hard_margin(Z)
        if np.linalg.norm(w - want) <= _MARGIN_RTOL * np.linalg.norm(want):
            continue
        margins = Z @ w
        if np.any(margins <= 0):
            raise Incorrect(
                f"for {what}, w misclassifies {int(np.sum(margins <= 0))} of the {n} points "
                "(some yᵢ xᵢ·w ≤ 0): the separator goes through the origin, with no intercept"
            )
        cos = w @ want / (np.linalg.norm(w) * np.linalg.norm(want))
        if np.sqrt(max(2 - 2 * cos, 0.0)) <= _MARGIN_RTOL / 2:  # the unit directions agree
            raise Incorrect(
                f"for {what}, the direction is right but the smallest margin min yᵢ xᵢ·w is "
                f"{margins.min():.6g}, not 1: return the w of smallest norm with every margin ≥ 1"
            )
        degrees = np.degrees(np.arccos(min(cos, 1.0)))
        w_b = _hard_margin_with_intercept(X, y)
        if 1 - w @ w_b / (np.linalg.norm(w) * np.linalg.norm(w_b)) < 1e-8:
            hint = (
                "; it is the separator of the problem with an intercept b, y(w·x + b) ≥ 1, a "
                "different problem: here w·x alone must separate"
            )
        elif degrees < 5:
            hint = "; a direction from gradient descent is close but converges only like 1/log t"
        else:
            hint = ""
        raise Incorrect(
            f"for {what}, w separates the data but its direction is {degrees:.2g}° away from the "
            f"maximum-margin one (its normalized margin is {margins.min() / np.linalg.norm(w):.4g} "
            f"against the best {1 / np.linalg.norm(want):.4g}){hint}"
        )
    return f"the hard-margin separator through the origin on all {len(cases)} problems"


# ---------------------------------------------------------------------------
# Section 11.3
# ---------------------------------------------------------------------------


def _sinkhorn_cases() -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, float]]:
    """A square and a wide problem (a swapped pair of marginals shows), and one whose first row
    of M is raised by 2000·reg: the entropic plan is unchanged (every coupling's cost rises by
    the same amount), but exp(−M/reg) underflows to 0 on that row."""
    rng = np.random.default_rng(113)
    cases = []
    for what, n, m in (("a 6 × 4 problem", 6, 4), ("a 3 × 7 problem", 3, 7)):
        a, b = rng.random(n) + 0.2, rng.random(m) + 0.2
        cases.append((what, a / a.sum(), b / b.sum(), rng.random((n, m)), 0.2))
    what, a, b, M, reg = cases[0]
    raised = M.copy()
    raised[0] += 2000 * reg
    cases.append(
        ("the 6 × 4 problem with its first row of M raised by 2000·reg", a, b, raised, reg)
    )
    return cases


#: Iterations the learner's function is given: the reference (nblib, log domain) meets its
#: marginals to 1e-13 within 60 iterations on every case, so 500 leave any update order converged.
_SINKHORN_ITERS = 500


@register("fr-sinkhorn-log")
def _check_sinkhorn_log(answer) -> str:
    from ..transport import sinkhorn  # imported on use: loading the checks stays light

    expect_function(answer, "sinkhorn_log")
    cases = _sinkhorn_cases()
    for what, a, b, M, reg in cases:
        n, m = M.shape
        with np.errstate(all="ignore"):
            out = answer(a.copy(), b.copy(), M.copy(), reg, _SINKHORN_ITERS)
        try:
            P = np.asarray(out, dtype=float)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"for {what}, sinkhorn_log should return an array") from exc
        if P.shape != (n, m):
            raise Incorrect(
                f"for {what}, the plan should have shape {(n, m)} (rows for a, columns for b), "
                f"got {P.shape}"
            )
        underflow_hint = (
            "; exp(−M/reg) underflows on the raised row: keep the potentials f, g and use "
            "log-sum-exp instead of K = exp(−M/reg)"
            if "raised" in what
            else ""
        )
        if not np.all(np.isfinite(P)):
            raise Incorrect(f"for {what}, the plan contains NaN or infinite values{underflow_hint}")
        if np.any(P < 0):
            raise Incorrect(f"for {what}, the plan has negative entries")
        if np.any(P.sum(axis=1) == 0):
            raise Incorrect(f"for {what}, the plan has an all-zero row{underflow_hint}")
        rows_ok = np.allclose(P.sum(axis=1), a, rtol=0, atol=1e-8)
        cols_ok = np.allclose(P.sum(axis=0), b, rtol=0, atol=1e-8)
        if not (rows_ok and cols_ok):
            which = "row sums (should be a)" if not rows_ok else "column sums (should be b)"
            raise Incorrect(
                f"for {what}, the {which} are off by up to "
                f"{np.abs(P.sum(axis=1 if not rows_ok else 0) - (a if not rows_ok else b)).max():.2g} "
                f"after {_SINKHORN_ITERS} iterations: check both scaling updates"
            )
        want = sinkhorn(a, b, M, reg, n_iter=10_000, tol=1e-13, log_domain=True)
        if not np.allclose(P, want, rtol=0, atol=1e-9):
            L = np.log(np.maximum(P, 1e-300)) + M / reg
            centred = L - L.mean(1, keepdims=True) - L.mean(0, keepdims=True) + L.mean()
            if np.abs(centred).max() > 1e-6:
                raise Incorrect(
                    f"for {what}, the marginals are right but the plan is not of the Gibbs form "
                    "P_ij = exp((f_i + g_j − M_ij)/reg): check how reg enters the updates"
                )
            raise Incorrect(  # pragma: no cover - Gibbs form and marginals determine P
                f"for {what}, the plan differs from the entropic plan by up to "
                f"{np.abs(P - want).max():.2g}"
            )
    return (
        f"your plan is the entropic optimum on all {len(cases)} problems, including one where "
        "exp(−M/reg) underflows"
    )


# ---------------------------------------------------------------------------
# Section 11.7
# ---------------------------------------------------------------------------


def _two_sum_cases() -> list[tuple[float, float]]:
    """Pairs with |a| ≥ |b| and |a| < |b|, total cancellation, an exact sum, signed zeros,
    subnormals, and random pairs over 60 binades (no overflow: TwoSum needs a finite sum)."""
    rng = np.random.default_rng(117)
    fixed = [
        (1.0, 1e-16),
        (1e-16, 1.0),
        (1e100, 1.0),
        (1.0, -1e100),
        (0.1, 0.2),
        (3.0, -3.0),
        (2.0**53, 1.0),
        (1.0, 2.0**53),
        (5e-324, 1.0),
        (0.0, -0.0),
        (-1.5, 0.25),
    ]
    a = rng.standard_normal(40) * np.exp2(rng.integers(-30, 30, 40))
    b = rng.standard_normal(40) * np.exp2(rng.integers(-30, 30, 40))
    return fixed + list(zip(a.tolist(), b.tolist(), strict=True))


@register("fr-two-sum")
def _check_two_sum(answer) -> str:
    expect_function(answer, "two_sum")
    cases = _two_sum_cases()
    failed_small_first = False
    for a, b in cases:
        out = answer(a, b)
        if not isinstance(out, tuple | list) or len(out) != 2:
            raise Incorrect(f"two_sum({a!r}, {b!r}) should return a pair (s, e), got {out!r:.60}")
        s, e = out
        try:
            s_f, e_f = float(s), float(e)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"two_sum({a!r}, {b!r}) should return two numbers") from exc
        if Fraction(s) != Fraction(s_f) or Fraction(e) != Fraction(e_f):
            raise Incorrect(
                f"two_sum({a!r}, {b!r}) returned something that is not a float64 number; "
                "compute s and e with floating-point operations only"
            )
        if s_f != a + b:
            raise Incorrect(
                f"for a = {a!r}, b = {b!r}, s should be the rounded sum fl(a + b) that the "
                "computer gives for a + b"
            )
        if Fraction(s_f) + Fraction(e_f) != Fraction(a) + Fraction(b):
            if abs(a) < abs(b):
                failed_small_first = True
                continue
            raise Incorrect(
                f"for a = {a!r}, b = {b!r}, s + e is not exactly a + b: e should be the "
                "rounding error a + b − s, recovered from s, a and b"
            )
    if failed_small_first:
        raise Incorrect(
            "s + e is exact when |a| ≥ |b| but not always when |a| < |b|: the three-operation "
            "version (Fast2Sum) needs |a| ≥ |b|; swap the arguments or use Knuth's "
            "six-operation TwoSum"
        )
    return (
        f"s + e equals a + b exactly on all {len(cases)} pairs, including |a| < |b|, total "
        "cancellation and subnormals"
    )


# ---------------------------------------------------------------------------
# Section 11.6
# ---------------------------------------------------------------------------


@register("fr-ghz-state")
def _check_ghz_state(answer) -> str:
    from ..quantum import Circuit  # imported here: the other sections' checks do not need it

    expect_function(answer, "ghz")
    sizes = range(1, 7)
    for n in sizes:
        out = answer(n)
        if not isinstance(out, Circuit):
            raise Incorrect(
                f"ghz({n}) should return a nblib.quantum.Circuit, got {type(out).__name__}"
            )
        if out.n_qubits != n or out.batched:
            raise Incorrect(
                f"ghz({n}) should return one (unbatched) circuit on {n} qubits, got {out!r}"
            )
        psi = out.state
        target = np.zeros(2**n, dtype=complex)
        target[0] = target[-1] = 2**-0.5
        if abs(abs(np.vdot(target, psi)) - 1) < 1e-9:  # equal up to a global phase
            continue
        p = np.abs(psi) ** 2
        ends = f"|{'0' * n}>" + (f" and |{'1' * n}>" if n > 1 else " and |1>")
        if p[0] + p[-1] > 1 - 1e-9:
            if abs(p[0] - p[-1]) > 1e-9:
                raise Incorrect(
                    f"for n = {n} the weights of {ends} are {p[0]:.3f} and {p[-1]:.3f}, not 1/2 "
                    "each: check the first rotation's angle (R_Y(θ)|0> = cos(θ/2)|0> + "
                    "sin(θ/2)|1>)"
                )
            phase = np.angle(psi[-1] / psi[0])
            raise Incorrect(
                f"for n = {n} the two amplitudes have relative phase {phase:.3f} instead of 0 "
                "(a minus sign is a phase of π): check the sign of the first rotation's angle"
            )
        support = [format(b, f"0{n}b") for b in np.flatnonzero(p > 1e-9)]
        shown = ", ".join(f"|{s}>" for s in support[:4]) + (", ..." if len(support) > 4 else "")
        raise Incorrect(
            f"ghz({n}) puts weight on {shown}; a GHZ state has only {ends}. Once qubit 0 is in "
            "an equal superposition, every other qubit must copy its bit (a CNOT from a qubit "
            "that already holds it)"
        )
    return f"the GHZ state, up to a global phase, for n = 1, ..., {max(sizes)}"


# ---------------------------------------------------------------------------
# Section 11.5
# ---------------------------------------------------------------------------


def _adjustment_cases() -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(what, p(z), p(x | z), P(Y = 1 | x, z)) with p(x | z)[z, x] and P(Y = 1 | x, z)[x, z]:
    the kidney-stone table (a Simpson reversal), and random tables with 3 and 5 strata whose
    p(z) is far from uniform, so that each typical mistake gives a different number."""
    kidney = (
        "the kidney-stone table",
        np.array([357, 343]) / 700,
        np.array([[87 / 357, 270 / 357], [263 / 343, 80 / 343]]),
        np.array([[81 / 87, 192 / 263], [234 / 270, 55 / 80]]),
    )
    rng = np.random.default_rng(115)
    cases = [kidney]
    for k in (3, 5):
        p_z = rng.dirichlet(np.full(k, 0.7))
        p_x1 = rng.uniform(0.1, 0.9, k)
        cases.append(
            (
                f"a random table with {k} strata",
                p_z,
                np.column_stack([1 - p_x1, p_x1]),
                rng.uniform(0.05, 0.95, (2, k)),
            )
        )
    return cases


@register("fr-do-adjustment")
def _check_do_adjustment(answer) -> str:
    expect_function(answer, "p_do")
    cases = _adjustment_cases()
    for what, p_z, p_x_given_z, p_y in cases:
        for x in (0, 1):
            out = answer(p_z.copy(), p_x_given_z.copy(), p_y.copy(), x)
            try:
                value = float(out)
            except (TypeError, ValueError) as exc:
                raise Incorrect(
                    f"p_do should return one probability (a number), got {type(out).__name__}"
                ) from exc
            want = float(p_y[x] @ p_z)  # the back-door adjustment over Z
            if abs(value - want) < 1e-12:
                continue
            joint = p_z * p_x_given_z[:, x]  # p(z, X = x)
            slips = [
                (
                    float(p_y[x] @ joint / joint.sum()),
                    "this is P(Y = 1 | X = x), the observational probability: it weights the strata "
                    "by p(z | x); an intervention sets X for everyone, so weight them by p(z)",
                ),
                (
                    float(p_y[x] @ joint),
                    "this is P(Y = 1, X = x): the intervention removes the factor p(x | z) from the "
                    "product instead of multiplying by it",
                ),
                (
                    float(p_y[x].mean()),
                    "this is the unweighted mean over the strata: weight each stratum by p(z)",
                ),
                (1 - want, "this is the probability of Y = 0, not Y = 1"),
                (float(p_y[1 - x] @ p_z), "this is the intervention on the other value of x"),
            ]
            for wrong, reason in slips:
                if abs(value - wrong) < 1e-9:
                    raise Incorrect(f"for {what} and x = {x}, {reason}")
            raise Incorrect(
                f"for {what} and x = {x} your value is off by {abs(value - want):.2g}; "
                "P(Y = 1 | do(X = x)) is an average of P(Y = 1 | x, z) over the strata z"
            )
    return (
        f"P(Y = 1 | do(X = x)) right for both values of x on all {len(cases)} tables, "
        "including one with a Simpson reversal"
    )


# ---------------------------------------------------------------------------
# Section 11.2
# ---------------------------------------------------------------------------

#: (what, A, B, α, β, C): the two published Chinchilla fits, a law with α < β and one with α = β,
#: at budgets from 10^18 to 10^25 FLOPs, so a swapped pair of exponents always shows.
_COMPUTE_CASES = (
    ("the published Chinchilla fit at C = 5.76e23", 406.4, 410.7, 0.34, 0.28, 5.76e23),
    ("the 2024 refit at C = 1e21", 482.01, 2085.43, 0.3478, 0.3658, 1e21),
    ("a law with α = 0.2 < β = 0.5 at C = 1e18", 50.0, 3000.0, 0.2, 0.5, 1e18),
    ("a law with α = β = 0.3 at C = 1e25", 100.0, 900.0, 0.3, 0.3, 1e25),
)
#: The optimum is a closed form; 1e-6 leaves room for any order of floating-point operations
#: (their rounding errors are ~1e-15 relative) and for a careful numerical minimizer.
_COMPUTE_RTOL = 1e-6


@register("fr-compute-optimal")
def _check_compute_optimal(answer) -> str:
    expect_function(answer, "compute_optimal")
    for what, A, B, alpha, beta, C in _COMPUTE_CASES:
        out = answer(A, B, alpha, beta, C)
        try:  # a tuple, a list or an array of two numbers are all the same pair
            pair = np.asarray(out, dtype=float).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"for {what}, N_opt and D_opt should be numbers") from exc
        if isinstance(out, (str, bytes)) or np.ndim(out) != 1 or len(pair) != 2:
            raise Incorrect(f"for {what}, compute_optimal should return a pair (N_opt, D_opt)")
        N, D = float(pair[0]), float(pair[1])
        if not (np.isfinite(N) and np.isfinite(D) and N > 0 and D > 0):
            raise Incorrect(f"for {what}, N_opt and D_opt should be positive and finite")
        if abs(6 * N * D / C - 1) > _COMPUTE_RTOL:
            raise Incorrect(
                f"for {what}, 6·N·D = {6 * N * D:.4g} is not the budget C = {C:.4g}: "
                "the pair must spend exactly the compute"
            )
        G = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
        N_want = G * (C / 6) ** (beta / (alpha + beta))
        if abs(N / N_want - 1) <= _COMPUTE_RTOL:
            continue
        if abs(N / (C / 6 / N_want) - 1) <= 1e-3:
            hint = ": it is D_opt; return the pair in the order (N_opt, D_opt)"
        elif abs(N / (G * (C / 6) ** (alpha / (alpha + beta))) - 1) <= 1e-3:
            hint = ": the exponents look swapped (which term's exponent goes with N?)"
        else:
            hint = ""
        direction = "larger" if N < N_want else "smaller"
        raise Incorrect(
            f"for {what}, your N_opt is not the minimizer: a {direction} N on the same budget "
            f"has a lower loss{hint}"
        )
    return f"the optimal split is right on all {len(_COMPUTE_CASES)} laws and budgets"


# ---------------------------------------------------------------------------
# Section 11.4
# ---------------------------------------------------------------------------


def _relabel_all(W: np.ndarray) -> np.ndarray:
    """The average of P W Pᵀ over all n! permutation matrices, by enumeration (small n only)."""
    from itertools import permutations

    n = len(W)
    total = np.zeros_like(W)
    for sigma in permutations(range(n)):
        P = np.eye(n)[list(sigma)]
        total += P @ W @ P.T
    return total / np.prod(np.arange(1, n + 1))


def _symmetrize_answer(answer, W: np.ndarray) -> np.ndarray:
    n = len(W)
    try:
        out = np.asarray(answer(W.copy()), dtype=float)
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"symmetrize should return an {n} × {n} array of numbers") from exc
    if out.shape != (n, n):
        raise Incorrect(
            f"symmetrize(W) for W of shape {(n, n)} should return shape {(n, n)}, got {out.shape}"
        )
    if not np.all(np.isfinite(out)):
        raise Incorrect(f"for n = {n} the result contains NaN or infinite values")
    return out


def _symmetrize_diagnosis(W: np.ndarray, out: np.ndarray, tol: float) -> str:
    """Why ``out`` is not the projection of ``W`` onto span{I, 11ᵀ}: the first property it breaks."""
    n = len(W)
    for name, sigma in (
        ("the swap of elements 0 and 1", [1, 0, *range(2, n)]),
        ("the cyclic shift", [*range(1, n), 0]),
    ):
        P = np.eye(n)[sigma]
        if np.abs(P @ out @ P.T - out).max() > tol:
            return (
                f"the result is not permutation-equivariant for n = {n}: relabelling by {name} "
                "changes it, so it is not of the form aI + b(11ᵀ − I)"
            )
    if abs(np.trace(out) - np.trace(W)) > n * tol:
        return (
            f"for n = {n} the diagonal is wrong: a relabelling moves diagonal entries only to the "
            "diagonal, so the diagonal of the average is the mean of W's diagonal"
        )
    return (
        f"for n = {n} the off-diagonal entries are wrong: they should be the mean of W's "
        "off-diagonal entries (a relabelling never moves an off-diagonal entry to the diagonal)"
    )


@register("fr-symmetrize")
def _check_symmetrize(answer) -> str:
    expect_function(answer, "symmetrize")
    rng = np.random.default_rng(114)
    # tolerance: an average of at most 5! = 120 terms of size ~3 is exact to ~1e-14; 1e-10 admits any order
    for n in (2, 3, 4, 5):
        # a distinct diagonal mean shows a mixed-up a, b
        W = rng.standard_normal((n, n)) + 2 * np.eye(n)
        out = _symmetrize_answer(answer, W)
        if np.abs(out - _relabel_all(W)).max() > 1e-10:
            raise Incorrect(_symmetrize_diagnosis(W, out, 1e-10))
    # n = 40: no enumeration; the projection onto span{I, 11ᵀ} is the equivariant matrix whose
    # difference from W is orthogonal to I and to 11ᵀ (equal trace and equal total sum)
    n = 40
    W = rng.standard_normal((n, n)) + 2 * np.eye(n)
    out = _symmetrize_answer(answer, W)
    tol = 1e-10
    problem = None
    for sigma in ([1, 0, *range(2, n)], [*range(1, n), 0]):
        P = np.eye(n)[sigma]
        if np.abs(P @ out @ P.T - out).max() > tol:
            problem = _symmetrize_diagnosis(W, out, tol)
    if problem is None and (
        abs(np.trace(out) - np.trace(W)) > n * tol or abs(out.sum() - W.sum()) > n * n * tol
    ):
        problem = _symmetrize_diagnosis(W, out, tol)
    if problem is not None:
        raise Incorrect(problem)
    return (
        "the average over all relabellings, for n = 2, ..., 5 (against enumeration) and n = 40 "
        "(by its defining properties)"
    )


# ---------------------------------------------------------------------------
# Section 11.8
# ---------------------------------------------------------------------------


def _obs_cases() -> list[tuple[str, np.ndarray, np.ndarray, list[int]]]:
    """Quadratics at their minimum w with the weights to delete: a diagonal Hessian (nothing
    moves), a correlated 3-weight problem, and a random 10-weight problem deleting three."""
    rng = np.random.default_rng(118)
    corr = np.array([[2.0, 0.9, 0.5], [0.9, 1.0, 0.3], [0.5, 0.3, 1.5]])
    A = rng.standard_normal((10, 10))
    return [
        ("a diagonal Hessian", np.array([0.5, -1.0, 2.0]), np.diag([10.0, 1.0, 0.1]), [0]),
        ("a correlated 3-weight problem", np.array([0.3, 1.0, -0.7]), corr, [0, 2]),
        (
            "a random 10-weight problem",
            rng.standard_normal(10),
            A @ A.T + 0.1 * np.eye(10),
            [1, 4, 7],
        ),
    ]


def _constrained_best(w: np.ndarray, H: np.ndarray, S: list[int]) -> np.ndarray:
    """argmin ½(u − w)ᵀH(u − w) over u with u_S = 0, by solving for the free weights directly."""
    keep = np.ones(len(w), dtype=bool)
    keep[S] = False
    u = np.zeros(len(w))
    u[keep] = np.linalg.solve(H[np.ix_(keep, keep)], H[keep] @ w)
    return u


@register("fr-obs-group")
def _check_obs_group(answer) -> str:
    expect_function(answer, "obs_delete")
    for what, w, H, S in _obs_cases():
        best = _constrained_best(w, H, S)
        out = answer(w.copy(), H.copy(), list(S))
        try:
            w_new = np.asarray(out, dtype=float)
        except (TypeError, ValueError) as exc:
            raise Incorrect("obs_delete should return the new weight vector as an array") from exc
        if w_new.shape != w.shape:
            raise Incorrect(f"for {what}, w_new should have shape {w.shape}, got {w_new.shape}")
        scale = np.abs(w).max()
        nonzero = [j for j in S if abs(w_new[j]) > 1e-9 * scale]
        if nonzero:
            raise Incorrect(
                f"for {what}, the deleted weights {nonzero} are not zero in w_new: deleting them "
                "one after another with the single-weight formula undoes the earlier deletions; "
                "impose all the constraints at once"
            )
        others = np.delete(np.arange(len(w)), S)
        if not np.allclose(best[others], w[others], rtol=1e-9, atol=0) and np.allclose(
            w_new[others], w[others], rtol=1e-12, atol=0
        ):
            raise Incorrect(
                f"for {what} you zeroed the weights {S} but left the others where they were: "
                "OBS also moves them to compensate"
            )
        if not np.allclose(w_new, best, rtol=1e-7, atol=1e-9 * scale):
            raise Incorrect(
                f"for {what}, w_new is not the best setting of the other weights once the "
                f"weights {S} are zero"
            )
    return "the exact group deletion on all three quadratics, including three weights at once"
