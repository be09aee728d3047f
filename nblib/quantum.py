"""Quantum circuits as state vectors (Chapter 11), from scratch in NumPy.

An n-qubit state is a unit vector ψ ∈ ℂ^(2^n). Qubit 0 is the most significant bit:
basis state |b₀ b₁ … b_{n−1}⟩ sits at index Σ_q b_q 2^(n−1−q), so the state of
independent qubits is the Kronecker product ψ₀ ⊗ ψ₁ ⊗ … (``np.kron(psi0, psi1)``, as in
the textbooks) and a gate U on qubit q is I ⊗ … ⊗ U ⊗ … ⊗ I with U in position q.

- :class:`Circuit`: a state vector starting in |0…0⟩, with rotations

  .. math::  R_P(θ) = exp(−iθP/2) = cos(θ/2) I − i sin(θ/2) P,   P ∈ {X, Y, Z}     (q.1)

  (:meth:`~Circuit.rx`, :meth:`~Circuit.ry`, :meth:`~Circuit.rz`), the two-qubit gates
  CNOT and CZ, any other unitary (:meth:`~Circuit.apply`), and the expectation
  ⟨Z_q⟩ = ⟨ψ|Z_q|ψ⟩ = Σ_b (−1)^(b_q) |ψ_b|² (:meth:`~Circuit.expval_z`; a tuple of
  qubits gives the product of their Z's). A gate is applied by viewing ψ as an array of
  shape (2^q, 2, 2^(n−q−1)), which splits out qubit q's bit (for two qubits, both bits),
  and contracting that axis with the gate (``np.einsum``), so the 2^n × 2^n matrix is
  never built: O(2^n) work per gate instead of O(4^n).
  ``batch_size=B`` simulates B circuits at once (one angle per circuit), e.g. one per
  data point of a classifier.
- :func:`parameter_shift_grad`: the gradient of f(θ) = ⟨ψ(θ)|O|ψ(θ)⟩ when each θ_k
  enters one gate exp(−iθ_k P_k/2) with P_k² = I. Then f is a trigonometric polynomial
  a + b cos θ_k + c sin θ_k in θ_k, and for any shift s with sin s ≠ 0

  .. math::  ∂f/∂θ_k = [f(θ + s e_k) − f(θ − s e_k)] / (2 sin s)                    (q.2)

  exactly (Mitarai et al. 2018; Schuld et al. 2019); s = π/2 gives (f₊ − f₋)/2. Unlike
  a finite difference it has no truncation error, and on hardware it needs only two
  more runs of the same circuit.
- :func:`rx_matrix`, :func:`ry_matrix`, :func:`rz_matrix`, :data:`CNOT`, :data:`CZ`:
  the gate matrices, for building the full 2^n × 2^n operator by hand on a few qubits.

Example (doctest)::

    >>> bell = Circuit(2).ry(0, np.pi / 2).cnot(0, 1)  # (|00⟩ + |11⟩)/√2
    >>> np.round(bell.state.real, 4).tolist()
    [0.7071, 0.0, 0.0, 0.7071]
    >>> round(bell.expval_z(0), 12), round(bell.expval_z((0, 1)), 12)
    (0.0, 1.0)
    >>> f = lambda t: Circuit(1).ry(0, t[0]).expval_z(0)  # cos θ
    >>> np.round(parameter_shift_grad(f, [np.pi / 6]), 12).tolist()  # −sin(π/6)
    [-0.5]

No quantum SDK is needed: ``tests/test_quantum.py`` checks every gate against the
explicit Kronecker-product matrices (with R_P(θ) from ``scipy.linalg.expm``), the
expectations against Tr(ρ Z_q), and the parameter-shift gradient against central
differences and closed forms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._validate import as_float_array, check_scalar

__all__ = [
    "CNOT",
    "CZ",
    "Circuit",
    "parameter_shift_grad",
    "rx_matrix",
    "ry_matrix",
    "rz_matrix",
]

#: CNOT on (control, target) = (first, second) qubit of the 4 × 4 block, basis |c t⟩.
CNOT = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=complex)
#: Controlled-Z: diag(1, 1, 1, −1), symmetric in its two qubits.
CZ = np.diag([1, 1, 1, -1]).astype(complex)

#: Largest state held, in complex entries (batch × 2^n): 2^26 entries are 1 GiB.
_MAX_ENTRIES = 2**26
#: A gate U must satisfy max|U†U − I| ≤ this: matrices from expm or products of float64
#: entries are unitary to ~1e-15, while a typo (a missing 1/√2) is off by O(1).
_UNITARY_TOL = 1e-10
#: |‖ψ‖² − 1| allowed: each gate adds a few float64 roundings (~1e-16) to the norm, so
#: even 10⁶ gates stay far below; more means the state was not a unit vector.
_NORM_TOL = 1e-9


def _angles(theta: Any, name: str = "theta") -> np.ndarray:
    """θ as a float64 array (scalar or 1-d), finite."""
    arr = as_float_array(theta, name, ndim=(0, 1)).astype(np.float64, copy=False)
    return arr


def _rotation_matrix(theta: np.ndarray, p: str) -> np.ndarray:
    """R_P(θ) = cos(θ/2) I − i sin(θ/2) P (eq. q.1) for checked angles: (2, 2) or (B, 2, 2)."""
    t = theta / 2
    c, s = np.cos(t), np.sin(t)
    out = np.empty(t.shape + (2, 2), dtype=complex)
    if p == "x":
        out[..., 0, 0] = out[..., 1, 1] = c
        out[..., 0, 1] = out[..., 1, 0] = -1j * s
    elif p == "y":
        out[..., 0, 0] = out[..., 1, 1] = c
        out[..., 0, 1], out[..., 1, 0] = -s, s
    else:
        out[..., 0, 0], out[..., 1, 1] = c - 1j * s, c + 1j * s
        out[..., 0, 1] = out[..., 1, 0] = 0
    return out


def rx_matrix(theta: Any) -> np.ndarray:
    """R_X(θ) = exp(−iθX/2) = [[cos θ/2, −i sin θ/2], [−i sin θ/2, cos θ/2]] (eq. q.1).

    A 1-d ``theta`` of length B gives a (B, 2, 2) stack.
    """
    return _rotation_matrix(_angles(theta), "x")


def ry_matrix(theta: Any) -> np.ndarray:
    """R_Y(θ) = exp(−iθY/2) = [[cos θ/2, −sin θ/2], [sin θ/2, cos θ/2]] (eq. q.1), real."""
    return _rotation_matrix(_angles(theta), "y")


def rz_matrix(theta: Any) -> np.ndarray:
    """R_Z(θ) = exp(−iθZ/2) = diag(e^(−iθ/2), e^(iθ/2)) (eq. q.1)."""
    return _rotation_matrix(_angles(theta), "z")


class Circuit:
    """An n-qubit state vector, |0…0⟩ at the start, changed in place by gates.

    Qubit 0 is the most significant bit (module docstring): ``Circuit(2).ry(0, θ)``
    prepares R_Y(θ)|0⟩ ⊗ |0⟩ = ``np.kron(ry_matrix(θ) @ [1, 0], [1, 0])``. Gate methods
    return the circuit, so calls chain: ``Circuit(2).ry(0, np.pi / 2).cnot(0, 1)`` is a
    Bell state (|00⟩ + |11⟩)/√2.

    ``batch_size=B`` holds B independent states (all |0…0⟩ at the start); each rotation
    angle is then a scalar (the same for all) or an array of B angles, and
    :meth:`expval_z` returns B values. ``initial_state`` (2^n or (B, 2^n) complex, each
    of norm 1) replaces |0…0⟩.
    """

    def __init__(
        self,
        n_qubits: int,
        *,
        batch_size: int | None = None,
        initial_state: Any = None,
    ) -> None:
        n = check_scalar(n_qubits, "n_qubits", low=1, integer=True)
        self.n_qubits = int(n)
        self.batched = batch_size is not None
        B = 1 if batch_size is None else check_scalar(batch_size, "batch_size", low=1, integer=True)
        self.batch_size = int(B)
        if self.n_qubits > 60 or self.batch_size * 2**self.n_qubits > _MAX_ENTRIES:
            raise ValueError(
                f"n_qubits={self.n_qubits} with batch_size={self.batch_size} needs "
                f"{self.batch_size} x 2^{self.n_qubits} complex entries, more than the "
                f"{_MAX_ENTRIES} (1 GiB) this simulator holds"
            )
        dim = 2**self.n_qubits
        if initial_state is None:
            psi = np.zeros((self.batch_size, dim), dtype=complex)
            psi[:, 0] = 1.0
        else:
            psi = np.asarray(initial_state)
            if psi.dtype.kind not in "biufc":
                raise TypeError(f"initial_state must be numeric, got dtype {psi.dtype}")
            want = (self.batch_size, dim) if self.batched else (dim,)
            if psi.shape != want:
                raise ValueError(
                    f"initial_state must have shape {want} for n_qubits={self.n_qubits}"
                    f"{f' and batch_size={self.batch_size}' if self.batched else ''}, "
                    f"got {psi.shape}"
                )
            if not np.isfinite(psi).all():
                raise ValueError("initial_state contains NaN or infinite values")
            psi = psi.astype(complex).reshape(self.batch_size, dim)
            norms = np.sum(np.abs(psi) ** 2, axis=1)
            bad = np.flatnonzero(np.abs(norms - 1) > _NORM_TOL)
            if bad.size:
                raise ValueError(
                    f"initial_state must have norm 1, got squared norm {norms[bad[0]]!r}"
                    f"{f' in row {bad[0]}' if self.batched else ''}"
                )
        self._psi = psi  # (B, 2^n), C-contiguous: reshapes in _contract are views
        self.n_gates = 0  #: gates applied so far

    # -- checks --------------------------------------------------------------------

    def _qubit(self, q: Any, name: str) -> int:
        if isinstance(q, bool) or not isinstance(q, (int, np.integer)):
            raise TypeError(f"{name} must be an integer qubit index, got {type(q).__name__}")
        if not 0 <= q < self.n_qubits:
            raise ValueError(
                f"{name} must be a qubit index in 0..{self.n_qubits - 1}, got {int(q)}"
            )
        return int(q)

    def _batch_angles(self, theta: Any) -> np.ndarray:
        t = _angles(theta)
        if t.ndim == 1 and (not self.batched or len(t) != self.batch_size):
            raise ValueError(
                f"theta must be a scalar{f' or hold batch_size={self.batch_size} angles' if self.batched else ' (this circuit is not batched)'}, "
                f"got shape {t.shape}"
            )
        return t

    # -- gates ---------------------------------------------------------------------

    def apply(self, gate: Any, qubits: int | Sequence[int]) -> Circuit:
        """Apply a unitary to one qubit (2 × 2) or two (4 × 4, basis |q₀ q₁⟩ in the given order).

        A batched circuit also takes a (B, 2, 2) or (B, 4, 4) stack, one gate per state.
        The gate must be unitary (max|U†U − I| ≤ 1e-10); ψ is never expanded to a matrix.
        """
        qs = (qubits,) if isinstance(qubits, (int, np.integer)) else tuple(qubits)
        if len(qs) not in (1, 2):
            raise ValueError(f"qubits must name 1 or 2 qubits, got {len(qs)}")
        qs = tuple(self._qubit(q, "qubits") for q in qs)
        if len(set(qs)) != len(qs):
            raise ValueError(f"qubits must be distinct, got {qs}")
        U = np.asarray(gate)
        if U.dtype.kind not in "biufc":
            raise TypeError(f"gate must be a numeric matrix, got dtype {U.dtype}")
        d = 2 ** len(qs)
        if U.shape not in ((d, d), (self.batch_size, d, d)) or (U.ndim == 3 and not self.batched):
            want = f"({d}, {d})" + (f" or ({self.batch_size}, {d}, {d})" if self.batched else "")
            raise ValueError(f"gate on {len(qs)} qubit(s) must have shape {want}, got {U.shape}")
        U = U.astype(complex)
        if not np.isfinite(U).all():
            raise ValueError("gate contains NaN or infinite values")
        err = np.abs(np.conj(np.swapaxes(U, -1, -2)) @ U - np.eye(d)).max()
        if err > _UNITARY_TOL:
            raise ValueError(f"gate must be unitary, got max|U^dagger U - I| = {err:.3g}")
        self._contract(U, qs)
        return self

    def _contract(self, U: np.ndarray, qs: tuple[int, ...]) -> None:
        """ψ ← U acting on qubits ``qs`` (no checks).

        ψ is kept as a (B, 2^n) array; the gate sees it through a reshape that splits out
        the bits of its qubits, (B, 2^q, 2, 2^(n−q−1)) for one qubit (a view, no copy), and
        ``np.einsum`` contracts those axes with the gate's input indices.
        """
        n, B = self.n_qubits, self.batch_size
        b = "b" if U.ndim == 3 else ""  # one gate per state, or one for all
        if len(qs) == 1:
            (q,) = qs
            view = self._psi.reshape(B, 2**q, 2, 2 ** (n - q - 1))
            out = np.einsum(f"{b}ij,bljr->blir", U, view)
        else:
            lo, hi = sorted(qs)
            G = U.reshape(U.shape[:-2] + (2, 2, 2, 2))  # G[i, j, k, l] = U[(i j), (k l)]
            if qs[0] > qs[1]:  # the gate's first qubit is the lower bit: swap its two qubits
                G = np.swapaxes(np.swapaxes(G, -4, -3), -2, -1)
            view = self._psi.reshape(B, 2**lo, 2, 2 ** (hi - lo - 1), 2, 2 ** (n - hi - 1))
            out = np.einsum(f"{b}ijkl,bxkylz->bxiyjz", G, view)
        self._psi = out.reshape(B, 2**n)
        self.n_gates += 1

    def _rotation(self, p: str, qubit: Any, theta: Any) -> Circuit:
        q = self._qubit(qubit, "qubit")
        self._contract(_rotation_matrix(self._batch_angles(theta), p), (q,))
        return self

    def rx(self, qubit: int, theta: Any) -> Circuit:
        """Apply R_X(θ) = exp(−iθX/2) to ``qubit`` (eq. q.1)."""
        return self._rotation("x", qubit, theta)

    def ry(self, qubit: int, theta: Any) -> Circuit:
        """Apply R_Y(θ) = exp(−iθY/2) to ``qubit`` (eq. q.1)."""
        return self._rotation("y", qubit, theta)

    def rz(self, qubit: int, theta: Any) -> Circuit:
        """Apply R_Z(θ) = exp(−iθZ/2) to ``qubit`` (eq. q.1)."""
        return self._rotation("z", qubit, theta)

    def _two(self, U: np.ndarray, a: Any, b: Any, names: tuple[str, str]) -> Circuit:
        qa, qb = self._qubit(a, names[0]), self._qubit(b, names[1])
        if qa == qb:
            raise ValueError(f"{names[0]} and {names[1]} must differ, both are {qa}")
        self._contract(U, (qa, qb))
        return self

    def cnot(self, control: int, target: int) -> Circuit:
        """Flip ``target`` where ``control`` is 1: |c t⟩ ↦ |c, t ⊕ c⟩."""
        return self._two(CNOT, control, target, ("control", "target"))

    def cz(self, a: int, b: int) -> Circuit:
        """Multiply the amplitudes with both qubits equal to 1 by −1."""
        return self._two(CZ, a, b, ("a", "b"))

    # -- readout -------------------------------------------------------------------

    def _checked_probs(self) -> np.ndarray:
        p = np.abs(self._psi) ** 2
        norms = p.sum(axis=1)
        drift = float(np.abs(norms - 1).max())
        if drift > _NORM_TOL:
            raise RuntimeError(f"the state is no longer normalized: |norm^2 - 1| = {drift:.3g}")
        return p

    @property
    def state(self) -> np.ndarray:
        """A copy of ψ: shape (2^n,), or (B, 2^n) for a batched circuit."""
        self._checked_probs()
        psi = self._psi.copy()
        return psi if self.batched else psi[0]

    def probabilities(self) -> np.ndarray:
        """|ψ_b|², the Born-rule probabilities of the 2^n outcomes (per state if batched)."""
        p = self._checked_probs()
        return p if self.batched else p[0]

    def expval_z(
        self,
        qubit: int | Sequence[int],
        *,
        shots: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> float | np.ndarray:
        """⟨Z_q⟩ = Σ_b (−1)^(b_q) |ψ_b|²; a tuple of qubits gives ⟨Π_q Z_q⟩.

        Exact by default. With ``shots=N`` (and a seeded ``rng``) it is the average of N
        simulated ±1 measurements, as hardware reports it: unbiased, variance
        (1 − ⟨Z⟩²)/N. Returns a float, or B floats for a batched circuit.
        """
        qs = (qubit,) if isinstance(qubit, (int, np.integer)) else tuple(qubit)
        if not qs:
            raise ValueError("qubit must name at least one qubit")
        qs = tuple(self._qubit(q, "qubit") for q in qs)
        if len(set(qs)) != len(qs):
            raise ValueError(f"qubit must not repeat a qubit, got {qs}")
        weighted = self._checked_probs().reshape((self.batch_size,) + (2,) * self.n_qubits)
        for q in qs:
            sign = np.ones(self.n_qubits + 1, dtype=int)
            sign[q + 1] = 2
            weighted = weighted * np.array([1.0, -1.0]).reshape(sign)
        z = np.clip(weighted.reshape(self.batch_size, -1).sum(axis=1), -1.0, 1.0)
        if shots is not None:
            shots = check_scalar(shots, "shots", low=1, integer=True)
            if not isinstance(rng, np.random.Generator):
                raise TypeError(
                    f"rng must be a numpy.random.Generator when shots is given, "
                    f"got {type(rng).__name__}"
                )
            plus = rng.binomial(shots, (1 + z) / 2)  # outcomes +1 among the shots
            z = 2 * plus / shots - 1
        elif rng is not None:
            raise ValueError("rng is only used with shots; pass shots=N or leave rng out")
        return z if self.batched else float(z[0])

    def __repr__(self) -> str:
        batch = f", batch_size={self.batch_size}" if self.batched else ""
        return f"Circuit(n_qubits={self.n_qubits}{batch}; {self.n_gates} gates applied)"


def _as_values(value: Any, where: str) -> np.ndarray:
    """f's output as a finite real float64 array (a tiny imaginary rounding is dropped)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"f must return real numbers, got dtype {arr.dtype} at {where}")
    if arr.dtype.kind == "c":
        if np.abs(arr.imag).max(initial=0.0) > 1e-12:
            raise ValueError(
                f"f must return real expectation values, got imaginary part "
                f"{np.abs(arr.imag).max():.3g} at {where}"
            )
        arr = arr.real
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"f returned NaN or infinite values at {where}")
    return arr


def parameter_shift_grad(
    f: Callable[[np.ndarray], Any], params: Any, *, shift: float = np.pi / 2
) -> np.ndarray:
    """∂f/∂θ by the parameter-shift rule (eq. q.2): [f(θ + s e_k) − f(θ − s e_k)] / (2 sin s).

    Exact when every parameter θ_k enters a single gate exp(−iθ_k P_k/2) with P_k² = I
    (R_X, R_Y, R_Z); a parameter used by several gates needs the rule applied to each use.
    ``f`` maps a 1-d parameter vector to an expectation value, or to an array of them (a
    batch of data points): the result then has shape ``params.shape + f(params).shape``.
    Costs 2·len(params) calls of ``f``; ``shift`` s in (0, π).
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    theta = as_float_array(params, "params", ndim=1).astype(np.float64, copy=False)
    s = check_scalar(shift, "shift", low=0, high=np.pi, low_inclusive=False, high_inclusive=False)
    denom = 2 * np.sin(s)
    grads = []
    for k in range(len(theta)):
        step = np.zeros_like(theta)
        step[k] = s
        plus = _as_values(f(theta + step), f"params + shift*e_{k}")
        minus = _as_values(f(theta - step), f"params - shift*e_{k}")
        if plus.shape != minus.shape or (grads and plus.shape != grads[0].shape):
            raise ValueError(f"f must return the same shape for every params, got {plus.shape}")
        grads.append((plus - minus) / denom)
    return np.stack(grads)
