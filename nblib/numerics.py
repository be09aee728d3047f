"""Finite precision (Chapter 11): rounding to small formats, compensated sums, quantization.

A binary floating-point format with p significand bits (the leading one included) and
exponent range [e_min, e_max] holds the numbers ±m·2^(e − p + 1) with integer 0 ≤ m < 2^p,
e_min ≤ e ≤ e_max (subnormals: e = e_min and m < 2^(p−1)). Its unit roundoff is
u = 2^−p (half the machine epsilon ε = 2^(1−p)), and round to nearest gives
fl(x) = x(1 + δ) with |δ| ≤ u for every x in the normal range (IEEE 754, Higham 2002 §2.2).

- :func:`round_to`: x ↦ the nearest float16 / bfloat16 / float32 number, ties to even,
  overflow to ±inf, gradual underflow through the subnormals, NaN kept; returned as float64.
  Peers: ``np.float16``, ``ml_dtypes.bfloat16``, ``np.float32`` (bit for bit).
- :func:`format_info`: p, e_min, e_max, ε, u, the largest finite, the smallest normal and
  the smallest subnormal of a format, from those three integers. Peers: ``np.finfo``,
  ``ml_dtypes.finfo``.
- :func:`kahan_sum`: compensated summation, Neumaier's (1974) variant of Kahan's (1965)
  algorithm by default. Error bounds for n terms (Higham 2002, §4.2-4.3):
  recursive (naive) summation |Ŝ − S| ≤ (n − 1)u Σ|xᵢ| + O(u²); compensated
  |Ŝ − S| ≤ 2u Σ|xᵢ| + O(n u²) Σ|xᵢ|, independent of n to first order, and for Neumaier's
  |Ŝ − S| ≤ u|S| + γ²_{n−1} Σ|xᵢ| (Ogita, Rump & Oishi 2005). Peer: ``math.fsum``
  (correctly rounded).
- :func:`quantize`: uniform b-bit quantization, x ↦ Δ·round(x/Δ) (symmetric, Δ = max|x| /
  (2^(b−1) − 1)) or Δ·(round(x/Δ + z) − z) with an integer zero point z (asymmetric); the
  error is at most Δ/2, and for inputs spread over many steps it is close to uniform on
  [−Δ/2, Δ/2] with variance Δ²/12 (Widrow & Kollár 2008). Returns the dequantized values
  and Δ.

``tests/test_numerics.py`` checks each against its peer and against these bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validate import as_float_array, check_choice, check_scalar

__all__ = ["FORMATS", "FloatFormat", "format_info", "kahan_sum", "quantize", "round_to"]


@dataclass(frozen=True)
class FloatFormat:
    """A binary floating-point format: ``p`` significand bits, exponents ``emin``…``emax``."""

    name: str
    p: int
    emin: int
    emax: int

    @property
    def eps(self) -> float:
        """Machine epsilon ε = 2^(1−p): the gap from 1 to the next number."""
        return 2.0 ** (1 - self.p)

    @property
    def unit_roundoff(self) -> float:
        """u = ε/2 = 2^−p: the largest relative error of round to nearest (normal range)."""
        return 2.0**-self.p

    @property
    def max(self) -> float:
        """The largest finite number (2 − ε)·2^emax."""
        return (2.0 - self.eps) * 2.0**self.emax

    @property
    def smallest_normal(self) -> float:
        """2^emin."""
        return 2.0**self.emin

    @property
    def smallest_subnormal(self) -> float:
        """2^(emin − p + 1)."""
        return 2.0 ** (self.emin - self.p + 1)


#: IEEE 754 binary16 and binary32, and Google Brain's bfloat16 (float32's exponent range,
#: 8 significand bits).
FORMATS: dict[str, FloatFormat] = {
    "float16": FloatFormat("float16", p=11, emin=-14, emax=15),
    "bfloat16": FloatFormat("bfloat16", p=8, emin=-126, emax=127),
    "float32": FloatFormat("float32", p=24, emin=-126, emax=127),
}


def format_info(fmt: str) -> FloatFormat:
    """The :class:`FloatFormat` named ``fmt`` ("float16", "bfloat16" or "float32")."""
    return FORMATS[check_choice(fmt, "fmt", tuple(FORMATS))]


def round_to(x: Any, fmt: str) -> np.ndarray:
    """Round ``x`` to the nearest number of format ``fmt``, ties to even, as float64 values.

    With e = max(⌊log₂|x|⌋, e_min) the exponent of x (clamped at e_min, which gives the
    subnormals their fixed spacing) and q = 2^(e − p + 1) the spacing of the format there,
    fl(x) = q · round_half_even(x / q); x/q is exact in float64 (a power-of-two scaling) and
    has at most p + 1 integer bits, so the only rounding is the one intended. A result above
    the largest finite number is ±inf (so x ≥ max + q/2 overflows, the tie going to the
    "even" infinity, as IEEE 754 says); NaN and ±inf pass through, and the sign of zero is
    kept. Matches ``np.float16`` and ``ml_dtypes.bfloat16`` casts from float64 bit for bit
    (both round once, from the float64 value, never through float32).

    >>> round_to([1 + 2**-8, 1 + 3 * 2**-8, 70000.0], "bfloat16").tolist()
    [1.0, 1.015625, 70144.0]
    """
    f = format_info(fmt)
    arr = as_float_array(x, "x", finite=False, nonempty=False).astype(np.float64)
    out = arr.copy()
    finite = np.isfinite(arr) & (arr != 0)
    v = arr[finite]
    _, E = np.frexp(v)  # v = m·2^E with 0.5 ≤ |m| < 1, so ⌊log₂|v|⌋ = E − 1
    e = np.maximum(E - 1, f.emin)
    q = np.ldexp(1.0, e - f.p + 1)
    r = np.round(v / q) * q  # np.round rounds halves to even
    r[np.abs(r) > f.max] = np.inf * np.sign(r[np.abs(r) > f.max])
    out[finite] = np.where(r == 0, np.copysign(0.0, v), r)
    return out


def kahan_sum(x: Any, variant: str = "neumaier") -> float:
    """The sum of the entries of ``x`` with compensated summation, in float64.

    Kahan (1965) carries the rounding error of each addition in a correction c and feeds
    it back into the next term: y = xᵢ − c, t = s + y, c = (t − s) − y, s = t. Neumaier's
    (1974) variant (``variant="neumaier"``, the default) also catches the error when the
    new term is larger than the running sum, where Kahan's loses it (e.g. [1, 1e100, 1,
    −1e100]): t = s + xᵢ; c += (s − t) + xᵢ if |s| ≥ |xᵢ| else (xᵢ − t) + s; s = t; and
    returns s + c. Both satisfy |Ŝ − S| ≤ 2u Σ|xᵢ| + O(n u²) Σ|xᵢ| (u = 2^−53), and
    Neumaier's the sharper |Ŝ − S| ≤ u|S| + γ²_{n−1} Σ|xᵢ| with γ_k = ku/(1 − ku) (it is
    Ogita, Rump & Oishi's 2005 Sum2: as if summed in twice the precision, then rounded), against
    (n − 1)u Σ|xᵢ| for the plain left-to-right sum and about ⌈log₂ n⌉ u Σ|xᵢ| for numpy's
    pairwise sum. When the sum itself is much smaller than Σ|xᵢ| (an ill-conditioned sum)
    only the compensated sum keeps a few correct digits; ``math.fsum`` is exact, rounded
    once. The loop is sequential (each step needs the last), so it runs in Python: about
    10⁶ terms a second.

    >>> kahan_sum([1.0, 1e100, 1.0, -1e100])
    2.0
    """
    arr = as_float_array(x, "x", nonempty=False).astype(np.float64).ravel()
    check_choice(variant, "variant", ("neumaier", "kahan"))
    s = c = 0.0
    if variant == "kahan":
        for xi in arr.tolist():
            y = xi - c
            t = s + y
            c = (t - s) - y
            s = t
        return s
    for xi in arr.tolist():
        t = s + xi
        if abs(s) >= abs(xi):
            c += (s - t) + xi
        else:
            c += (xi - t) + s
        s = t
    total = s + c
    if not math.isfinite(total):
        raise ValueError("the sum of x overflows float64 (|sum| > 1.8e308)")
    return total


def quantize(
    x: Any, bits: int, symmetric: bool = True, *, scale: float | None = None
) -> tuple[np.ndarray, float]:
    """Uniform ``bits``-bit quantization of ``x``: returns (dequantized values, step Δ).

    Symmetric (signed codes −(2^(b−1) − 1) … 2^(b−1) − 1, zero at code 0):
    Δ = max|x| / (2^(b−1) − 1) and x̂ = Δ · clip(round(x/Δ)). Asymmetric (codes 0 … 2^b − 1):
    the range [min(x, 0), max(x, 0)] (it always contains 0, so that 0 is exact) is cut into
    2^b − 1 steps, Δ = (hi − lo) / (2^b − 1), the zero point z = round(−lo/Δ) is an integer
    and x̂ = Δ · (clip(round(x/Δ) + z) − z). Rounding is half to even (``np.round``, as
    ``torch.quantize_per_tensor``). Every |x̂ − x| ≤ Δ/2 when Δ comes from x; pass ``scale``
    to fix Δ instead (values beyond the codes are then clipped). An all-zero ``x`` gives
    x̂ = 0 with Δ = 1.

    >>> quantize([-1.0, 0.3, 0.6], bits=3)
    (array([-1.        ,  0.33333333,  0.66666667]), 0.3333333333333333)
    """
    arr = as_float_array(x, "x").astype(np.float64)
    b = check_scalar(bits, "bits", low=1 if not symmetric else 2, high=32, integer=True)
    if not isinstance(symmetric, bool | np.bool_):
        raise TypeError(f"symmetric must be True or False, got {type(symmetric).__name__}")
    if symmetric:
        qmin, qmax = -(2 ** (b - 1) - 1), 2 ** (b - 1) - 1
        lo = hi = 0.0
        span = float(np.max(np.abs(arr))) / qmax
    else:
        qmin, qmax = 0, 2**b - 1
        lo, hi = min(float(arr.min()), 0.0), max(float(arr.max()), 0.0)
        span = (hi - lo) / qmax
    if scale is not None:
        delta = check_scalar(scale, "scale", low=0, low_inclusive=False)
    else:
        delta = span if span > 0 else 1.0
    if not math.isfinite(delta) or delta == 0:
        raise ValueError(f"the range of x is too wide for float64: step {delta!r}")
    zero = 0.0 if symmetric else float(np.clip(np.round(-lo / delta), qmin, qmax))
    codes = np.clip(np.round(arr / delta) + zero, qmin, qmax)
    return (codes - zero) * delta, delta
