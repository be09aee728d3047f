"""Checks for Chapter 5, Information theory (exercise labels start with ``it-``). How a check works: :mod:`nblib.exercises`."""

from __future__ import annotations

import numpy as np

from . import (
    Incorrect,
    as_answer_array,
    call_on_copy,
    expect_array,
    expect_function,
    expect_scalar,
    register,
)

__all__: list[str] = []  # checks are reached through nblib.exercises.check(label, answer)


# ---------------------------------------------------------------------------
# Section 5.1
# ---------------------------------------------------------------------------


def _kl_bits(p: np.ndarray, q: np.ndarray) -> float:
    """D(p ‖ q) in bits with 0 log(0/q) = 0 and +inf where q = 0 < p (scipy's rel_entr)."""
    from scipy.special import rel_entr

    return float(rel_entr(p, q).sum() / np.log(2))


def _kl_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(51)
    cases = [
        (
            f"two random distributions on {m} symbols",
            rng.dirichlet(np.ones(m)),
            rng.dirichlet(np.ones(m)),
        )
        for m in (2, 5, 12)
    ]
    p0 = np.array([0.5, 0.0, 0.3, 0.2, 0.0])
    cases.append(("a p with zero entries", p0, rng.dirichlet(np.ones(5))))
    cases.append(("p equal to q", p0, p0.copy()))
    cases.append(
        ("a q with a zero where p > 0", np.array([0.25, 0.25, 0.5]), np.array([0.5, 0.5, 0.0]))
    )
    return cases


@register("it-kl-divergence")
def check_kl_divergence(kl_divergence) -> str:
    """``kl_divergence(p, q)``: D(p ‖ q) in bits, 0 log 0 = 0, infinite where q = 0 < p."""
    expect_function(kl_divergence, "kl_divergence")
    cases = _kl_cases()
    for what, p, q in cases:
        label = f"your kl_divergence for {what}"
        out = call_on_copy(kl_divergence, "kl_divergence", p, q)
        if isinstance(out, np.ndarray) and out.size > 1:
            raise Incorrect(f"{label} is an array of shape {out.shape}; return one number, the sum")
        try:
            value = float(out)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{label} should be a number, got {type(out).__name__}") from exc
        expected = _kl_bits(p, q)
        if np.isfinite(expected) and np.isclose(value, expected, rtol=1e-6, atol=1e-10):
            continue
        if np.isinf(expected):
            if not (np.isinf(value) and value > 0):
                raise Incorrect(
                    f"{label} is {value}: where q is 0 but p is not, p puts probability on an event "
                    "q calls impossible, and the divergence is +inf (return np.inf)"
                )
            continue
        if np.isnan(value):
            raise Incorrect(
                f"{label} is NaN: a term with p_i = 0 counts as 0 (the limit of t log t as t -> 0); "
                "skip those terms instead of computing 0 * log 0"
            )
        if not np.isfinite(value):
            raise Incorrect(f"{label} is {value}, but here q > 0 wherever p > 0, so it is finite")
        if np.isclose(value, expected * np.log(2), rtol=1e-6, atol=1e-12) and expected > 1e-9:
            raise Incorrect(f"{label} is in nats; the exercise asks for bits (use log base 2)")
        if np.isclose(value, _kl_bits(q, p), rtol=1e-6, atol=1e-12) and expected > 1e-9:
            raise Incorrect(
                f"{label} is D(q || p), not D(p || q): the divergence is not symmetric; the "
                "expectation is taken under the first argument, p"
            )
        h_p = float(-(p[p > 0] * np.log2(p[p > 0])).sum())
        if np.isclose(value, expected + h_p, rtol=1e-6, atol=1e-12) and h_p > 1e-9:
            raise Incorrect(
                f"{label} is the cross-entropy H(p, q), which exceeds the divergence by the "
                "entropy H(p)"
            )
        expect_scalar(value, expected, label, rtol=1e-6, atol=1e-10)
    return (
        f"your kl_divergence agrees with the definition on {len(cases)} cases, including zeros in p "
        "and an infinite divergence"
    )


# ---------------------------------------------------------------------------
# Section 5.2
# ---------------------------------------------------------------------------


def _infonce_nats(scores: np.ndarray) -> float:
    """log K + mean_i (s_ii − logsumexp_j s_ij), with scipy's logsumexp."""
    from scipy.special import logsumexp

    k = len(scores)
    return float(np.log(k) + np.mean(np.diag(scores) - logsumexp(scores, axis=1)))


@register("it-infonce")
def check_infonce(infonce) -> str:
    """``infonce(scores)``: the InfoNCE bound (eq-it-infonce) in nats, stable for large scores."""
    expect_function(infonce, "infonce")
    rng = np.random.default_rng(52)
    cases = [
        ("a random 2 x 2 score matrix", rng.normal(scale=2.0, size=(2, 2))),
        ("a random 6 x 6 score matrix", rng.normal(scale=2.0, size=(6, 6)) + 2 * np.eye(6)),
        ("a random 32 x 32 score matrix", rng.normal(size=(32, 32)) + np.eye(32)),
        ("scores of size about 1000", 1000 * rng.normal(size=(8, 8)) + 3000 * np.eye(8)),
    ]
    for what, s in cases:
        label = f"your infonce on {what}"
        out = call_on_copy(infonce, "infonce", s)
        if isinstance(out, np.ndarray) and out.size > 1:
            raise Incorrect(
                f"{label} is an array of shape {out.shape}; return one number, the mean over "
                "the rows (the batch)"
            )
        try:
            value = float(out)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{label} should be a number, got {type(out).__name__}") from exc
        k = len(s)
        if not np.isfinite(value):
            raise Incorrect(
                f"{label} is {value}: exp of large scores overflows; subtract each row's maximum "
                "before exponentiating (the log-sum-exp trick)"
            )
        expected = _infonce_nats(s)
        if np.isclose(value, expected, rtol=1e-7, atol=1e-9):
            continue
        if np.isclose(value, expected - np.log(k), rtol=1e-6, atol=1e-9):
            raise Incorrect(f"{label} is off by a constant: the bound includes the term log K")
        if np.isclose(value, _infonce_nats(s.T), rtol=1e-6, atol=1e-9) and not np.isclose(
            expected, _infonce_nats(s.T), rtol=1e-6
        ):
            raise Incorrect(
                f"{label} normalises over the wrong axis: row i compares x_i with every y_j, so "
                "the log-sum-exp runs along each row"
            )
        if np.isclose(value, np.log(k) + k * (expected - np.log(k)), rtol=1e-6, atol=1e-9):
            raise Incorrect(f"{label} sums the K terms; the bound averages them")
        if np.isclose(value, expected / np.log(2), rtol=1e-6, atol=1e-9):
            raise Incorrect(f"{label} is in bits; the exercise asks for nats (natural log)")
        if value > np.log(k) + 1e-9:
            raise Incorrect(
                f"{label} exceeds log K, which no value of the bound can: each log-softmax term "
                "is at most 0"
            )
        expect_scalar(value, expected, label, rtol=1e-7, atol=1e-9)
    return f"your infonce matches the bound on {len(cases)} score matrices, large scores included"


# ---------------------------------------------------------------------------
# Section 5.3
# ---------------------------------------------------------------------------


def _binned_rows_entropy(T: np.ndarray, n_bins: int, lo: float = -1.0, hi: float = 1.0) -> float:
    """Entropy in bits of the rows of T binned into n_bins equal bins per unit on [lo, hi]."""
    codes = np.clip(np.floor((T - lo) / (hi - lo) * n_bins), 0, n_bins - 1).astype(np.int64)
    counts = np.unique(codes, axis=0, return_counts=True)[1]
    p = counts / counts.sum()
    return float(-np.sum(p * np.log2(p)))


def _entropy_of_codes(codes: np.ndarray) -> float:
    """Entropy in bits of the rows of an array of bin indices, each row equally likely."""
    counts = np.unique(codes, axis=0, return_counts=True)[1]
    p = counts / counts.sum()
    return float(-np.sum(p * np.log2(p)))


@register("it-binned-layer-information")
def check_binned_layer_information(binned_layer_information) -> str:
    """``binned_layer_information(T, n_bins)``: H of the rows of T binned on [−1, 1], in bits."""
    expect_function(binned_layer_information, "binned_layer_information")
    rng = np.random.default_rng(53)
    words = 2.0 * ((np.arange(256)[:, None] >> np.arange(8)) & 1) - 1.0
    saturated = np.tanh(rng.normal(size=(300, 2)) * 30)
    saturated[:5] = 1.0  # exactly at the top edge
    cases = [
        (
            "a 3-unit tanh layer on 256 words, 5 bins",
            np.tanh(words @ rng.normal(0, 0.4, (8, 3))),
            5,
        ),
        ("a 4-unit layer, 30 bins", np.tanh(words @ rng.normal(0, 0.3, (8, 4))), 30),
        ("a 1-unit layer of shape (n, 1), 8 bins", np.tanh(words @ rng.normal(0, 0.5, (8, 1))), 8),
        ("a saturated layer with values exactly 1, 4 bins", saturated, 4),
        ("a layer with a small range, 10 bins", 0.3 * np.tanh(rng.normal(size=(400, 2))), 10),
    ]
    for what, T, n_bins in cases:
        label = f"your answer for {what}"
        out = call_on_copy(binned_layer_information, label, T, n_bins)
        value = float(as_answer_array(out, label)) if np.ndim(out) == 0 else None
        if value is None:
            raise Incorrect(f"{label} has shape {np.shape(out)}; return one number (bits)")
        expected = _binned_rows_entropy(T, n_bins)
        if np.isclose(value, expected, atol=1e-9):
            continue
        if np.isclose(value, expected * np.log(2), atol=1e-9):
            raise Incorrect(f"{label} is in nats; the book measures this in bits (log base 2)")
        marginal = sum(_binned_rows_entropy(T[:, [k]], n_bins) for k in range(T.shape[1]))
        if T.shape[1] > 1 and np.isclose(value, marginal, atol=1e-9):
            raise Incorrect(
                f"{label} adds the entropies of the units; an outcome is a whole row of bin "
                "indices, so take the entropy of the binned rows"
            )
        lo, hi = T.min(), T.max()
        if np.isclose(value, _binned_rows_entropy(T, n_bins, lo, hi), atol=1e-9):
            raise Incorrect(
                f"{label} spreads the bins over the data's range; the bins are fixed on [-1, 1]"
            )
        unclipped = np.floor((T + 1) / 2 * n_bins)  # a value of exactly 1 in a bin of its own
        if np.any(T == 1.0) and np.isclose(value, _entropy_of_codes(unclipped), atol=1e-9):
            raise Incorrect(
                f"{label} is off; check that a value of exactly 1 falls into the last bin "
                "(clip the index to n_bins - 1)"
            )
        expect_scalar(value, expected, label, rtol=0, atol=1e-9)
    return (
        f"your binned estimate agrees on {len(cases)} layers, including saturated and narrow ones"
    )


# ---------------------------------------------------------------------------
# Section 5.4
# ---------------------------------------------------------------------------


def _ib_reference(p_xy: np.ndarray, encoder: np.ndarray, beta: float, variant: str = "right"):
    """One IB update (eq-it-ib-marginals, eq-it-ib-encoder), or a typical mistake of it."""
    from scipy import special

    from ..info import _ib_decoder

    p_t, p_y_t = _ib_decoder(p_xy, encoder)
    p_y_x = p_xy / p_xy.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        if variant == "reversed":
            kl = np.sum(special.rel_entr(p_y_t[None, :, :], p_y_x[:, None, :]), axis=2)
        else:
            kl = np.sum(special.rel_entr(p_y_x[:, None, :], p_y_t[None, :, :]), axis=2)
        prior = np.zeros_like(p_t) if variant == "no_prior" else np.log(p_t)
        sign = 1.0 if variant == "plus" else -1.0
        logits = prior[None, :] + sign * beta * kl
        logits = np.where(np.isnan(logits), -np.inf, logits)
        logits -= logits.max(axis=1, keepdims=True)
        w = np.exp(logits)
        return w / w.sum(axis=1, keepdims=True)


@register("it-ib-update")
def check_ib_update(ib_update) -> str:
    """``ib_update(p_xy, encoder, beta)``: one self-consistent update of the IB encoder."""
    expect_function(ib_update, "ib_update")
    rng = np.random.default_rng(54)
    p1 = rng.dirichlet(np.ones(15)).reshape(5, 3)
    enc1 = rng.dirichlet(np.ones(4), size=5)
    p2 = np.array([[0.2, 0.0, 0.05], [0.0, 0.25, 0.05], [0.1, 0.1, 0.0], [0.05, 0.0, 0.2]])
    enc_empty = rng.dirichlet(np.ones(3), size=4)
    enc_empty = np.c_[enc_empty[:, :2], np.zeros(4), enc_empty[:, 2]]  # cluster 2 holds no mass
    cases = [
        ("a 5 x 3 joint table, 4 clusters, beta = 3", p1, enc1, 3.0),
        ("beta = 0", p1, enc1, 0.0),
        ("a table with zeros in p(y|x), beta = 5", p2, rng.dirichlet(np.ones(3), size=4), 5.0),
        ("an encoder with an empty cluster, beta = 4", p2, enc_empty, 4.0),
        ("beta = 2000 (hard assignments)", p1, enc1, 2000.0),
    ]
    for what, p_xy, enc, beta in cases:
        label = f"your update for {what}"
        out = call_on_copy(ib_update, label, p_xy, enc, beta)
        try:
            arr = np.asarray(out, dtype=float)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{label} should be an array, got {type(out).__name__}") from exc
        if arr.shape != enc.shape:
            raise Incorrect(f"{label} has shape {arr.shape}; the encoder has shape {enc.shape}")
        if not np.all(np.isfinite(arr)):
            if beta > 100:
                raise Incorrect(
                    f"{label} contains NaN or inf: exp(-beta * KL) underflows for large beta; "
                    "subtract each row's largest logit before exponentiating"
                )
            raise Incorrect(
                f"{label} contains NaN or inf; an empty cluster (p(t) = 0) or a zero in p(y|x) "
                "must not produce 0/0 or 0 * log 0"
            )
        if not np.allclose(arr.sum(axis=1), 1.0, atol=1e-8):
            raise Incorrect(f"{label} has rows that do not sum to 1: normalise over the clusters")
        expected = _ib_reference(p_xy, enc, beta)
        if np.allclose(arr, expected, atol=1e-8):
            continue
        for variant, why in (
            ("no_prior", "the new encoder is weighted by the cluster's probability p(t)"),
            (
                "plus",
                "the exponent is -beta times the divergence: similar clusters get more weight",
            ),
            ("reversed", "the divergence goes from p(y|x) to p(y|t), D(p(y|x) || p(y|t))"),
        ):
            if np.allclose(arr, _ib_reference(p_xy, enc, beta, variant), atol=1e-8):
                raise Incorrect(f"{label} is off: {why}")
        if "empty" in what and np.any(arr[:, 2] > 1e-12):
            raise Incorrect(
                f"{label} puts mass on the empty cluster; with p(t) = 0 it must stay empty"
            )
        expect_array(arr, expected, label, rtol=0, atol=1e-8)
    return f"your update agrees on {len(cases)} cases, including an empty cluster and beta = 2000"


# ---------------------------------------------------------------------------
# Section 5.5
# ---------------------------------------------------------------------------


def _noise_bits(n: int, fraction: float, n_classes: int) -> float:
    """log2 C(n, m) + m log2(K − 1) with m = round(fraction · n): the entropy of the noise."""
    from scipy.special import gammaln

    m = round(fraction * n)
    log_binom = gammaln(n + 1) - gammaln(m + 1) - gammaln(n - m + 1)
    return float(log_binom / np.log(2) + m * np.log2(n_classes - 1))


def _binary_entropy_bits(p: float) -> float:
    return 0.0 if p in (0.0, 1.0) else float(-p * np.log2(p) - (1 - p) * np.log2(1 - p))


@register("it-noise-bits")
def check_noise_bits(noise_bits) -> str:
    """``noise_bits(n, fraction, n_classes)``: log2 C(n, m) + m log2(K − 1), m = round(fraction n)."""
    expect_function(noise_bits, "noise_bits")
    cases = [
        (1347, 0.2, 10),
        (4, 0.5, 2),
        (10, 0.0, 10),
        (50, 1.0, 3),
        (1000, 0.3, 5),
        (10, 0.37, 4),
        (2_000_000, 0.1, 100),
    ]  # 10 · 0.37 = 3.7: round, not floor
    for n, fraction, k in cases:
        what = f"noise_bits({n}, {fraction}, {k})"
        value = noise_bits(n, fraction, k)
        expected = _noise_bits(n, fraction, k)
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = None
        if (
            v is not None
            and np.isfinite(v)
            and expected > 0
            and not np.isclose(v, expected, rtol=1e-9)
        ):
            m = round(fraction * n)
            m_floor = int(np.floor(fraction * n))
            if m_floor != m and np.isclose(v, _noise_bits(n, m_floor / n, k), rtol=1e-9):
                raise Incorrect(
                    f"{what} counts {m_floor} changed labels: fraction * n = {fraction * n:g} is "
                    "rounded to the nearest integer, not truncated"
                )
            if np.isclose(v, expected * np.log(2), rtol=1e-6):
                raise Incorrect(f"{what} is in nats; the answer is in bits (log base 2)")
            if k > 2 and np.isclose(v, expected - m * np.log2(k - 1), rtol=1e-6):
                raise Incorrect(
                    f"{what} is right for two classes but too small for {k}: a changed label "
                    "still has to pick its new class"
                )
            if np.isclose(v, expected - m * np.log2(k - 1) + m * np.log2(k), rtol=1e-6):
                raise Incorrect(f"{what} is too large: a changed label cannot keep its old class")
            approx = n * (_binary_entropy_bits(fraction) + fraction * np.log2(k - 1))
            if np.isclose(v, approx, rtol=1e-9):
                raise Incorrect(
                    f"{what} uses the approximation with the binary entropy; exactly round("
                    "fraction * n) labels are changed, so count those sets of labels exactly"
                )
        expect_scalar(value, expected, what, rtol=1e-9, atol=1e-9)
    return f"noise_bits agrees on {len(cases)} cases, from 4 labels to 2 million"


def _early_stopping(scores, patience):
    best, best_epoch = -np.inf, 0
    for epoch, score in enumerate(scores):
        if score > best:
            best, best_epoch = score, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(scores) - 1


@register("it-early-stopping")
def check_early_stopping(early_stopping) -> str:
    """``early_stopping(scores, patience) -> (best_epoch, stop_epoch)`` with the patience rule."""
    expect_function(early_stopping, "early_stopping")
    rng = np.random.default_rng(55)
    walk = 0.5 + np.cumsum(rng.normal(0.01, 0.03, 60))
    cases = [
        ("rising scores", np.linspace(0.1, 0.9, 12), 3),
        (
            "a peak at epoch 4",
            np.array([0.2, 0.5, 0.7, 0.8, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4]),
            3,
        ),
        ("a plateau at the best value", np.array([0.1, 0.6, 0.6, 0.6, 0.6, 0.6, 0.5]), 2),
        (
            "an improvement after patience - 1 flat epochs",
            np.array([0.3, 0.5, 0.4, 0.4, 0.7, 0.6, 0.6, 0.6]),
            3,
        ),
        ("patience 1", np.array([0.3, 0.4, 0.35, 0.5, 0.2]), 1),
        ("a tiny improvement", np.array([0.5, 0.5001, 0.4, 0.4, 0.4, 0.45, 0.3]), 3),
        ("a single epoch", np.array([0.42]), 5),
        ("a noisy curve", walk, 5),
        ("a noisy curve with patience 10", walk, 10),
    ]
    for what, scores, patience in cases:
        label = f"on {what} (patience {patience})"
        out = call_on_copy(early_stopping, "early_stopping", scores, patience)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Incorrect(
                f"{label} your function returned {type(out).__name__}; return a pair "
                "(best_epoch, stop_epoch)"
            )
        try:
            best, stop = (int(v) for v in out)
        except (TypeError, ValueError) as exc:
            raise Incorrect(f"{label} the returned epochs should be integers") from exc
        ref_best, ref_stop = _early_stopping(scores, patience)
        if (best, stop) == (ref_best + 1, ref_stop + 1):
            raise Incorrect(
                f"{label} your epochs are one too large: count epochs from 0, as the "
                "indices of the scores"
            )
        if best != ref_best:
            if 0 < scores[ref_best] - scores[best] < 1e-2 and best < ref_best:
                raise Incorrect(
                    f"{label} best_epoch misses an improvement of "
                    f"{scores[ref_best] - scores[best]:.1g}: any strict improvement "
                    "counts, however small"
                )
            if scores[best] == scores[ref_best]:
                raise Incorrect(
                    f"{label} best_epoch has the best score but is not the first epoch "
                    "reaching it: an equal score is no improvement"
                )
            raise Incorrect(f"{label} best_epoch does not hold the best score seen before stopping")
        if stop != ref_stop:
            direction = "early" if stop < ref_stop else "late"
            raise Incorrect(
                f"{label} training stops {abs(stop - ref_stop)} epoch(s) too {direction}; "
                "the rule fires after `patience` epochs in a row without a strict "
                "improvement, and never after the last epoch"
            )
    return f"early_stopping agrees on {len(cases)} score curves"


# ---------------------------------------------------------------------------
# Section 5.6
# ---------------------------------------------------------------------------


@register("it-amari-rotation")
def check_amari_rotation(amari_rotation) -> str:
    """``amari_rotation(phi)``: the Amari index (eq-it-amari) of the 2 x 2 rotation by phi."""
    from ..info import amari_index

    expect_function(amari_rotation, "amari_rotation")
    angles = [
        0.0,
        0.05,
        np.pi / 8,
        np.pi / 4,
        1.0,
        0.45 * np.pi,
        np.pi / 2,
        2.0,
        3.0,
        4.0,
        -0.3,
        -1.2,
        10.0,
    ]
    for phi in angles:
        what = f"amari_rotation({phi:.4g})"
        value = amari_rotation(phi)
        R = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
        expected = amari_index(R, np.eye(2))
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = None
        if v is not None and np.isfinite(v) and not np.isclose(v, expected, rtol=1e-9, atol=1e-12):
            psi = np.mod(phi, np.pi / 2)
            folded = min(psi, np.pi / 2 - psi)  # the distance to the nearest multiple of pi/2
            if np.isclose(v, 4 * expected, rtol=1e-9):
                raise Incorrect(f"{what} is not normalised: divide the sum by 2d(d - 1) = 4")
            if np.isclose(v, np.sin(folded), rtol=1e-9) or np.isclose(v, folded, rtol=1e-9):
                raise Incorrect(
                    f"{what} is a small-angle approximation; the ratios in eq-it-amari "
                    "give an exact trigonometric expression"
                )
            outside = (
                f" ({v:.3g} is outside [0, 1], where the index always lies)"
                if not -1e-12 <= v <= 1 + 1e-12
                else ""
            )
            if 0 <= phi <= np.pi / 4:
                raise Incorrect(
                    f"{what} is wrong{outside}: for phi in [0, pi/4] the largest entry of each "
                    "row and column of |R| is cos(phi); divide the sums by it"
                )
            if phi <= np.pi / 2:
                raise Incorrect(
                    f"{what} is wrong{outside}: between pi/4 and pi/2 the largest entry of "
                    "each row of |R| is no longer the cosine"
                )
            raise Incorrect(
                f"{what} is wrong{outside} for an angle outside [0, pi/2]: how does the index "
                "change when phi grows by pi/2, or changes sign?"
            )
        expect_scalar(value, expected, what, rtol=1e-9, atol=1e-12)
    return f"amari_rotation agrees with eq-it-amari at {len(angles)} angles, negative ones included"
