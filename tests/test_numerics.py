"""nblib.numerics against its peers and theorems: round_to bit for bit against np.float16,
ml_dtypes.bfloat16 and np.float32 (exhaustively over every 16-bit pattern and every tie
between neighbours, and on random values across the whole exponent range); format_info
against np.finfo / ml_dtypes.finfo; kahan_sum against math.fsum within the Ogita–Rump–Oishi
bound; quantize against the Δ/2 bound, the Δ²/12 noise variance and torch's quantizer."""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest

from nblib.numerics import FORMATS, format_info, kahan_sum, quantize, round_to

PEERS = {"float16": np.float16, "bfloat16": ml_dtypes.bfloat16, "float32": np.float32}
U = 2.0**-53  # unit roundoff of float64


def bits64(a):
    """The float64 bit patterns: equality of these is equality including -0.0 and NaN payloads."""
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def peer(x, fmt):
    """Cast with the peer library, back to float64 (exact: every format fits in float64)."""
    with np.errstate(over="ignore"):
        return np.asarray(x).astype(PEERS[fmt]).astype(np.float64)


def all_16bit_values(fmt):
    """Every one of the 2^16 values of a 16-bit format, as float64 (NaNs included)."""
    with np.errstate(invalid="ignore"):  # bfloat16 NaNs cast to float64 NaNs, with a warning
        return np.arange(2**16, dtype=np.uint16).view(PEERS[fmt]).astype(np.float64)


# ---------------------------------------------------------------------------
# format_info
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_format_info_matches_finfo(fmt):
    f, ref = format_info(fmt), ml_dtypes.finfo(PEERS[fmt])
    assert f.eps == float(ref.eps)
    assert f.unit_roundoff == float(ref.eps) / 2
    assert f.max == float(ref.max)
    assert f.smallest_normal == float(ref.smallest_normal)
    assert f.smallest_subnormal == float(ref.smallest_subnormal)
    assert f.p - 1 == ref.nmant


def test_format_info_rejects_unknown_format():
    with pytest.raises(ValueError, match="fmt must be one of 'float16', 'bfloat16'.*got 'fp8'"):
        format_info("fp8")


# ---------------------------------------------------------------------------
# round_to
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["float16", "bfloat16"])
def test_every_16bit_value_is_a_fixed_point(fmt):
    """Rounding a representable number returns it: all 65536 patterns (NaNs stay NaN)."""
    v = all_16bit_values(fmt)
    r = round_to(v, fmt)
    nan = np.isnan(v)
    assert np.isnan(r[nan]).all()
    assert np.array_equal(bits64(r[~nan]), bits64(v[~nan]))


@pytest.mark.parametrize("fmt", ["float16", "bfloat16"])
def test_every_tie_goes_to_even_like_the_peer(fmt):
    """The midpoint of every pair of neighbours (exact in float64) rounds to the one with an
    even last significand bit; one float64 ulp either side rounds to the nearer one."""
    v = all_16bit_values(fmt)
    pos = np.unique(v[np.isfinite(v) & (v >= 0)])  # 0, subnormals, normals, max
    lo, hi = pos[:-1], pos[1:]
    mid = (lo + hi) / 2  # exact: both have at most p bits and the same or adjacent exponents
    for sign in (1.0, -1.0):
        x = sign * mid
        got = round_to(x, fmt)
        assert np.array_equal(bits64(got), bits64(peer(x, fmt)))
        codes = np.abs(got).astype(PEERS[fmt]).view(np.uint16)
        assert np.all(codes % 2 == 0), "a tie went to an odd significand"
        below = round_to(np.nextafter(x, 0), fmt)
        above = round_to(np.nextafter(x, sign * np.inf), fmt)
        assert np.array_equal(np.abs(below), lo) and np.array_equal(np.abs(above), hi)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_random_float64_values_match_the_peer_bit_for_bit(fmt):
    """Random significands over exponents from deep underflow to overflow, both signs."""
    rng = np.random.default_rng(20261206)
    n = 200_000
    x = rng.uniform(1, 2, n) * np.exp2(rng.integers(-160, 140, n)) * rng.choice([-1, 1], n)
    assert np.array_equal(bits64(round_to(x, fmt)), bits64(peer(x, fmt)))


@pytest.mark.parametrize("fmt", ["float16", "bfloat16"])
def test_random_float32_inputs_match_the_peer(fmt):
    """float32 inputs (every finite bit pattern is fair game) round once, as the peer does."""
    rng = np.random.default_rng(7)
    x = rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    x = x[np.isfinite(x)]
    assert np.array_equal(bits64(round_to(x, fmt)), bits64(peer(x, fmt)))


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_edge_values(fmt):
    f = format_info(fmt)
    top_gap = 2.0 ** (f.emax - f.p + 1)  # spacing just below the largest finite number
    tiny = f.smallest_subnormal
    cases = {
        f.max: f.max,
        f.max + top_gap / 2: np.inf,  # tie between max (odd) and 2^(emax+1): overflows
        np.nextafter(f.max + top_gap / 2, 0): f.max,
        -(f.max + top_gap): -np.inf,
        tiny: tiny,
        tiny / 2: 0.0,  # tie between 0 (even) and the smallest subnormal
        np.nextafter(tiny / 2, 1): tiny,
        1.5 * tiny: 2 * tiny,  # tie between 1 (odd) and 2 subnormal steps
        f.smallest_normal - tiny: f.smallest_normal - tiny,  # the largest subnormal
        1 + f.eps / 2: 1.0,
        np.inf: np.inf,
        -np.inf: -np.inf,
        1e-320: 0.0,  # a float64 subnormal
    }
    x = np.array(list(cases))
    got = round_to(x, fmt)
    assert np.array_equal(got, np.array(list(cases.values())))
    assert np.array_equal(bits64(got), bits64(peer(x, fmt)))


def test_signed_zero_nan_and_shape_are_kept():
    x = np.array([[-0.0, 0.0], [np.nan, -1e-30]])
    r = round_to(x, "float16")
    assert r.shape == (2, 2) and r.dtype == np.float64
    assert np.signbit(r[0, 0]) and not np.signbit(r[0, 1]) and np.isnan(r[1, 0])
    assert r[1, 1] == 0 and np.signbit(r[1, 1])  # underflows to -0, as the peer
    assert round_to(3.0, "bfloat16").shape == ()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_relative_error_is_at_most_the_unit_roundoff(fmt):
    """fl(x) = x(1 + δ), |δ| ≤ u = 2^−p, in the normal range (the standard model)."""
    f = format_info(fmt)
    rng = np.random.default_rng(3)
    x = rng.uniform(1, 2, 50_000) * np.exp2(rng.integers(f.emin, f.emax, 50_000))
    delta = np.abs(round_to(x, fmt) - x) / x
    assert delta.max() <= f.unit_roundoff


def test_round_to_rejects_bad_inputs():
    with pytest.raises(ValueError, match="fmt must be one of .* got 'float8'"):
        round_to([1.0], "float8")
    with pytest.raises(TypeError, match="x must be numeric"):
        round_to(["a"], "float16")


# ---------------------------------------------------------------------------
# kahan_sum
# ---------------------------------------------------------------------------


def ill_conditioned(n, cond_log10, rng):
    """Terms whose sum is about 10^-cond_log10 times Σ|xᵢ|: large pairs that nearly cancel."""
    big = rng.standard_normal(n // 2) * np.exp2(rng.integers(0, 40, n // 2))
    small = rng.standard_normal(n - 2 * (n // 2) + n // 2) * 10.0**-cond_log10
    x = np.concatenate([big, -big * (1 + rng.uniform(-1, 1, n // 2) * 1e-12), small])
    return rng.permutation(x)


def test_neumaier_fixes_kahans_blind_spot():
    """A term larger than the running sum: Kahan loses the 1s, Neumaier and fsum keep them."""
    x = [1.0, 1e100, 1.0, -1e100]
    assert math.fsum(x) == 2.0
    assert kahan_sum(x) == 2.0
    assert kahan_sum(x, variant="kahan") == 0.0
    assert sum(x) == 0.0


@pytest.mark.parametrize("cond_log10", [0, 8, 16, 24])
def test_neumaier_within_the_sum2_bound_of_fsum(cond_log10):
    """|Ŝ − S| ≤ u|S| + γ²_{n−1} Σ|xᵢ| (Ogita, Rump & Oishi 2005, Prop. 4.5), with S the exact
    sum; fsum is S rounded once, so Ŝ is within that plus half an ulp of fsum."""
    rng = np.random.default_rng(100 + cond_log10)
    for n in (10, 1000, 20_000):
        x = ill_conditioned(n, cond_log10, rng)
        S, A = math.fsum(x), math.fsum(np.abs(x))
        gamma = (n - 1) * U / (1 - (n - 1) * U)
        bound = U * abs(S) + gamma**2 * A + U * abs(S)  # the last term: fsum's own rounding
        err = abs(kahan_sum(x) - S)
        assert err <= bound, f"n={n}: error {err:.3g} above the bound {bound:.3g}"


@pytest.mark.parametrize("variant", ["kahan", "neumaier"])
def test_compensated_bound(variant):
    """Both variants stay within 2u Σ|xᵢ| + O(nu²)Σ|xᵢ| (Higham 2002, eq. 4.8; the O term
    taken as 4nu²: nu ≤ 3e-12 here, so any order-one constant leaves the same margin)."""
    rng = np.random.default_rng(5)
    n = 20_000
    x = ill_conditioned(n, 12, rng)
    S, A = math.fsum(x), math.fsum(np.abs(x))
    assert abs(kahan_sum(x, variant=variant) - S) <= (2 * U + 4 * n * U**2) * A


def test_naive_sum_drifts_where_the_compensated_one_does_not():
    """On a sum with Σ|xᵢ|/|S| ≈ 10¹³ the left-to-right sum is wrong in the third digit or
    worse, while Neumaier's is within its Sum2 bound u|S| + γ²_{n−1}Σ|xᵢ| ≈ 2e-9; the naive
    error still respects its own bound (n − 1)u Σ|xᵢ| (Higham 2002, eq. 4.4). The factor
    1000 between them is 'not luck': the naive error is a sum of ~n roundings of partial
    sums of size up to about 2^40, each up to u·2^40 ≈ 1e-4."""
    rng = np.random.default_rng(5)
    n = 20_000
    x = ill_conditioned(n, 12, rng)
    S, A = math.fsum(x), math.fsum(np.abs(x))
    gamma = (n - 1) * U / (1 - (n - 1) * U)
    sum2 = U * abs(S) + gamma**2 * A
    naive = 0.0
    for xi in x.tolist():
        naive += xi
    assert abs(kahan_sum(x) - S) <= sum2 + U * abs(S)
    assert abs(naive - S) > 1000 * sum2
    assert abs(naive - S) <= (n - 1) * U * A * (1 + n * U)


def test_equals_fsum_where_numpy_drifts():
    """One unit plus 10⁴ terms each below half an ulp of 1: the plain and pairwise sums
    drop some of them, the compensated sum keeps them all and equals fsum exactly."""
    x = np.array([1.0] + [1e-16] * 10_000)
    assert kahan_sum(x) == math.fsum(x) == 1.000000000001
    assert np.sum(x) != math.fsum(x)
    y = np.array([1e16, 1.0, -1e16, 1.0] * 50)
    assert kahan_sum(y) == math.fsum(y) == 100.0
    assert np.sum(y) != 100.0


def test_kahan_sum_edge_cases_and_errors():
    assert kahan_sum([]) == 0.0
    assert kahan_sum(np.ones((3, 4))) == 12.0  # any shape: all entries
    assert kahan_sum(np.array([5e-324, 5e-324])) == 1e-323  # subnormals add exactly
    with pytest.raises(ValueError, match="x contains 1 NaN or infinite"):
        kahan_sum([1.0, np.nan])
    with pytest.raises(ValueError, match="variant must be one of 'neumaier', 'kahan'"):
        kahan_sum([1.0], variant="pairwise")
    with pytest.raises(ValueError, match="the sum of x overflows float64"):
        kahan_sum([1e308, 1e308])


# ---------------------------------------------------------------------------
# quantize
# ---------------------------------------------------------------------------

# x/Δ and (code − z)·Δ each round once in float64: the error bound Δ/2 holds up to a few
# units of roundoff of the values involved.
SLACK = 8 * U


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("bits", [2, 4, 8, 16])
def test_error_at_most_half_a_step_and_codes_in_range(bits, symmetric):
    rng = np.random.default_rng(bits + 100 * symmetric)
    x = rng.standard_normal(5000) * 3 + (0 if symmetric else 1.5)
    xq, delta = quantize(x, bits, symmetric)
    scale_ref = np.abs(x).max() * 2 ** (1 - bits) / (1 - 2 ** (1 - bits))  # max|x|/(2^(b-1)-1)
    if symmetric:
        assert delta == pytest.approx(scale_ref, rel=4 * U)
        codes = xq / delta
        lim = 2 ** (bits - 1) - 1
    else:
        assert delta == pytest.approx((x.max() - min(x.min(), 0)) / (2**bits - 1), rel=4 * U)
        z = np.round(-min(x.min(), 0) / delta)
        codes = xq / delta + z
        lim = 2**bits - 1
    assert np.allclose(codes, np.round(codes), atol=1e-6)
    assert np.round(codes).min() >= (-lim if symmetric else 0) and np.round(codes).max() <= lim
    assert np.abs(xq - x).max() <= delta / 2 + SLACK * np.abs(x).max()
    assert len(np.unique(np.round(codes))) <= (2**bits - 1 if symmetric else 2**bits)


@pytest.mark.parametrize("symmetric", [True, False])
def test_zero_is_exact_and_requantizing_changes_nothing(symmetric):
    x = np.array([-0.7, 0.0, 0.25, 2.0, 0.0, 1.3])
    xq, delta = quantize(x, 4, symmetric)
    assert np.all(xq[x == 0] == 0)
    again, delta2 = quantize(xq, 4, symmetric, scale=delta)
    assert delta2 == delta and np.array_equal(again, xq)


def test_noise_variance_is_delta_squared_over_12():
    """Sheppard / Widrow: when x spreads over many steps (here σ ≈ 28 Δ, so the Gaussian's
    characteristic function at 2π/Δ is e^{−(2π·28)²/2} ≈ 0) the error is uniform on
    [−Δ/2, Δ/2]: mean 0 (s.e. Δ/√(12n)), variance Δ²/12 (s.e. of the mean square Δ²/√(180n),
    since Var(e²) = Δ⁴/80 − Δ⁴/144). Checked within 4 standard errors."""
    rng = np.random.default_rng(12)
    n = 200_000
    x = rng.standard_normal(n)
    xq, delta = quantize(x, 8)
    e = xq - x
    assert abs(e.mean()) <= 4 * delta / math.sqrt(12 * n)
    assert abs(np.mean(e**2) - delta**2 / 12) <= 4 * delta**2 / math.sqrt(180 * n)
    assert np.abs(e).max() <= delta / 2 * (1 + SLACK)


def test_coarse_steps_break_the_uniform_noise_model():
    """With Δ ≫ σ the model fails: a N(0, 0.1²) input with a fixed Δ = 1 rounds every value
    to 0, so the error is −x and its mean square is σ² ≈ 0.01, not Δ²/12 ≈ 0.083."""
    rng = np.random.default_rng(13)
    x = 0.1 * rng.standard_normal(10_000)
    xq, _ = quantize(x, 8, scale=1.0)
    assert np.all(xq == 0)
    assert abs(np.mean(x**2) - 0.01) <= 4 * 0.01 * math.sqrt(2 / len(x))


def test_all_zero_input_and_clipping_with_a_given_scale():
    xq, delta = quantize(np.zeros(4), 8)
    assert delta == 1.0 and np.all(xq == 0)
    xq, _ = quantize([-10.0, 0.26, 10.0], 3, scale=0.5)  # codes −3 … 3
    assert xq.tolist() == [-1.5, 0.5, 1.5]
    xq, _ = quantize([0.0, 3.0], 2, symmetric=False)  # codes 0 … 3, Δ = 1
    assert xq.tolist() == [0.0, 3.0]


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")  # deprecated API
def test_matches_torch_quantize_per_tensor():
    """With a power-of-two scale (exact in float32 and in 1/scale) torch's quint8/qint8
    quantizer rounds the same values to the same codes."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(14)
    x = (rng.standard_normal(4000) * 2).astype(np.float32).astype(np.float64)
    scale = 2.0**-5
    ours, _ = quantize(x, 8, scale=scale)  # codes −127 … 127
    theirs = torch.quantize_per_tensor(torch.tensor(x, dtype=torch.float32), scale, 0, torch.qint8)
    ref = np.clip(theirs.int_repr().numpy().astype(np.float64), -127, 127) * scale
    assert np.array_equal(ours, ref)
    xa = np.abs(x)
    ours_a, delta = quantize(xa, 8, symmetric=False, scale=scale)  # zero point 0, codes 0 … 255
    theirs_a = torch.quantize_per_tensor(
        torch.tensor(xa, dtype=torch.float32), scale, 0, torch.quint8
    )
    assert np.array_equal(ours_a, theirs_a.dequantize().numpy().astype(np.float64))


def test_quantize_rejects_bad_inputs():
    with pytest.raises(ValueError, match="bits must be >= 2"):
        quantize([1.0], 1)
    with pytest.raises(ValueError, match="bits must be >= 1"):
        quantize([1.0], 0, symmetric=False)
    with pytest.raises(TypeError, match="bits must be an integer"):
        quantize([1.0], 2.5)
    with pytest.raises(ValueError, match="scale must be > 0"):
        quantize([1.0], 8, scale=0.0)
    with pytest.raises(TypeError, match="symmetric must be True or False"):
        quantize([1.0], 8, symmetric="yes")
    with pytest.raises(ValueError, match="x contains 1 NaN"):
        quantize([1.0, np.nan], 8)
    with pytest.raises(ValueError, match="x must not be empty"):
        quantize([], 8)
    with pytest.raises(ValueError, match="too wide for float64"):
        quantize([-1.7e308, 1.7e308], 8, symmetric=False)


def test_docstring_examples_are_right():
    """The examples in the docstrings are outputs, not decoration: run them."""
    import doctest

    from nblib import numerics

    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    tests = [t for t in finder.find(numerics, globs={"np": np, **vars(numerics)}) if t.examples]
    for t in tests:
        runner.run(t)
    assert len(tests) == 3 and runner.failures == 0, (
        f"{runner.failures} docstring example(s) failed"
    )
