"""nblib.dynamics against independent truths: exact identities, closed forms, scipy, simulation."""

import numpy as np
import pytest
from scipy import integrate, linalg, stats

from nblib import dynamics

# ---------------------------------------------------------------------------
# Lyapunov spectra
# ---------------------------------------------------------------------------


def logistic(x):
    return 4 * x * (1 - x)


def logistic_jacobian(x):
    return 4 - 8 * x


def test_logistic_map_exponent_is_ln2_up_to_an_exact_boundary_term():
    """At r = 4, u = x(1−x) obeys u_{k+1} = 4u_k(1−2x_k)² = u_k f'(x_k)²/4, so the product
    telescopes: the n-step estimate is exactly ln 2 + ln(u_n/u_0)/(2n) (the map is conjugate
    to the tent map of slope 2). Both the identity (to rounding) and the tolerance from the
    run length, |λ_n − ln 2| ≤ (|ln u_n| + |ln u_0|)/(2n), are checked on the same orbit."""
    n, x0 = 20_000, 0.3
    lam, hist = dynamics.lyapunov_spectrum(logistic, logistic_jacobian, x0, n, return_history=True)
    x = np.array([x0])
    for _ in range(n):  # the same orbit, by the same arithmetic
        x = logistic(x)
    u0, un = x0 * (1 - x0), float(x[0] * (1 - x[0]))
    assert lam.shape == (1,) and hist.shape == (n, 1)
    assert hist[-1, 0] == lam[0]
    assert lam[0] == pytest.approx(np.log(2) + np.log(un / u0) / (2 * n), abs=1e-12)
    assert abs(lam[0] - np.log(2)) <= (abs(np.log(un)) + abs(np.log(u0))) / (2 * n)


def henon(a=1.4, b=0.3):
    def step(v):
        return np.array([1 - a * v[0] ** 2 + v[1], b * v[0]])

    def jac(v):
        return np.array([[-2 * a * v[0], 1.0], [b, 0.0]])

    return step, jac


def test_henon_exponents():
    """λ₁ ≈ 0.419 (Sprott 2003, 0.41922) and λ₁ + λ₂ = ln b exactly, since det J = −b at every
    point: Σ_i log|R_ii| = log|det J| at each step, so the sum is exact to rounding.

    λ₁'s tolerance is four standard errors from 40 batch means of the per-step log stretch
    (plus 5e-4 for the literature value's rounding)."""
    step, jac = henon()
    n, batches = 30_000, 40
    lam, hist = dynamics.lyapunov_spectrum(
        step, jac, [0.1, 0.1], n, n_transient=1000, return_history=True
    )
    assert lam[0] > lam[1]
    assert lam.sum() == pytest.approx(np.log(0.3), abs=1e-10)
    sums = hist[:, 0] * np.arange(1, n + 1)
    per_step = np.diff(sums, prepend=0.0)  # log |R_11| at each step (the leading column)
    means = per_step.reshape(batches, -1).mean(axis=1)
    se = means.std(ddof=1) / np.sqrt(batches)
    assert se < 0.01  # the run is long enough for the check to mean something
    assert abs(lam[0] - 0.419) <= 4 * se + 5e-4
    only_first = dynamics.lyapunov_spectrum(step, jac, [0.1, 0.1], n, 1, n_transient=1000)
    assert only_first[0] == pytest.approx(lam[0], abs=1e-12)  # the first column needs no others


def test_triangular_linear_map_gives_log_abs_eigenvalues_exactly():
    """For upper-triangular A and Q₀ = I, every step's QR is A itself (up to signs), so the
    estimate is log|A_ii| = log|eigenvalue| at every step, to rounding."""
    A = np.array([[2.0, 0.7, -1.0], [0.0, -0.5, 3.0], [0.0, 0.0, 0.25]])
    lam = dynamics.lyapunov_spectrum(lambda x: A @ x, lambda x: A, np.ones(3), 50)
    np.testing.assert_allclose(lam, np.log([2.0, 0.5, 0.25]), rtol=0, atol=1e-13)


def test_general_linear_map_converges_like_one_over_n():
    """For A = V diag(μ) V⁻¹ the estimate is log|μ_i| + c_i/n + O(|μ_{i+1}/μ_i|ⁿ), c_i set by
    the start frame. So n·(error) is the same at n = 300 and 600 (the geometric part is
    below 0.7³⁰⁰ ≈ 1e-47), and the error vanishes like 1/n."""
    rng = np.random.default_rng(0)
    V = rng.standard_normal((3, 3))
    mu = np.array([1.5, -0.8, 0.3])
    A = V @ np.diag(mu) @ np.linalg.inv(V)
    err = {}
    for n in (300, 600):
        lam = dynamics.lyapunov_spectrum(lambda x: A @ x, lambda x: A, np.ones(3), n)
        err[n] = lam - np.log(np.abs(mu))
    np.testing.assert_allclose(300 * err[300], 600 * err[600], rtol=0, atol=1e-9)
    assert np.abs(err[600]).max() < 0.02


def test_flow_exponents_per_unit_time():
    """A linear flow ẋ = Bx stepped exactly by e^{B dt}: the exponents are Re eig(B) per unit
    time, their sum is tr B exactly (det e^{B dt} = e^{dt·tr B}, Liouville), and the same
    steps with dt = 1 give dt times the exponents."""
    rng = np.random.default_rng(1)
    U = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    B = U @ np.array([[0.3, 0.0, 0.0], [0.0, -0.1, 2.0], [0.0, -2.0, -0.1]]) @ U.T
    dt, n = 0.05, 4000
    M = linalg.expm(B * dt)
    lam = dynamics.lyapunov_spectrum(lambda x: M @ x, lambda x: M, np.ones(3), n, dt=dt)
    assert lam.sum() == pytest.approx(np.trace(B), abs=1e-12)
    # the start-frame error is log(1/|⟨e_1, top eigendirection⟩|)/(n dt): at most 0.2 for a
    # cosine above 1e-8, far above it only if e_1 were orthogonal to U[:, 0] (checked)
    assert abs(U[0, 0]) > 1e-3
    np.testing.assert_allclose(lam, [0.3, -0.1, -0.1], rtol=0, atol=0.05)
    per_step = dynamics.lyapunov_spectrum(lambda x: M @ x, lambda x: M, np.ones(3), n)
    np.testing.assert_allclose(per_step, lam * dt, rtol=1e-13, atol=1e-16)


def test_lyapunov_errors_name_the_problem():
    with pytest.raises(ValueError, match="singular"):  # logistic'(1/2) = 0
        dynamics.lyapunov_spectrum(logistic, logistic_jacobian, 0.5, 10)
    with pytest.raises(ValueError, match="diverged"), np.errstate(over="ignore"):
        dynamics.lyapunov_spectrum(lambda x: x * x, lambda x: 2 * x, 10.0, 20)
    with pytest.raises(ValueError, match="n_exponents"):
        dynamics.lyapunov_spectrum(logistic, logistic_jacobian, 0.3, 10, n_exponents=2)
    with pytest.raises(ValueError, match="dt"):
        dynamics.lyapunov_spectrum(logistic, logistic_jacobian, 0.3, 10, dt=0)
    with pytest.raises(ValueError, match="n_steps"):
        dynamics.lyapunov_spectrum(logistic, logistic_jacobian, 0.3, 0)
    with pytest.raises(ValueError, match="x0"):
        dynamics.lyapunov_spectrum(logistic, logistic_jacobian, np.nan, 10)
    with pytest.raises(ValueError, match=r"jacobian must return a \(2, 2\)"):
        dynamics.lyapunov_spectrum(henon()[0], lambda v: np.eye(3), [0.1, 0.1], 5)
    with pytest.raises(ValueError, match=r"step must return a state of shape \(2,\)"):
        dynamics.lyapunov_spectrum(lambda v: v[:1], henon()[1], [0.1, 0.1], 5)
    with pytest.raises(TypeError, match="jacobian"):
        dynamics.lyapunov_spectrum(logistic, 3.0, 0.3, 10)


# ---------------------------------------------------------------------------
# Mean-field signal propagation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("sw2", "sb2"), [(0.5, 0.2), (1.5, 0.1), (1.99, 0.01), (1.0, 0.0)])
def test_relu_closed_forms(sw2, sb2):
    """V(q) = σ_w² q/2 + σ_b² for relu, so q* = σ_b²/(1 − σ_w²/2) and χ₁ = σ_w²/2."""
    assert dynamics.mean_field_q_star(sw2, sb2, "relu") == pytest.approx(
        sb2 / (1 - sw2 / 2), rel=1e-12, abs=1e-15
    )
    assert dynamics.chi1(sw2, sb2, "relu") == pytest.approx(sw2 / 2, rel=1e-12)
    assert dynamics.length_map(0.7, sw2, sb2, "relu") == pytest.approx(sw2 * 0.35 + sb2, rel=1e-12)


def test_relu_without_a_fixed_point_raises():
    with pytest.raises(ValueError, match="weight_var must be < 2"):
        dynamics.mean_field_q_star(2.5, 0.1, "relu")
    with pytest.raises(ValueError, match="every q is a fixed point"):
        dynamics.mean_field_q_star(2.0, 0.0, "relu")


@pytest.mark.parametrize("q", [0.05, 1.0, 7.0, 40.0])
def test_tanh_expectations_match_adaptive_quadrature(q):
    """The Gauss–Hermite expectations against scipy's adaptive quad (an independent rule).

    quad's own error estimate is ~1e-13 here; 1e-10 leaves room for both."""
    dens = stats.norm.pdf
    e_phi2 = integrate.quad(lambda z: np.tanh(np.sqrt(q) * z) ** 2 * dens(z), -12, 12, limit=400)
    assert dynamics.length_map(q, 1.3, 0.2, "tanh") == pytest.approx(
        1.3 * e_phi2[0] + 0.2, abs=1e-10
    )


@pytest.mark.parametrize(("sw2", "sb2"), [(1.5, 0.05), (4.0, 0.3), (2.0, 0.0), (30.0, 1.0)])
def test_tanh_q_star_is_a_fixed_point_and_chi1_matches_quad(sw2, sb2):
    q = dynamics.mean_field_q_star(sw2, sb2, "tanh")
    assert q > 0
    assert dynamics.length_map(q, sw2, sb2, "tanh") == pytest.approx(q, rel=1e-12)
    dens = stats.norm.pdf
    e_dphi2 = integrate.quad(
        lambda z: (1 - np.tanh(np.sqrt(q) * z) ** 2) ** 2 * dens(z), -12, 12, limit=400
    )[0]
    assert dynamics.chi1(sw2, sb2, "tanh") == pytest.approx(sw2 * e_dphi2, rel=1e-9)


def test_tanh_critical_line_at_zero_bias():
    """With σ_b = 0 and σ_w² ≤ 1, q* = 0 and χ₁ = σ_w² φ'(0)² = σ_w²: exactly 1 at σ_w = 1,
    the edge of chaos; just above, q* > 0 and the network is chaotic (χ₁ > 1)."""
    assert dynamics.mean_field_q_star(1.0, 0.0, "tanh") == 0.0
    assert dynamics.chi1(1.0, 0.0, "tanh") == pytest.approx(1.0, abs=1e-12)
    assert dynamics.chi1(0.8, 0.0, "tanh") == pytest.approx(0.8, abs=1e-12)
    assert dynamics.mean_field_q_star(1.2, 0.0, "tanh") > 0
    assert dynamics.chi1(1.2, 0.0, "tanh") > 1


def test_mean_field_errors_name_the_argument():
    with pytest.raises(ValueError, match="activation"):
        dynamics.chi1(1.0, 0.1, "sigmoid")
    with pytest.raises(ValueError, match="weight_var"):
        dynamics.mean_field_q_star(-1.0, 0.1)
    with pytest.raises(ValueError, match="bias_var"):
        dynamics.chi1(1.0, np.nan)
    with pytest.raises(ValueError, match="weight_var \\+ bias_var"):
        dynamics.mean_field_q_star(5000.0, 0.0)


WIDTH = 2000
SIM = {"tanh": (1.5, 0.05), "relu": (1.0, 0.2)}  # (σ_w², σ_b²), same σ_w² per layer draw
# (depth, layers dropped as burn-in) per sampler: the dense net is the literal definition;
# the exact "gram" sampler draws the same law at O(N) per layer, so it runs far deeper.
RUNS = {"dense": (18, 6), "gram": (300, 20)}


@pytest.fixture(scope="module", params=list(RUNS))
def wide_net(request):
    """An input and a tangent vector through a width-2000 random network, per activation.

    h^{l+1} = W^{l+1} φ(h^l) + b^{l+1} with W ∼ N(0, σ_w²/N), b ∼ N(0, σ_b²) fresh each
    layer; the tangent δh^{l+1} = W^{l+1}(φ'(h^l) ⊙ δh^l), renormalized. Records q^l = |h^l|²/N
    and the squared stretch |δh^{l+1}|²/|δh^l|², whose means estimate q* and χ₁.

    ``"dense"`` draws the N × N matrices (one per layer, shared by the two activations, whose
    weights differ only by the factor σ_w). ``"gram"`` uses that W is independent of
    V = [φ(h), φ'(h) ⊙ δh, …] (W is fresh), so the rows of WV are i.i.d. N(0, VᵀV/N) per unit
    weight variance: it samples WV = G Lᵀ, LLᵀ = VᵀV/N, G standard normal (N × 4), the same
    joint law of pre-activations and tangents, exactly, at the same finite N.
    """
    sampler = request.param
    rng = np.random.default_rng(2016)
    depth, burn = RUNS[sampler]
    h = {a: rng.standard_normal(WIDTH) for a in SIM}
    dh = {a: rng.standard_normal(WIDTH) for a in SIM}
    rec = {a: ([], []) for a in SIM}
    for _ in range(depth):
        cols = []
        for a in SIM:
            phi = np.tanh(h[a]) if a == "tanh" else np.maximum(h[a], 0)
            dphi = 1 - phi**2 if a == "tanh" else (h[a] > 0).astype(float)
            cols += [phi, dphi * dh[a]]
        V = np.column_stack(cols)
        if sampler == "dense":
            G = rng.standard_normal((WIDTH, WIDTH), dtype=np.float32)
            WV = (G @ V.astype(np.float32)).astype(np.float64) / np.sqrt(WIDTH)
        else:
            WV = rng.standard_normal((WIDTH, V.shape[1])) @ np.linalg.cholesky(V.T @ V / WIDTH).T
        for k, (a, (sw2, sb2)) in enumerate(SIM.items()):
            pre, tangent = np.sqrt(sw2) * WV[:, 2 * k], np.sqrt(sw2) * WV[:, 2 * k + 1]
            h[a] = pre + np.sqrt(sb2) * rng.standard_normal(WIDTH)
            rec[a][0].append(h[a] @ h[a] / WIDTH)
            rec[a][1].append((tangent @ tangent) / (dh[a] @ dh[a]))
            dh[a] = tangent / np.linalg.norm(tangent) * np.sqrt(WIDTH)
    return {a: (np.array(q[burn:]), np.array(st[burn:])) for a, (q, st) in rec.items()}


def mean_and_se(x):
    """Mean and its standard error with the AR(1) effective sample size n(1−ρ)/(1+ρ), ρ the
    lag-1 autocorrelation (the layers form a Markov chain, so neighbours are correlated)."""
    x = np.asarray(x)
    c = x - x.mean()
    rho = float(np.clip((c[1:] @ c[:-1]) / (c @ c), 0.0, 0.95))
    n_eff = len(x) * (1 - rho) / (1 + rho)
    return x.mean(), x.std(ddof=1) / np.sqrt(n_eff)


@pytest.mark.parametrize("activation", list(SIM))
def test_q_star_and_chi1_match_a_wide_random_network(wide_net, activation):
    """Within four standard errors; the finite-width bias is O(1/N) = 0.05 %, far below.

    Each layer's q^l has relative fluctuation √(2/N) ≈ 3 %; averaged over the layers the
    standard errors are a few % (dense, 12 layers) or a fraction of one (gram, 280 layers).
    Asserted below 5 % so that the check has teeth."""
    sw2, sb2 = SIM[activation]
    qs, stretches = wide_net[activation]
    q_star = dynamics.mean_field_q_star(sw2, sb2, activation)
    chi = dynamics.chi1(sw2, sb2, activation)
    q_mean, q_se = mean_and_se(qs)
    c_mean, c_se = mean_and_se(stretches)
    assert q_se < 0.05 * q_star and c_se < 0.05 * chi
    assert abs(q_mean - q_star) <= 4 * q_se
    assert abs(c_mean - chi) <= 4 * c_se


# ---------------------------------------------------------------------------
# Hopfield networks
# ---------------------------------------------------------------------------


def energies(W, states):
    """E(s) = −½ sᵀ W s for each row, written out here independently of the library."""
    return -0.5 * np.einsum("ki,ij,kj->k", states, W, states)


def test_hebbian_weights():
    xi = np.array([[1, -1, 1, 1], [-1, -1, 1, -1]])
    W = dynamics.hopfield_store(xi)
    expected = (np.outer(xi[0], xi[0]) + np.outer(xi[1], xi[1])) / 4.0
    np.fill_diagonal(expected, 0)
    np.testing.assert_array_equal(W, expected)


@pytest.mark.parametrize("kind", ["hebbian", "random symmetric"])
def test_energy_never_increases_along_asynchronous_updates(kind):
    """Hopfield's Lyapunov function: ΔE = −(s_i' − s_i) h_i ≤ 0 at every single-unit visit.

    The energies are recomputed from the visited states; 1e-12 allows for rounding."""
    rng = np.random.default_rng(5)
    N = 120
    if kind == "hebbian":
        W = dynamics.hopfield_store(rng.choice([-1, 1], size=(15, N)))
    else:  # a spin glass: many flips and local minima
        A = rng.standard_normal((N, N))
        W = (A + A.T) / 2
        np.fill_diagonal(W, 0)
    for start in range(3):
        s0 = rng.choice([-1.0, 1.0], size=N)
        s, path = dynamics.hopfield_recall(W, s0, rng=start, return_trajectory=True)
        E = energies(W, path)
        assert path.shape[1] == N and len(path) % N == 1  # whole sweeps of N visits
        assert np.count_nonzero(np.any(path[1:] != path[:-1], axis=1)) > 0  # it moved
        assert np.all(np.diff(E) <= 1e-12 * np.abs(E).max())
        assert E[-1] == pytest.approx(dynamics.hopfield_energy(W, s), abs=1e-9)
        h = W @ s
        assert np.all(s * h >= 0)  # a fixed point: every unit agrees with its field


def test_patterns_are_fixed_points_and_attractors_at_low_load():
    """At P/N = 0.05 the crosstalk on a bit has standard deviation √((P−1)/N) ≈ 0.22 against
    a signal of 1, so a bit is unstable with probability Φ(−√((N−1)/(P−1))) ≈ 2e-6: all
    8000 stored bits are stable, and patterns with 10 % of bits flipped are recovered."""
    rng = np.random.default_rng(6)
    N, P = 400, 20
    xi = rng.choice([-1.0, 1.0], size=(P, N))
    W = dynamics.hopfield_store(xi)
    assert np.all(xi * (xi @ W) > 0)  # W is symmetric: row μ of ξW is W ξ^μ
    for mu in range(P):
        s, path = dynamics.hopfield_recall(W, xi[mu], rng=mu, return_trajectory=True)
        np.testing.assert_array_equal(s, xi[mu])
        assert len(path) == N + 1  # one sweep with no flip
        noisy = xi[mu].copy()
        noisy[rng.choice(N, size=N // 10, replace=False)] *= -1
        np.testing.assert_array_equal(dynamics.hopfield_recall(W, noisy, rng=mu), xi[mu])


def test_unstable_bits_at_high_load_match_the_crosstalk_prediction():
    """At P/N = 0.2 (above the capacity 0.138) a fraction p = Φ(−√((N−1)/(P−1))) ≈ 1.2 % of
    stored bits is unstable (Gaussian crosstalk; Amit, Gutfreund & Sompolinsky 1985 for the
    refined theory). Checked within five binomial standard errors of the 32,000 bits."""
    rng = np.random.default_rng(7)
    N, P = 400, 80
    xi = rng.choice([-1.0, 1.0], size=(P, N))
    W = dynamics.hopfield_store(xi)
    unstable = np.count_nonzero(xi * (xi @ W) <= 0)
    p = stats.norm.cdf(-np.sqrt((N - 1) / (P - 1)))
    n = P * N
    assert unstable > 0
    assert abs(unstable - n * p) <= 5 * np.sqrt(n * p * (1 - p))


def test_hopfield_errors_name_the_argument():
    with pytest.raises(ValueError, match="patterns must hold only ±1"):
        dynamics.hopfield_store([[1, 0, -1]])
    W = dynamics.hopfield_store([[1, -1, 1]])
    with pytest.raises(ValueError, match="state must have N = 3"):
        dynamics.hopfield_recall(W, [1, 1])
    with pytest.raises(ValueError, match="state must hold only ±1"):
        dynamics.hopfield_recall(W, [1, 0.5, 1])
    with pytest.raises(ValueError, match="W must be symmetric"):
        dynamics.hopfield_recall(np.triu(np.ones((3, 3)), 1), [1, 1, 1])
    with pytest.raises(ValueError, match="W must have a nonnegative diagonal"):
        dynamics.hopfield_recall(-np.eye(3), [1, 1, 1])
    with pytest.raises(ValueError, match="max_sweeps"):
        dynamics.hopfield_recall(W, [1, 1, 1], max_sweeps=0)
