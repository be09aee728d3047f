"""nblib.quantum (Chapter 11) against independent truths: every gate against its explicit
2^n × 2^n matrix (Kronecker products of exp(−iθP/2) from ``scipy.linalg.expm``, or the
permutation a controlled gate makes of the basis, enumerated bit by bit), ⟨Z⟩ against
Tr(ρ Z_q), and the parameter-shift gradient against central differences and closed forms."""

from __future__ import annotations

import doctest
from functools import reduce

import numpy as np
import pytest
from scipy.linalg import expm
from scipy.stats import unitary_group

from nblib import quantum
from nblib.quantum import CNOT, CZ, Circuit, parameter_shift_grad, ry_matrix

I2 = np.eye(2)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]])
Z = np.diag([1.0, -1.0]).astype(complex)
PAULI = {"rx": X, "ry": Y, "rz": Z}
EPS = np.finfo(float).eps
#: Agreement of two float64 simulations of the same few gates: each entry is a sum of a few
#: products of numbers of modulus ≤ 1, so they differ by a few hundred ulps at most.
TIGHT = 1e-12


def kron_all(mats):
    """M₀ ⊗ M₁ ⊗ …: qubit 0 is the most significant bit (the textbook order)."""
    return reduce(np.kron, mats)


def on_qubit(U, q, n):
    return kron_all([U if k == q else I2 for k in range(n)])


def two_qubit_full(U, a, b, n):
    """The 2^n × 2^n matrix of a 4 × 4 gate on qubits (a, b), enumerated basis state by basis
    state (bits of qubit k: (index >> (n-1-k)) & 1), with no reshaping or Kronecker products."""
    dim = 2**n
    M = np.zeros((dim, dim), dtype=complex)
    bit = lambda i, k: (i >> (n - 1 - k)) & 1  # noqa: E731
    for i in range(dim):
        for o in range(dim):
            rest = all(bit(i, k) == bit(o, k) for k in range(n) if k not in (a, b))
            if rest:
                M[o, i] = U[2 * bit(o, a) + bit(o, b), 2 * bit(i, a) + bit(i, b)]
    return M


def random_state(rng, n):
    psi = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    return psi / np.linalg.norm(psi)


def random_circuit(theta, n, seed):
    """A fixed layered circuit (its gate pattern from ``seed``) whose angles are ``theta``."""
    pattern = np.random.default_rng(seed)
    c = Circuit(n)
    for k, t in enumerate(theta):
        getattr(c, pattern.choice(["rx", "ry", "rz"]))(k % n, t)
        if k % n == n - 1:
            for q in range(n - 1):
                c.cnot(q, q + 1)
    return c


# ---------------------------------------------------------------------------
# Gates against explicit matrices
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("gate", ["rx", "ry", "rz"])
def test_rotation_equals_kronecker_product_of_expm(n, gate):
    rng = np.random.default_rng(n)
    for q in range(n):
        psi0 = random_state(rng, n)
        theta = rng.uniform(-2 * np.pi, 2 * np.pi)
        R = expm(-1j * theta / 2 * PAULI[gate])  # eq. (q.1) by its definition
        got = getattr(Circuit(n, initial_state=psi0), gate)(q, theta).state
        np.testing.assert_allclose(got, on_qubit(R, q, n) @ psi0, atol=TIGHT)


def test_qubit_zero_is_the_most_significant_bit():
    """R_Y(θ) on qubit 0 of |00⟩ is (R_Y(θ)|0⟩) ⊗ |0⟩: amplitudes at indices 0 (|00⟩) and 2 (|10⟩)."""
    theta = 0.7
    got = Circuit(2).ry(0, theta).state
    np.testing.assert_allclose(got, [np.cos(theta / 2), 0, np.sin(theta / 2), 0], atol=TIGHT)
    np.testing.assert_allclose(got, np.kron(ry_matrix(theta) @ [1, 0], [1, 0]), atol=TIGHT)


@pytest.mark.parametrize("name, U", [("cnot", CNOT), ("cz", CZ)])
def test_two_qubit_gates_on_every_ordered_pair(name, U):
    rng = np.random.default_rng(1)
    n = 3
    for a in range(n):
        for b in range(n):
            if a != b:
                psi0 = random_state(rng, n)
                got = getattr(Circuit(n, initial_state=psi0), name)(a, b).state
                np.testing.assert_allclose(got, two_qubit_full(U, a, b, n) @ psi0, atol=TIGHT)


def test_cnot_flips_the_target_where_the_control_is_one():
    """Basis states: |c t r⟩ ↦ |c, t ⊕ c, r⟩ for control 0, target 1 on three qubits."""
    for idx in range(8):
        psi0 = np.zeros(8, dtype=complex)
        psi0[idx] = 1
        c, t, r = (idx >> 2) & 1, (idx >> 1) & 1, idx & 1
        out = Circuit(3, initial_state=psi0).cnot(0, 1).state
        assert out[4 * c + 2 * (t ^ c) + r] == 1, f"CNOT sent |{c}{t}{r}> to the wrong basis state"


def test_adjacent_two_qubit_gate_is_a_kronecker_factor():
    rng = np.random.default_rng(2)
    psi0 = random_state(rng, 3)
    np.testing.assert_allclose(
        Circuit(3, initial_state=psi0).cnot(1, 2).state, np.kron(I2, CNOT) @ psi0, atol=TIGHT
    )
    np.testing.assert_allclose(
        Circuit(3, initial_state=psi0).cnot(0, 1).state, np.kron(CNOT, I2) @ psi0, atol=TIGHT
    )


def test_arbitrary_unitaries_match_the_explicit_operator():
    rng = np.random.default_rng(3)
    n = 3
    U1 = unitary_group.rvs(2, random_state=4)
    U2 = unitary_group.rvs(4, random_state=5)
    psi0 = random_state(rng, n)
    c = Circuit(n, initial_state=psi0).apply(U1, 1).apply(U2, (2, 0))
    want = two_qubit_full(U2, 2, 0, n) @ on_qubit(U1, 1, n) @ psi0
    np.testing.assert_allclose(c.state, want, atol=TIGHT)
    assert c.n_gates == 2


def test_bell_state_from_ry_and_cnot():
    c = Circuit(2).ry(0, np.pi / 2).cnot(0, 1)
    np.testing.assert_allclose(c.state, np.array([1, 0, 0, 1]) / np.sqrt(2), atol=TIGHT)
    assert abs(c.expval_z(0)) < TIGHT and abs(c.expval_z(1)) < TIGHT  # each qubit alone: random
    assert abs(c.expval_z((0, 1)) - 1) < TIGHT  # perfectly correlated
    np.testing.assert_allclose(c.probabilities(), [0.5, 0, 0, 0.5], atol=TIGHT)


def test_rotation_phases_and_periods():
    """R_Z changes only phases (no ⟨Z⟩ change); R_P(2π) = −I; R_P(4π) = I."""
    rng = np.random.default_rng(6)
    psi0 = random_state(rng, 2)
    base = Circuit(2, initial_state=psi0)
    z0 = base.expval_z(1)
    assert abs(Circuit(2, initial_state=psi0).rz(1, 1.234).expval_z(1) - z0) < TIGHT
    for gate in PAULI:
        got = getattr(Circuit(2, initial_state=psi0), gate)(0, 2 * np.pi).state
        np.testing.assert_allclose(got, -psi0, atol=TIGHT)
        got = getattr(Circuit(2, initial_state=psi0), gate)(0, 4 * np.pi).state
        np.testing.assert_allclose(got, psi0, atol=TIGHT)


# ---------------------------------------------------------------------------
# Readout
# ---------------------------------------------------------------------------


def test_expval_z_equals_trace_of_rho_z():
    rng = np.random.default_rng(7)
    n = 3
    c = random_circuit(rng.uniform(-np.pi, np.pi, 9), n, seed=8)
    psi = c.state
    rho = np.outer(psi, psi.conj())
    for q in range(n):
        want = np.trace(rho @ on_qubit(Z, q, n)).real
        assert abs(c.expval_z(q) - want) < TIGHT
    ZZ = kron_all([Z, I2, Z])
    assert abs(c.expval_z((0, 2)) - np.trace(rho @ ZZ).real) < TIGHT
    ZZZ = kron_all([Z, Z, Z])
    assert abs(c.expval_z((2, 0, 1)) - np.trace(rho @ ZZZ).real) < TIGHT


def test_norm_is_kept_over_many_gates_and_state_is_a_copy():
    """2000 gates: the squared norm drifts by rounding only, at most a few ε per gate (worst
    case linear in the number k of gates; typically √k · ε)."""
    rng = np.random.default_rng(9)
    theta = rng.uniform(-np.pi, np.pi, 1200)
    c = random_circuit(theta, 3, seed=10)
    assert c.n_gates >= 2000
    assert abs(np.sum(np.abs(c.state) ** 2) - 1) < 4 * EPS * c.n_gates
    s = c.state
    s[:] = 0
    assert abs(np.sum(np.abs(c.state) ** 2) - 1) < 4 * EPS * c.n_gates, (
        "state returned a view, not a copy"
    )


def test_batched_circuit_equals_one_circuit_per_angle():
    rng = np.random.default_rng(11)
    B, n = 5, 3
    a, b = rng.uniform(-np.pi, np.pi, (2, B))
    U = unitary_group.rvs(4, size=B, random_state=12)
    batched = (
        Circuit(n, batch_size=B).ry(0, a).rx(2, 0.4).cnot(0, 2).rz(2, b).apply(U, (1, 2)).cz(1, 0)
    )
    for i in range(B):
        one = Circuit(n).ry(0, a[i]).rx(2, 0.4).cnot(0, 2).rz(2, b[i]).apply(U[i], (1, 2)).cz(1, 0)
        np.testing.assert_allclose(batched.state[i], one.state, atol=TIGHT)
        assert abs(batched.expval_z(2)[i] - one.expval_z(2)) < TIGHT
    assert batched.expval_z(0).shape == (B,) and batched.probabilities().shape == (B, 2**n)


def test_shot_estimates_are_unbiased_with_binomial_variance():
    """Mean of M estimates from N shots: within 4 standard errors √((1 − z²)/(N M)) of ⟨Z⟩,
    and their sample variance within 4 of its standard errors of (1 − z²)/N."""
    c = Circuit(1).ry(0, 1.0)
    z = c.expval_z(0)  # cos 1
    N, M = 100, 4000
    rng = np.random.default_rng(13)
    est = np.array([c.expval_z(0, shots=N, rng=rng) for _ in range(M)])
    var = (1 - z**2) / N
    assert abs(est.mean() - z) < 4 * np.sqrt(var / M)
    assert abs(est.var(ddof=1) - var) < 4 * var * np.sqrt(2 / (M - 1))  # ~Gaussian for N = 100
    assert set(np.unique(np.round((est + 1) / 2 * N, 9))) <= set(range(N + 1))  # counts


def test_one_qubit_and_initial_state():
    c = Circuit(1)
    assert c.expval_z(0) == 1.0 and c.n_qubits == 1
    np.testing.assert_array_equal(c.state, [1, 0])
    assert Circuit(1, initial_state=[0, 1]).expval_z(0) == -1.0
    psi0 = np.array([[1, 0], [0, 1j]])
    np.testing.assert_array_equal(Circuit(1, batch_size=2, initial_state=psi0).expval_z(0), [1, -1])


# ---------------------------------------------------------------------------
# The parameter-shift rule
# ---------------------------------------------------------------------------


def test_parameter_shift_is_the_analytic_derivative():
    """One qubit: ⟨Z⟩ after R_Y(a) is cos a; after R_X(b) R_Y(a) it is cos a cos b."""
    f1 = lambda t: Circuit(1).ry(0, t[0]).expval_z(0)  # noqa: E731
    f2 = lambda t: Circuit(1).ry(0, t[0]).rx(0, t[1]).expval_z(0)  # noqa: E731
    for a in np.linspace(-3, 3, 7):
        assert abs(parameter_shift_grad(f1, [a])[0] + np.sin(a)) < TIGHT
        b = 0.3 - a
        want = [-np.sin(a) * np.cos(b), -np.cos(a) * np.sin(b)]
        np.testing.assert_allclose(parameter_shift_grad(f2, [a, b]), want, atol=TIGHT)


@pytest.mark.parametrize("shift", [0.1, 1.0, np.pi / 2, 2.5])
def test_parameter_shift_equals_central_differences(shift):
    """Each θ_k enters one rotation, so f = α + β cos θ_k + γ sin θ_k in θ_k and the central
    difference with step h is exactly (sin h / h) ∂f/∂θ_k; in float64 it adds rounding of about
    one ε per gate in each value of f, divided by h. Any shift gives the same exact gradient."""
    n, P = 3, 12
    rng = np.random.default_rng(14)
    theta = rng.uniform(-np.pi, np.pi, P)
    f = lambda t: random_circuit(t, n, seed=15).expval_z((0, 2))  # noqa: E731
    ps = parameter_shift_grad(f, theta, shift=shift)
    h = 1e-3
    E = np.eye(P) * h
    cd = np.array([(f(theta + E[k]) - f(theta - E[k])) / (2 * h) for k in range(P)])
    rounding = random_circuit(theta, n, seed=15).n_gates * EPS / h
    np.testing.assert_allclose(cd, ps * np.sin(h) / h, rtol=0, atol=rounding)
    assert np.abs(cd - ps).max() <= h**2 / 6 + rounding  # |1 − sin h/h| ≤ h²/6, |∂f| ≤ 1
    assert np.abs(cd - ps).max() > 10 * rounding  # the truncation error is visible above rounding
    assert np.abs(ps).max() > 0.01, "a zero gradient would make this comparison vacuous"


def test_parameter_shift_on_batched_outputs():
    """f returning one value per data point gives the (P, B) Jacobian."""
    x = np.linspace(-1, 1, 4)

    def f(t):
        return (
            Circuit(2, batch_size=len(x))
            .ry(0, x)
            .ry(1, t[0])
            .cnot(0, 1)
            .rz(1, t[1])
            .ry(1, t[2])
            .expval_z(1)
        )

    theta = np.array([0.2, -0.5, 1.1])
    J = parameter_shift_grad(f, theta)
    assert J.shape == (3, 4)
    for i, xi in enumerate(x):

        def g(t, xi=xi):
            return Circuit(2).ry(0, xi).ry(1, t[0]).cnot(0, 1).rz(1, t[1]).ry(1, t[2]).expval_z(1)

        np.testing.assert_allclose(J[:, i], parameter_shift_grad(g, theta), atol=TIGHT)


def test_parameter_shift_needs_one_gate_per_parameter():
    """A parameter used by two gates: ⟨Z⟩ = cos 2θ, whose derivative −2 sin 2θ the single
    π/2 shift misses (it returns (cos(2θ+π) − cos(2θ−π))/2 = 0): the rule's condition matters."""
    f = lambda t: Circuit(1).ry(0, t[0]).ry(0, t[0]).expval_z(0)  # noqa: E731
    theta = 0.4
    assert abs(parameter_shift_grad(f, [theta])[0]) < TIGHT
    assert abs(-2 * np.sin(2 * theta)) > 1


# ---------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="n_qubits must be >= 1"):
        Circuit(0)
    with pytest.raises(TypeError, match="n_qubits must be an integer"):
        Circuit(2.5)
    with pytest.raises(ValueError, match="2\\^40 complex entries"):
        Circuit(40)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        Circuit(2, batch_size=0)
    with pytest.raises(ValueError, match="qubit must be a qubit index in 0..1, got 2"):
        Circuit(2).ry(2, 0.1)
    with pytest.raises(TypeError, match="qubit must be an integer qubit index"):
        Circuit(2).ry(0.0, 0.1)
    with pytest.raises(ValueError, match="control and target must differ"):
        Circuit(2).cnot(1, 1)
    with pytest.raises(ValueError, match="theta contains 1 NaN"):
        Circuit(2).rz(0, np.nan)
    with pytest.raises(ValueError, match="not batched"):
        Circuit(2).rx(0, [0.1, 0.2])
    with pytest.raises(ValueError, match="batch_size=3 angles, got shape \\(2,\\)"):
        Circuit(2, batch_size=3).rx(0, [0.1, 0.2])
    with pytest.raises(ValueError, match="gate must be unitary"):
        Circuit(1).apply([[1, 1], [1, -1]], 0)  # the Hadamard without its 1/√2
    with pytest.raises(ValueError, match="gate on 2 qubit\\(s\\) must have shape \\(4, 4\\)"):
        Circuit(2).apply(np.eye(2), (0, 1))
    with pytest.raises(ValueError, match="qubits must be distinct"):
        Circuit(2).apply(np.eye(4), (1, 1))
    with pytest.raises(ValueError, match="qubits must name 1 or 2 qubits, got 3"):
        Circuit(3).apply(np.eye(8), (0, 1, 2))
    with pytest.raises(ValueError, match="initial_state must have norm 1"):
        Circuit(1, initial_state=[1, 1])
    with pytest.raises(ValueError, match="initial_state must have shape \\(4,\\)"):
        Circuit(2, initial_state=[1, 0])
    with pytest.raises(ValueError, match="qubit must not repeat"):
        Circuit(2).expval_z((0, 0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        Circuit(1).expval_z(0, shots=10)
    with pytest.raises(ValueError, match="rng is only used with shots"):
        Circuit(1).expval_z(0, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="shots must be >= 1"):
        Circuit(1).expval_z(0, shots=0, rng=np.random.default_rng(0))


def test_parameter_shift_errors():
    f = lambda t: Circuit(1).ry(0, t[0]).expval_z(0)  # noqa: E731
    with pytest.raises(TypeError, match="f must be callable"):
        parameter_shift_grad(1.0, [0.1])
    with pytest.raises(ValueError, match="params must be 1-d"):
        parameter_shift_grad(f, [[0.1]])
    with pytest.raises(ValueError, match="params contains 1 NaN"):
        parameter_shift_grad(f, [np.nan])
    with pytest.raises(ValueError, match="shift must be > 0"):
        parameter_shift_grad(f, [0.1], shift=0)
    with pytest.raises(ValueError, match="shift must be < 3.14"):
        parameter_shift_grad(f, [0.1], shift=np.pi)
    with pytest.raises(ValueError, match="f must return real expectation values"):
        parameter_shift_grad(lambda t: 1j * t[0], [0.1])
    with pytest.raises(ValueError, match="f returned NaN"):
        parameter_shift_grad(lambda t: np.nan, [0.1])
    with pytest.raises(TypeError, match="f must return real numbers"):
        parameter_shift_grad(lambda t: "x", [0.1])
    with pytest.raises(ValueError, match="same shape"):
        parameter_shift_grad(lambda t: np.ones(1 + int(t[1] > 0)), [0.0, -1.0])


def test_docstring_examples_run():
    """The module docstring's Bell-state and cos θ examples print what they say."""
    result = doctest.testmod(quantum)
    assert result.attempted >= 5 and result.failed == 0, result
