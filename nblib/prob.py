"""Probability and statistics for neural networks (Chapter 4).

Networks as conditional distributions, maximum likelihood and MAP, calibration,
bias and variance, initialization from variance propagation, the NNGP kernel of wide
networks, and Bayesian inference (conjugate linear regression, Hamiltonian Monte Carlo).
"""

from __future__ import annotations

from typing import Any, NamedTuple  # Sections 4.1-4.2

import numpy as np
from scipy import linalg as _sla  # Sections 4.5-4.6

from . import _validate as _v  # Sections 4.5-4.6
from ._validate import as_float_array, as_int_array, check_same_length, check_scalar
from .kernels import _gauss_arccos  # Sections 4.5-4.6: E[relu(u) relu(v)], Chapter 7's module
from .nn import log_softmax, softmax  # Sections 4.1-4.2

# Each section of Chapter 4 keeps its functions under its own heading below.

# ---------------------------------------------------------------------------
# Sections 4.1-4.2: maximum likelihood, calibration
# ---------------------------------------------------------------------------


class ReliabilityBins(NamedTuple):
    """The equal-width bins of a reliability diagram (see :func:`reliability_bins`).

    ``edges`` has ``n_bins + 1`` entries; ``count``, ``confidence`` and ``accuracy`` one per
    bin. An empty bin has ``count`` 0 and ``confidence = accuracy = 0`` (it adds nothing to the
    ECE); mask the bins with ``count > 0`` before plotting.
    """

    edges: np.ndarray
    count: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray


def _check_probs_labels(probs: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities (n, K) with rows on the simplex and integer labels in [0, K)."""
    probs = as_float_array(probs, "probs", ndim=2)
    n, n_classes = probs.shape
    if n_classes < 2:
        raise ValueError(
            f"probs must have one column per class (at least 2), got shape {probs.shape}; for two "
            "classes pass np.column_stack([1 - p, p])"
        )
    if np.any(probs < -1e-12) or np.any(probs > 1 + 1e-12):
        raise ValueError(
            f"probs must lie in [0, 1], got values in [{probs.min():.3g}, {probs.max():.3g}]; "
            "if these are logits, pass nblib.nn.softmax(logits)"
        )
    sums = probs.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > 1e-6:
        raise ValueError(
            f"every row of probs must sum to 1, but row {worst} sums to {sums[worst]:.6g}"
        )
    labels = as_int_array(labels, "labels", ndim=1)
    check_same_length(probs, labels, "probs", "labels")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(
            f"labels must be integers in [0, {n_classes}) for probs with {n_classes} columns, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return probs, labels


def reliability_bins(probs: np.ndarray, labels: np.ndarray, n_bins: int = 15) -> ReliabilityBins:
    """Bin the top-class confidence into ``n_bins`` equal-width bins (the reliability diagram).

    With confidence :math:`c_i = \\max_k p_{ik}` and prediction :math:`\\hat y_i = \\arg\\max_k p_{ik}`,
    bin :math:`B_m` holds the samples with :math:`c_i \\in ((m-1)/M, m/M]` (eq-pr-ece); each bin
    reports its size, mean confidence and accuracy (fraction with :math:`\\hat y_i = y_i`).
    The binning is that of scikit-learn's ``calibration_curve(strategy="uniform")`` applied to
    (correct, confidence), and of Guo et al. (2017).

    Parameters
    ----------
    probs : (n, K) predicted class probabilities, rows summing to 1.
    labels : (n,) true classes in ``[0, K)``.
    n_bins : number M of bins on [0, 1].

    Example
    -------
    >>> bins = reliability_bins(np.array([[0.9, 0.1], [0.3, 0.7]]), np.array([0, 0]), n_bins=2)
    >>> bins.count.tolist(), bins.accuracy.tolist()
    ([0, 2], [0.0, 0.5])

    Reference: Guo, Pleiss, Sun & Weinberger, On calibration of modern neural networks, ICML 2017.
    """
    probs, labels = _check_probs_labels(probs, labels)
    n_bins = check_scalar(n_bins, "n_bins", low=1, integer=True)
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.searchsorted(edges[1:-1], confidence, side="left")  # bins ((m-1)/M, m/M]
    count = np.bincount(index, minlength=n_bins)
    safe = np.maximum(count, 1)
    return ReliabilityBins(
        edges=edges,
        count=count,
        confidence=np.bincount(index, weights=confidence, minlength=n_bins) / safe,
        accuracy=np.bincount(index, weights=correct, minlength=n_bins) / safe,
    )


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = 15) -> float:
    """Expected calibration error: the bin-weighted gap between accuracy and confidence.

    .. math::  \\mathrm{ECE} = \\sum_{m=1}^{M} \\frac{|B_m|}{n}\\,
               \\big|\\operatorname{acc}(B_m) - \\operatorname{conf}(B_m)\\big|     (eq-pr-ece)

    over ``n_bins`` equal-width bins of the top-class confidence (:func:`reliability_bins`).
    It is 0 for a perfectly calibrated model only in the limit of many samples: at finite n
    the binned estimate is biased upwards, and it depends on the number of bins.
    Use it to summarise a reliability diagram; to compare models prefer a proper scoring
    rule (the NLL or :func:`brier_score`), which a model cannot game.

    Example
    -------
    >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.4, 0.6], [0.3, 0.7]])
    >>> labels = np.array([0, 1, 1, 1])  # confidences 0.9, 0.8, 0.6, 0.7; the 0.8 is wrong
    >>> round(expected_calibration_error(probs, labels, n_bins=10), 6)  # (0.1+0.8+0.4+0.3)/4
    0.4
    >>> round(expected_calibration_error(probs, labels, n_bins=2), 6)  # one bin: 3/4 vs 0.75
    0.0

    Reference: Naeini, Cooper & Hauskrecht, AAAI 2015; Guo et al., ICML 2017.
    """
    bins = reliability_bins(probs, labels, n_bins)
    weights = bins.count / bins.count.sum()
    return float(np.sum(weights * np.abs(bins.accuracy - bins.confidence)))


def brier_score(probs: np.ndarray, labels: np.ndarray) -> float:
    """The (multi-class) Brier score, a strictly proper scoring rule:

    .. math::  \\mathrm{BS} = \\frac1n \\sum_{i=1}^n \\sum_{k=1}^K \\big(p_{ik} - [y_i = k]\\big)^2
               (eq-pr-brier)

    between 0 (certain and right) and 2 (certain and wrong). For two classes it is twice the
    binary score :math:`\\frac1n\\sum_i (p_{i1} - y_i)^2`, scikit-learn's
    ``brier_score_loss(labels, probs[:, 1])`` (any version). scikit-learn >= 1.7 also accepts
    the multi-class ``probs`` and, with ``scale_by_half=False``, returns this score; older
    versions (the book allows >= 1.4) reject multi-class input and lack ``scale_by_half``.

    Example
    -------
    >>> brier_score(np.array([[0.9, 0.1], [0.5, 0.5]]), np.array([0, 1]))
    0.26

    Reference: Brier, Verification of forecasts expressed in terms of probability, 1950.
    """
    probs, labels = _check_probs_labels(probs, labels)
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(labels)), labels] = 1.0
    return float(np.mean(np.sum((probs - onehot) ** 2, axis=1)))


def _check_logits_labels(logits: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    logits = as_float_array(logits, "logits", ndim=2, dtype=np.float64)
    if logits.shape[1] < 2:
        raise ValueError(f"logits must have one column per class (at least 2), got {logits.shape}")
    labels = as_int_array(labels, "labels", ndim=1)
    check_same_length(logits, labels, "logits", "labels")
    if labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise ValueError(
            f"labels must be integers in [0, {logits.shape[1]}) for logits with "
            f"{logits.shape[1]} columns, got values from {labels.min()} to {labels.max()}"
        )
    return logits, labels


def _temperature_derivatives(beta: float, logits: np.ndarray, target: np.ndarray):
    """First and second derivative in β = 1/T of the mean NLL of softmax(β z): mean(E_p z − z_y)
    and mean(Var_p z), with p = softmax(β z)."""
    p = softmax(beta * logits, axis=1)
    mean_z = np.sum(p * logits, axis=1)
    var_z = np.sum(p * (logits - mean_z[:, None]) ** 2, axis=1)
    return float(np.mean(mean_z - target)), float(np.mean(var_z))


def fit_temperature(logits: np.ndarray, labels: np.ndarray, *, tol: float = 1e-12) -> float:
    """Temperature scaling: the T > 0 that minimises the mean NLL of softmax(z / T).

    .. math::  T^\\star = \\arg\\min_{T>0}\\; -\\frac1n \\sum_{i=1}^n
               \\log \\operatorname{softmax}(z_i / T)_{y_i}                    (eq-pr-temperature)

    In the inverse temperature β = 1/T the objective is convex, with derivative
    :math:`\\frac1n\\sum_i (\\mathbb E_{p_i}[z] - z_{i y_i})` and second derivative
    :math:`\\frac1n\\sum_i \\operatorname{Var}_{p_i}[z] \\ge 0`, so a safeguarded Newton iteration
    inside a bracket finds the unique minimiser. Dividing the logits by one positive number
    never changes their argmax: the accuracy stays the same, only the confidence moves.
    Fit T on held-out data (not on the training set, where the model is over-confident by
    construction). The iteration stops when the mean derivative is below ``tol`` times the
    mean absolute (row-centred) logit, so multiplying the logits by s > 0 multiplies T by s
    to rounding error. Raises ValueError when no finite T > 0 minimises the NLL: when every
    prediction is already right (the NLL keeps falling as T → 0) or the logits rank the true
    class no better than average (T → ∞ or negative).

    Example
    -------
    >>> z = np.array([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    >>> round(fit_temperature(z, np.array([0, 0, 1, 1])), 4)  # 3 of 4 right: p = 3/4 at T*
    3.641

    Reference: Guo, Pleiss, Sun & Weinberger, On calibration of modern neural networks, ICML 2017.
    """
    logits, labels = _check_logits_labels(logits, labels)
    tol = check_scalar(tol, "tol", low=0, low_inclusive=False)
    logits = logits - logits.mean(axis=1, keepdims=True)  # a shift per row changes nothing
    target = logits[np.arange(len(labels)), labels]
    # The logits' own scale makes the stopping rule invariant to z -> s z (then T -> s T).
    scale = float(np.mean(np.abs(logits)))
    if scale == 0.0:
        raise ValueError(
            "every row of logits is constant, so softmax(logits / T) is uniform for every T "
            "and no temperature is better than another"
        )
    slope_at_infinity = float(np.mean(logits.max(axis=1) - target))  # lim β→∞ of the derivative
    if slope_at_infinity <= 1e-12 * scale:  # every true class has the top logit
        raise ValueError(
            "every prediction in logits is right, so the NLL keeps decreasing as T -> 0 and "
            "there is no best temperature; fit T on data where the model makes mistakes"
        )
    g0, _ = _temperature_derivatives(0.0, logits, target)
    if g0 >= 0:
        raise ValueError(
            "the logits rank the true class no better than average (the NLL does not decrease "
            "from the uniform prediction as 1/T grows from 0), so no finite T > 0 minimises it"
        )
    lo, hi = 0.0, 1.0 / scale
    while _temperature_derivatives(hi, logits, target)[0] < 0:
        lo, hi = hi, 2 * hi
        if hi * scale > 1e12:  # pragma: no cover - excluded by the check of slope_at_infinity
            raise ValueError("the NLL keeps decreasing as T -> 0; no best temperature exists")
    beta = 0.5 * (lo + hi)
    for _ in range(200):
        g, h = _temperature_derivatives(beta, logits, target)
        if g < 0:
            lo = beta
        else:
            hi = beta
        if abs(g) <= tol * scale or hi - lo <= 1e-15 * hi:
            break
        step = beta - g / h if h > 0 else -1.0
        beta = step if lo < step < hi else 0.5 * (lo + hi)  # Newton inside the bracket, else bisect
    return float(1.0 / beta)


def _softmax_nll_grad_hess(theta: np.ndarray, X: np.ndarray, Y: np.ndarray, free: slice):
    """Summed NLL of softmax(X Wᵀ), its gradient (K, d) and Hessian over the rows ``free``."""
    Z = X @ theta.T
    log_p = log_softmax(Z, axis=1)
    P = np.exp(log_p)
    nll = -float(np.sum(Y * log_p))
    grad = (P - Y).T @ X  # eq. (eq-pr-softmax-grad): Σ_i (p_i − e_{y_i}) x_iᵀ
    Pf = P[:, free]
    k, d = Pf.shape[1], X.shape[1]
    XX = np.einsum("ia,ib->iab", X, X)
    hess = -np.einsum("ik,il,iab->kalb", Pf, Pf, XX)
    diag = np.einsum("ik,iab->kab", Pf, XX)
    for j in range(k):
        hess[j, :, j, :] += diag[j]
    return nll, grad, hess.reshape(k * d, k * d)


def fit_softmax_regression(
    X: np.ndarray,
    y: np.ndarray,
    n_classes: int | None = None,
    *,
    prior_var: float | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> np.ndarray:
    """Maximum-likelihood or MAP weights of the linear softmax model P(y = k | x) = softmax(W x)_k.

    .. math::  \\text{MLE:}\\ \\min_W\\; -\\sum_{i=1}^n \\log\\operatorname{softmax}(W x_i)_{y_i}
               \\quad (W_0 = 0)                                                (eq-pr-softmax-nll)
    .. math::  \\text{MAP:}\\ \\min_W\\; -\\sum_{i=1}^n \\log\\operatorname{softmax}(W x_i)_{y_i}
               + \\frac{\\lVert W\\rVert_F^2}{2\\tau^2}                          (eq-pr-map)

    The MAP problem is the posterior mode under the prior :math:`W_{kj} \\sim N(0, \\tau^2)`
    (``prior_var`` = τ²). Adding one vector to every row of W leaves the probabilities
    unchanged, so the MLE fixes the first row at 0 (class 0 is the reference, as in
    statsmodels' ``MNLogit``); the MAP problem is strictly convex in all K rows and
    equals scikit-learn's ``LogisticRegression(C=τ², fit_intercept=False)`` for K > 2.
    For K = 2 the MAP rows satisfy W[0] = −W[1], so the binary weights w = W[1] − W[0] carry
    the penalty ‖w‖²/(4τ²), a prior N(0, 2τ²): w is scikit-learn's binary fit with C = 2τ².
    For a binary prior w ~ N(0, τ²), pass ``prior_var=τ²/2``.
    Solved by Newton's method with backtracking (the Hessian is (Kd) × (Kd), so use it for
    small models). Include a column of ones in X for an intercept.

    Returns W of shape (K, d). Raises ValueError if Newton's method does not converge: for
    the MLE that happens when the classes are linearly separable (the likelihood then grows
    without bound as W grows); a prior (``prior_var``) makes the problem well posed.

    Example
    -------
    >>> X = np.array([[1.0, -1.0], [1.0, 0.0], [1.0, 0.5], [1.0, 1.0], [1.0, 2.0]])
    >>> fit_softmax_regression(X, np.array([0, 1, 0, 1, 1])).round(4)
    array([[ 0.    ,  0.    ],
           [-0.2736,  1.8803]])

    Reference: Bishop, Pattern Recognition and Machine Learning, 2006, Section 4.3.4.
    """
    X = as_float_array(X, "X", ndim=2, dtype=np.float64)
    y = as_int_array(y, "y", ndim=1)
    check_same_length(X, y, "X", "y")
    if y.min() < 0:
        raise ValueError(f"y must hold class labels 0, 1, ..., got a negative label {y.min()}")
    if n_classes is None:
        n_classes = int(y.max()) + 1
    n_classes = check_scalar(n_classes, "n_classes", low=2, integer=True)
    if y.max() >= n_classes:
        raise ValueError(f"y has label {y.max()}, but n_classes = {n_classes}")
    if prior_var is not None:
        prior_var = check_scalar(prior_var, "prior_var", low=0, low_inclusive=False)
    else:
        absent = np.flatnonzero(np.bincount(y, minlength=n_classes) == 0)
        if absent.size:
            raise ValueError(
                f"class {absent[0]} never occurs in y (absent classes: {absent.tolist()} of "
                f"n_classes = {n_classes}), so the likelihood grows without bound as that "
                "class's probability goes to 0 and the maximum-likelihood weights do not exist; "
                "relabel y to the classes present or give prior_var for a MAP estimate"
            )
    tol = check_scalar(tol, "tol", low=0, low_inclusive=False)
    max_iter = check_scalar(max_iter, "max_iter", low=1, integer=True)
    d = X.shape[1]
    Y = np.zeros((len(y), n_classes))
    Y[np.arange(len(y)), y] = 1.0
    free = slice(0, n_classes) if prior_var is not None else slice(1, n_classes)
    precision = 0.0 if prior_var is None else 1.0 / prior_var

    def objective(theta):
        nll, grad, hess = _softmax_nll_grad_hess(theta, X, Y, free)
        value = nll + 0.5 * precision * np.sum(theta**2)
        grad = (grad + precision * theta)[free].ravel()
        return value, grad, hess + precision * np.eye(len(grad))

    theta = np.zeros((n_classes, d))
    value, grad, hess = objective(theta)
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(hess, -grad)
        except np.linalg.LinAlgError as exc:
            raise ValueError(
                "the Hessian is singular: X has linearly dependent columns, a class never "
                "occurs, or the classes are linearly separable (then the maximum-likelihood "
                "weights do not exist); drop a column or give prior_var for a MAP estimate"
            ) from exc
        decrement = float(-grad @ step)  # Newton decrement λ², ≥ 0
        if decrement <= tol**2 * (1 + abs(value)):
            eigenvalues = np.linalg.eigvalsh(hess)
            if prior_var is None and eigenvalues[0] <= 1e-10 * eigenvalues[-1]:
                raise ValueError(
                    "the likelihood is flat in some direction at the solution: the classes are "
                    "(nearly) linearly separable, so the maximum-likelihood weights do not exist, "
                    "or X has (nearly) linearly dependent columns; give prior_var for a MAP estimate"
                )
            return theta
        t = 1.0
        while True:
            trial = theta.copy()
            trial[free] += t * step.reshape(-1, d)
            trial_value, trial_grad, trial_hess = objective(trial)
            # Close to the minimum the full Newton step is right, and f changes by less than
            # its rounding error: no line search. Elsewhere backtrack (Armijo).
            if decrement <= 1e-8 * (1 + abs(value)):
                break
            if trial_value <= value - 0.25 * t * decrement:
                break
            t *= 0.5
            if t < 1e-10:  # pragma: no cover - a convex f always decreases along a Newton step
                return theta
        theta, value, grad, hess = trial, trial_value, trial_grad, trial_hess
    raise ValueError(
        f"Newton's method did not converge in {max_iter} iterations; if the classes are "
        "linearly separable the maximum-likelihood weights do not exist (they grow without "
        "bound): give prior_var for a MAP estimate"
    )


# ---------------------------------------------------------------------------
# Sections 4.3-4.4: bias and variance, initialization
# ---------------------------------------------------------------------------


class BiasVariance(NamedTuple):
    """The terms of E(ŷ(x) − y)² = bias² + variance + σ², eq. ``eq-pr-bias-variance``,
    averaged over the test points (see :func:`bias_variance_decomposition`).

    ``total = bias2 + variance + noise``; ``bias2_se`` and ``variance_se`` are jackknife
    standard errors over the resampled fits (zero for closed forms).
    """

    bias2: float
    variance: float
    noise: float
    total: float
    bias2_se: float
    variance_se: float


def bias_variance_decomposition(
    predictions: Any, targets_clean: Any, noise_var: float
) -> BiasVariance:
    """Estimate bias² and variance from R models fitted on R resampled training sets.

    ``predictions[r, t]`` is the prediction of the model fitted on training set r at test
    point x_t, ``targets_clean[t] = f(x_t)`` the noise-free target and ``noise_var = σ²``
    the variance of the label noise. With m_t = mean_r ŷ_r(x_t) and s²_t the unbiased
    sample variance over r, averaged over the test points:

        variance = mean_t s²_t,    bias² = mean_t [(m_t − f_t)² − s²_t / R],

    both unbiased (the plug-in (m_t − f_t)² overestimates the squared bias by s²_t/R), and
    bias² + variance = mean_{r,t} (ŷ_r(x_t) − f_t)² exactly. The expected test error on a
    fresh noisy label is then ``total = bias2 + variance + noise_var`` (Geman et al. 1992).
    Standard errors come from the jackknife over the R fits.

    Use it for any model (an MLP, a tree); for ridge regression with a fixed design the
    exact terms are :func:`ridge_bias_variance`.

    >>> preds = np.array([[1.0, 2.0], [3.0, 2.0], [1.0, 2.0], [3.0, 2.0]])  # 4 fits, 2 points
    >>> bv = bias_variance_decomposition(preds, [1.0, 1.0], noise_var=0.5)
    >>> round(bv.bias2, 4), round(bv.variance, 4), round(bv.total, 4)
    (0.8333, 0.6667, 2.0)
    """
    P = as_float_array(predictions, "predictions", ndim=(1, 2))
    if P.ndim == 1:
        P = P[:, None]
    R = P.shape[0]
    if R < 3:
        raise ValueError(
            f"predictions must hold at least 3 fits (rows) to estimate a variance and its "
            f"standard error, got shape {P.shape}"
        )
    f = as_float_array(targets_clean, "targets_clean", ndim=(0, 1)).reshape(-1)
    if f.size == 1 and P.shape[1] > 1:
        f = np.full(P.shape[1], f[0])
    if f.shape[0] != P.shape[1]:
        raise ValueError(
            f"targets_clean must have one entry per test point (column of predictions), "
            f"got {f.shape[0]} entries for predictions of shape {P.shape}"
        )
    noise = check_scalar(noise_var, "noise_var", low=0)

    def terms(m: np.ndarray, s2: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        var = s2.mean(axis=-1)
        return ((m - f) ** 2).mean(axis=-1) - var / n, var

    # centre on the mean prediction: the terms are unchanged (they depend only on P − f and
    # the spread of P), and the running sums below no longer cancel catastrophically when
    # the predictions share a large offset
    centre = P.mean(axis=0)
    P, f = P - centre, f - centre
    m = P.mean(axis=0)
    b2, var = terms(m, P.var(axis=0, ddof=1), R)
    # jackknife: leave out fit r (rows), from the running sums, in O(R·T)
    s1, s2 = P.sum(axis=0), (P * P).sum(axis=0)
    m_loo = (s1 - P) / (R - 1)
    s2_loo = (s2 - P * P - (R - 1) * m_loo**2) / (R - 2)
    b2_loo, var_loo = terms(m_loo, s2_loo, R - 1)
    scale = (R - 1) / R

    def se(x: np.ndarray) -> float:
        return float(np.sqrt(scale * np.sum((x - x.mean()) ** 2)))

    return BiasVariance(
        float(b2), float(var), noise, float(b2 + var + noise), se(b2_loo), se(var_loo)
    )


def ridge_weights(Phi: Any, y: Any, lam: float) -> np.ndarray:
    """Ridge regression weights ŵ = argmin ‖y − Φw‖² + λ‖w‖² = (ΦᵀΦ + λI)⁻¹Φᵀy.

    ``Phi`` has shape (n, p), ``y`` shape (n,) or (n, k) (k targets fitted at once).
    ``lam = 0`` gives the minimum-norm least-squares solution Φ⁺y, which is the limit
    λ → 0⁺ and interpolates the data when p ≥ n. Same as
    ``sklearn.linear_model.Ridge(alpha=lam, fit_intercept=False)``.

    >>> ridge_weights(np.eye(2), [1.0, 2.0], lam=1.0)
    array([0.5, 1. ])
    """
    Phi = as_float_array(Phi, "Phi", ndim=2)
    y = as_float_array(y, "y", ndim=(1, 2))
    check_same_length(Phi, y, "Phi", "y")
    lam = check_scalar(lam, "lam", low=0)
    return _ridge_operator(Phi, lam) @ y


def _ridge_operator(Phi: np.ndarray, lam: float) -> np.ndarray:
    """The (p, n) matrix A with ŵ = A y: (ΦᵀΦ + λI)⁻¹Φᵀ, or the pseudo-inverse Φ⁺ at λ = 0."""
    if lam == 0:
        return np.linalg.pinv(Phi)
    n, p = Phi.shape
    if p <= n:
        return np.linalg.solve(Phi.T @ Phi + lam * np.eye(p), Phi.T)
    return Phi.T @ np.linalg.inv(Phi @ Phi.T + lam * np.eye(n))  # the same, via the n x n system


class RidgeBiasVariance(NamedTuple):
    """Exact bias and variance of ridge regression with a fixed design
    (see :func:`ridge_bias_variance`); ``bias`` and ``pointwise_variance`` per test point."""

    bias2: float
    variance: float
    noise: float
    total: float
    bias: np.ndarray
    pointwise_variance: np.ndarray


def ridge_bias_variance(
    Phi_train: Any,
    f_train: Any,
    Phi_test: Any,
    f_test: Any,
    lam: float,
    noise_var: float,
) -> RidgeBiasVariance:
    """The exact bias² and variance of ridge regression over resampled label noise.

    Training labels are y = f_train + ε with ε ~ (0, σ²I), the design ``Phi_train`` (n, p)
    fixed; ŵ = A y with A = (ΦᵀΦ + λI)⁻¹Φᵀ (Φ⁺ at λ = 0). At the test features
    ``Phi_test`` (T, p), eq. ``eq-pr-ridge-bias-variance``:

        bias(x_t) = φ_tᵀ A f_train − f(x_t),   variance(x_t) = σ² ‖Aᵀ φ_t‖²,

    and ``bias2``, ``variance`` are their means over the test points; ``total`` adds the
    noise σ² of a fresh test label. Exact for any noise distribution with covariance σ²I;
    a Monte-Carlo estimate is :func:`bias_variance_decomposition`.

    >>> rbv = ridge_bias_variance(np.eye(2), [1.0, 1.0], np.eye(2), [1.0, 1.0], 1.0, 0.5)
    >>> float(rbv.bias2), float(rbv.variance)
    (0.25, 0.125)
    """
    Phi = as_float_array(Phi_train, "Phi_train", ndim=2)
    f_tr = as_float_array(f_train, "f_train", ndim=1)
    check_same_length(Phi, f_tr, "Phi_train", "f_train")
    Phi_te = as_float_array(Phi_test, "Phi_test", ndim=2)
    if Phi_te.shape[1] != Phi.shape[1]:
        raise ValueError(
            f"Phi_test must have the {Phi.shape[1]} features (columns) of Phi_train, "
            f"got shape {Phi_te.shape}"
        )
    f_te = as_float_array(f_test, "f_test", ndim=1)
    check_same_length(Phi_te, f_te, "Phi_test", "f_test")
    lam = check_scalar(lam, "lam", low=0)
    sigma2 = check_scalar(noise_var, "noise_var", low=0)
    H = Phi_te @ _ridge_operator(Phi, lam)  # (T, n): the prediction is H y
    bias = H @ f_tr - f_te
    pointwise = sigma2 * np.sum(H * H, axis=1)
    b2, var = float(np.mean(bias**2)), float(np.mean(pointwise))
    return RidgeBiasVariance(b2, var, sigma2, b2 + var + sigma2, bias, pointwise)


class Ambiguity(NamedTuple):
    """Krogh–Vedelsby: ``ensemble_error = member_error − ambiguity`` (see
    :func:`ambiguity_decomposition`)."""

    ensemble_error: float
    member_error: float
    ambiguity: float


def ambiguity_decomposition(
    member_predictions: Any, targets: Any, weights: Any = None
) -> Ambiguity:
    """The Krogh–Vedelsby decomposition of an averaged ensemble's squared error.

    For members f_1, …, f_M with weights w_m ≥ 0, Σ w_m = 1, and the ensemble
    f̄ = Σ w_m f_m, at every input and for every target y (eq. ``eq-pr-krogh-vedelsby``):

        (f̄ − y)² = Σ w_m (f_m − y)² − Σ w_m (f_m − f̄)²,

    the ensemble error is the weighted member error minus the ambiguity (the spread of the
    members around the ensemble), so it is never larger than the average member error
    (Krogh & Vedelsby 1995). Returned as means over the inputs. ``member_predictions`` has
    shape (M, N), ``targets`` shape (N,); ``weights`` default to 1/M.

    >>> ambiguity_decomposition([[0.0], [2.0]], [0.0])
    Ambiguity(ensemble_error=1.0, member_error=2.0, ambiguity=1.0)
    """
    F = as_float_array(member_predictions, "member_predictions", ndim=2)
    y = as_float_array(targets, "targets", ndim=1)
    if y.shape[0] != F.shape[1]:
        raise ValueError(
            f"targets must have one entry per input (column of member_predictions), got "
            f"{y.shape[0]} targets for member_predictions of shape {F.shape}"
        )
    M = F.shape[0]
    if weights is None:
        w = np.full(M, 1.0 / M)
    else:
        w = as_float_array(weights, "weights", ndim=1)
        if w.shape[0] != M or np.any(w < 0) or not np.isclose(w.sum(), 1.0, atol=1e-12):
            raise ValueError(
                f"weights must be {M} non-negative numbers (one per member) summing to 1, "
                f"got shape {w.shape} with sum {w.sum():.6g}"
            )
    fbar = w @ F
    ens = float(np.mean((fbar - y) ** 2))
    member = float(np.mean(w @ (F - y) ** 2))
    amb = float(np.mean(w @ (F - fbar) ** 2))
    return Ambiguity(ens, member, amb)


def ensemble_variance(variance: float, correlation: float, n_members: int) -> float:
    """Var of the average of M exchangeable models, each of variance σ², pairwise
    correlation ρ (eq. ``eq-pr-ensemble-variance``):

        Var((f_1 + … + f_M)/M) = ρσ² + (1 − ρ)σ²/M.

    Averaging removes the independent part; the shared part ρσ² stays for any M. The
    correlation must be at least −1/(M − 1) (else no such models exist).

    >>> ensemble_variance(2.0, 0.25, 4)
    0.875
    """
    s2 = check_scalar(variance, "variance", low=0)
    M = check_scalar(n_members, "n_members", low=1, integer=True)
    rho = check_scalar(correlation, "correlation", low=-1, high=1)
    if M > 1 and rho < -1 / (M - 1) - 1e-12:
        raise ValueError(
            f"correlation must be >= -1/(n_members - 1) = {-1 / (M - 1):.4g} for "
            f"{M} exchangeable models (their covariance matrix is not positive), got {rho}"
        )
    return rho * s2 + (1 - rho) * s2 / M


# Signal propagation at initialization. For a positively homogeneous activation φ and
# N(0, v) weights, ‖φ(W x)‖² has the law of v ‖x‖² Σ_j φ(g_j)², g_j iid N(0, 1): only the
# second and fourth moments of φ(g) matter (m2, m4 below), and c_b = E φ'(g)².
_PROPAGATION = {  # activation: (m2 = E φ(g)², m4 = E φ(g)⁴, c_b = E φ'(g)²)
    "relu": (0.5, 1.5, 0.5),
    "identity": (1.0, 3.0, 1.0),
}


def _layer_variances(widths: Any, init: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check ``widths`` (n_0, …, n_L) and turn ``init`` into one weight variance per layer."""
    n = as_int_array(widths, "widths", ndim=1)
    if n.size < 2 or np.any(n < 1):
        raise ValueError(
            f"widths must list at least 2 positive layer sizes (n_0, ..., n_L), got {list(n)}"
        )
    if isinstance(init, str):
        from .nn import init_variance

        v = np.array(
            [init_variance(init, int(a), int(b)) for a, b in zip(n[:-1], n[1:], strict=True)]
        )
    else:
        v = as_float_array(init, "init (weight variances)", ndim=(0, 1)).reshape(-1)
        if v.size == 1:
            v = np.full(n.size - 1, v[0])
        if v.size != n.size - 1:
            raise ValueError(
                f"init must be a scheme name or {n.size - 1} positive weight variances "
                f"(one per layer), got {v.size} values"
            )
        if np.any(~(v > 0)):
            bad = int(np.flatnonzero(~(v > 0))[0])
            raise ValueError(
                f"init (weight variances) must be positive, got {v[bad]} for layer {bad + 1}"
            )
    return n.astype(float), v


class SignalPropagation(NamedTuple):
    """Expected squared norms through a random network (see :func:`variance_propagation`)."""

    forward: np.ndarray
    backward: np.ndarray


def variance_propagation(
    widths: Any, init: Any = "he", activation: str = "relu"
) -> SignalPropagation:
    """How the signal's second moment grows or decays through a random network.

    A net with widths n_0, …, n_L, zero biases, x_l = φ(W_l x_{l−1}) and iid N(0, v_l)
    weights (``init``: a scheme name of :func:`nblib.nn.init_variance`, one variance, or one
    per layer). Forward (eq. ``eq-pr-forward-variance``), exactly:

        E‖x_l‖² = n_l v_l m2 · E‖x_{l−1}‖²,  m2 = E φ(g)² (1/2 for relu, 1 for identity),

    so ``forward[l] = E‖x_l‖²/‖x_0‖²``. Backward (eq. ``eq-pr-backward-variance``), a
    gradient g_{l−1} = W_lᵀ(φ'(z_l) ⊙ g_l) has E‖g_{l−1}‖² = n_{l−1} v_l c_b E‖g_l‖²,
    c_b = E φ'(g)², and ``backward[l] = E‖g_l‖²/‖g_L‖²``: exact for linear nets, for relu
    under the usual assumption that the weights of the backward pass are independent of
    the forward pass (He et al. 2015). He init gives forward[l] = n_l/n_0 (the
    per-unit second moment stays put); LeCun does this for linear nets; Glorot balances
    the two directions (Glorot & Bengio 2010).

    >>> variance_propagation([10, 10, 10], "lecun", "relu").forward
    array([1.  , 0.5 , 0.25])
    """
    n, v = _layer_variances(widths, init)
    _v.check_choice(activation, "activation", tuple(_PROPAGATION))
    m2, _, c_b = _PROPAGATION[activation]
    forward = np.concatenate([[1.0], np.cumprod(n[1:] * v * m2)])
    back_factors = n[:-1] * v * c_b  # layer l maps g_l to g_{l-1}
    backward = np.concatenate([np.cumprod(back_factors[::-1])[::-1], [1.0]])
    return SignalPropagation(forward, backward)


class NormMoments(NamedTuple):
    """E‖x_l‖²/‖x_0‖² and E‖x_l‖⁴/‖x_0‖⁴ per layer (see :func:`squared_norm_moments`)."""

    second: np.ndarray
    fourth: np.ndarray


def squared_norm_moments(widths: Any, init: Any = "he", activation: str = "relu") -> NormMoments:
    """Exact first and second moments of ‖x_l‖²/‖x_0‖² in a random Gaussian network.

    Rotation invariance of N(0, v_l) weights makes the ratios Y_l = ‖x_l‖²/‖x_{l−1}‖²
    independent, each distributed as v_l Σ_{j ≤ n_l} φ(g_j)² (Hanin & Nica 2020), so
    (eq. ``eq-pr-fourth-moment``)

        E Y_l = n_l v_l m2,    E Y_l² = v_l² (n_l m4 + n_l (n_l − 1) m2²),

    with m2, m4 the second and fourth moments of φ(g), g ~ N(0, 1). For equal widths n
    this gives E‖x_L‖⁴/‖x_0‖⁴ = (1 + 5/n)^L for relu with He init and (1 + 2/n)^L for a
    linear net with LeCun init, while E‖x_L‖² stays ‖x_0‖².

    >>> float(squared_norm_moments([32] * 11, "he", "relu").fourth[-1])  # (1 + 5/32)**10
    4.27...
    """
    n, v = _layer_variances(widths, init)
    _v.check_choice(activation, "activation", tuple(_PROPAGATION))
    m2, m4, _ = _PROPAGATION[activation]
    nl = n[1:]
    second = np.concatenate([[1.0], np.cumprod(nl * v * m2)])
    fourth = np.concatenate([[1.0], np.cumprod(v**2 * (nl * m4 + nl * (nl - 1) * m2**2))])
    return NormMoments(second, fourth)


def sample_squared_norms(
    widths: Any,
    n_samples: int,
    init: Any = "he",
    activation: str = "relu",
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """Samples of ‖x_l‖²/‖x_0‖², l = 0, …, L, through random Gaussian networks, exactly
    in distribution and without building any weight matrix.

    By rotation invariance (see :func:`squared_norm_moments`) the ratio of layer l to
    layer l − 1 is an independent v_l χ²_K with K ~ Binomial(n_l, 1/2) for relu (the units
    that are on) and K = n_l for a linear net. Returns shape (n_samples, L + 1); the cost
    is O(n_samples · L), whatever the widths. Use it to study the fluctuations of deep or
    wide networks; simulate the networks themselves for anything else.

    >>> sample_squared_norms([4, 4], 3, rng=0).shape
    (3, 2)
    """
    n, v = _layer_variances(widths, init)
    _v.check_choice(activation, "activation", tuple(_PROPAGATION))
    size = check_scalar(n_samples, "n_samples", low=1, integer=True)
    rng = np.random.default_rng(rng)
    L = n.size - 1
    if activation == "relu":
        dof = rng.binomial(n[1:].astype(int), 0.5, size=(size, L))
    else:
        dof = np.broadcast_to(n[1:], (size, L))
    safe = np.maximum(dof, 1)  # chi²_0 is the point mass at 0
    chi2 = np.where(dof > 0, 2.0 * rng.standard_gamma(safe / 2.0), 0.0)
    return np.concatenate([np.ones((size, 1)), np.cumprod(v * chi2, axis=1)], axis=1)


# ---------------------------------------------------------------------------
# Sections 4.5-4.6: Gaussian processes, Bayesian inference
# ---------------------------------------------------------------------------

_NNGP_ACTIVATIONS = ("relu", "erf")


def _relu_expectation(k11: np.ndarray, k22: np.ndarray, k12: np.ndarray) -> np.ndarray:
    """E[relu(u) relu(v)] for (u, v) ~ N(0, [[k11, k12], [k12, k22]]): the arc-cosine kernel.

    With cos θ = k12 / sqrt(k11 k22) it is sqrt(k11 k22) (sin θ + (π − θ) cos θ) / (2π)
    (eq-pr-relu-expectation; Cho & Saul 2009, degree 1). The arc-cosine kernels of
    degree 0-2 live in ``nblib.kernels`` (Chapter 7); this is their degree-1 case.
    """
    return _gauss_arccos(k11, k22, k12, 1)


def _erf_expectation(k11: np.ndarray, k22: np.ndarray, k12: np.ndarray) -> np.ndarray:
    """E[erf(u) erf(v)] = (2/π) arcsin(2 k12 / sqrt((1 + 2 k11)(1 + 2 k22))) (Williams 1997)."""
    ratio = 2 * k12 / (np.sqrt(1 + 2 * k11) * np.sqrt(1 + 2 * k22))
    return 2 / np.pi * np.arcsin(np.clip(ratio, -1.0, 1.0))


_EXPECTATIONS = {"relu": _relu_expectation, "erf": _erf_expectation}


def nngp_kernel(
    X1: np.ndarray,
    X2: np.ndarray,
    depth: int,
    activation: str = "relu",
    weight_var: float = 2.0,
    bias_var: float = 0.0,
) -> np.ndarray:
    r"""The NNGP kernel of an infinitely wide fully connected network (eq-pr-nngp-recursion).

    A network with ``depth`` hidden layers of width n, weights drawn N(0, weight_var / fan_in)
    and biases N(0, bias_var), has, as n → ∞, Gaussian outputs with covariance
    K(x, x') given by the recursion

    .. math::

        K_0(x, x') = \sigma_w^2\, x^\top x' / d + \sigma_b^2, \qquad
        K_{l}(x, x') = \sigma_w^2\, \mathbb E[\phi(u)\phi(v)] + \sigma_b^2,

    with (u, v) ~ N(0, K_{l-1} restricted to {x, x'}); the output kernel is K_depth.
    ``activation`` "relu" uses the arc-cosine formula (Cho & Saul 2009), "erf" the arcsine
    formula (Williams 1997); both are exact. ``depth = 0`` is the linear model. Raises
    ValueError if the kernel overflows float64 (inputs of norm ~1e154 or more, or a ReLU
    kernel growing like (weight_var / 2)^depth), never returning inf.

    Use it to get the prior covariance of wide random networks, or as the kernel of a
    Gaussian process (:func:`gp_posterior`). Inputs are the rows of ``X1`` (n1, d) and
    ``X2`` (n2, d); the result has shape (n1, n2).

    >>> import numpy as np
    >>> np.round(nngp_kernel(np.eye(2), np.eye(2), depth=1), 4)
    array([[1.    , 0.3183],
           [0.3183, 1.    ]])

    References: Neal (1996); Lee et al. (2018), "Deep neural networks as Gaussian processes".
    """
    X1 = _v.as_float_array(X1, "X1", ndim=2).astype(np.float64)
    X2 = _v.as_float_array(X2, "X2", ndim=2).astype(np.float64)
    if X1.shape[1] != X2.shape[1]:
        raise ValueError(
            f"X1 and X2 must have the same number of columns (input dimension), "
            f"got shapes {X1.shape} and {X2.shape}"
        )
    depth = _v.check_scalar(depth, "depth", low=0, integer=True)
    _v.check_choice(activation, "activation", _NNGP_ACTIVATIONS)
    weight_var = _v.check_scalar(weight_var, "weight_var", low=0, low_inclusive=False)
    bias_var = _v.check_scalar(bias_var, "bias_var", low=0)
    expect = _EXPECTATIONS[activation]
    d = X1.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):
        k12 = weight_var * (X1 @ X2.T) / d + bias_var
        k11 = weight_var * np.sum(X1**2, axis=1) / d + bias_var
        k22 = weight_var * np.sum(X2**2, axis=1) / d + bias_var
    for name, k in (("X1", k11), ("X2", k22)):
        if not np.all(np.isfinite(k)):
            raise ValueError(
                f"{name} has rows whose squared norm overflows float64 in the first-layer kernel "
                f"weight_var * |x|^2 / d (largest |entry| {np.max(np.abs(X1 if name == 'X1' else X2)):.3g}); "
                "rescale the inputs"
            )
    for layer in range(1, depth + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            k12 = weight_var * expect(k11[:, None], k22[None, :], k12) + bias_var
            k11 = weight_var * expect(k11, k11, k11) + bias_var
            k22 = weight_var * expect(k22, k22, k22) + bias_var
        if not (np.all(np.isfinite(k11)) and np.all(np.isfinite(k22)) and np.all(np.isfinite(k12))):
            raise ValueError(
                f"the kernel overflows float64 at layer {layer} of depth = {depth} (with ReLU it "
                f"grows by weight_var / 2 = {weight_var / 2:g} per layer); rescale X1 and X2 or "
                "lower weight_var"
            )
    return k12


def gp_posterior(
    K: np.ndarray,
    K_cross: np.ndarray,
    K_test: np.ndarray,
    y: np.ndarray,
    noise_var: float,
) -> tuple[np.ndarray, np.ndarray, float]:
    r"""Posterior mean, covariance and log marginal likelihood of GP regression (eq-pr-gp-posterior).

    For f ~ GP(0, k) observed as y = f(X) + ε, ε ~ N(0, σ² I), with ``K`` = k(X, X) (n, n),
    ``K_cross`` = k(X*, X) (m, n) and ``K_test`` = k(X*, X*) (m, m):

    .. math::

        \mu_* = K_{*X} (K + \sigma^2 I)^{-1} y, \qquad
        \Sigma_* = K_{**} - K_{*X} (K + \sigma^2 I)^{-1} K_{X*},

        \log p(y) = -\tfrac12 y^\top (K + \sigma^2 I)^{-1} y
                    - \tfrac12 \log\det(K + \sigma^2 I) - \tfrac n2 \log 2\pi,

    computed with one Cholesky factorization (Rasmussen & Williams 2006, Algorithm 2.1).
    Pass precomputed kernel matrices, so any kernel (an NNGP kernel, a random-feature
    Gram matrix) works; ``noise_var`` = 0 is allowed if K is positive definite. ``K`` and
    ``K_test`` must be symmetric to 1e-8 relative to their largest entry (ValueError otherwise).

    >>> import numpy as np
    >>> mean, cov, lml = gp_posterior(np.eye(2), np.eye(2), np.eye(2), np.array([1.0, -1.0]), 1.0)
    >>> mean, np.diag(cov)
    (array([ 0.5, -0.5]), array([0.5, 0.5]))

    Reference: Rasmussen & Williams (2006), *Gaussian Processes for Machine Learning*, ch. 2.
    """
    K = _v.as_float_array(K, "K", ndim=2)
    K_cross = _v.as_float_array(K_cross, "K_cross", ndim=2)
    K_test = _v.as_float_array(K_test, "K_test", ndim=2)
    y = _v.as_float_array(y, "y", ndim=1)
    noise_var = _v.check_scalar(noise_var, "noise_var", low=0)
    n = len(y)
    if K.shape != (n, n):
        raise ValueError(f"K must have shape (len(y), len(y)) = ({n}, {n}), got {K.shape}")
    m = K_cross.shape[0]
    if K_cross.shape[1] != n:
        raise ValueError(f"K_cross must have shape (n_test, {n}), got {K_cross.shape}")
    if K_test.shape != (m, m):
        raise ValueError(
            f"K_test must have shape (n_test, n_test) = ({m}, {m}) to match K_cross, "
            f"got {K_test.shape}"
        )
    for name, M in (("K", K), ("K_test", K_test)):
        asym = float(np.max(np.abs(M - M.T))) if M.size else 0.0
        if asym > 1e-8 * max(float(np.max(np.abs(M))), 1e-300):
            raise ValueError(
                f"{name} must be symmetric (a kernel matrix k(X, X)), but max |{name} - {name}.T| "
                f"= {asym:.3g}; Cholesky would silently use only its lower triangle"
            )
    try:
        L = np.linalg.cholesky(K + noise_var * np.eye(n))
    except np.linalg.LinAlgError as exc:
        raise ValueError(
            "K + noise_var * I is not positive definite; increase noise_var or check K"
        ) from exc
    alpha = _sla.cho_solve((L, True), y)
    mean = K_cross @ alpha
    V = _sla.solve_triangular(L, K_cross.T, lower=True)
    cov = K_test - V.T @ V
    log_ml = -0.5 * y @ alpha - np.sum(np.log(np.diag(L))) - 0.5 * n * np.log(2 * np.pi)
    return mean, cov, float(log_ml)


def bayesian_linear_regression(
    Phi: np.ndarray, y: np.ndarray, prior_var: float, noise_var: float
) -> tuple[np.ndarray, np.ndarray, float]:
    r"""Conjugate Bayesian linear regression: posterior mean, covariance and log evidence.

    Model: w ~ N(0, α I) with α = ``prior_var``, y = Φ w + ε, ε ~ N(0, σ² I) with
    σ² = ``noise_var``; ``Phi`` is the (n, p) design (feature) matrix. Then
    (eq-pr-blr-posterior, eq-pr-blr-evidence)

    .. math::

        A = \Phi^\top\Phi / \sigma^2 + I / \alpha, \quad S = A^{-1}, \quad
        m = S\, \Phi^\top y / \sigma^2,

        \log p(y) = -\tfrac n2 \log(2\pi\sigma^2) - \tfrac p2 \log\alpha
                    - \tfrac12 \log\det A
                    - \tfrac{\lVert y - \Phi m\rVert^2}{2\sigma^2}
                    - \tfrac{\lVert m\rVert^2}{2\alpha},

    all from one p × p Cholesky factorization (the same evidence as the n-dimensional
    Gaussian N(y; 0, α ΦΦᵀ + σ² I), at a cost of O(n p²) instead of O(n³)).
    Use it when the model is linear in its parameters (polynomials, random features, the
    last layer of a network) and the evidence is wanted for model comparison.

    >>> import numpy as np
    >>> m, S, log_ev = bayesian_linear_regression(np.ones((2, 1)), np.array([1.0, 1.0]), 1.0, 1.0)
    >>> m, S
    (array([0.66666667]), array([[0.33333333]]))

    Reference: Bishop (2006), *Pattern Recognition and Machine Learning*, sections 3.3 and 3.5.
    """
    Phi = _v.as_float_array(Phi, "Phi", ndim=2)
    y = _v.as_float_array(y, "y", ndim=1)
    _v.check_same_length(Phi, y, "Phi", "y")
    prior_var = _v.check_scalar(prior_var, "prior_var", low=0, low_inclusive=False)
    noise_var = _v.check_scalar(noise_var, "noise_var", low=0, low_inclusive=False)
    n, p = Phi.shape
    A = Phi.T @ Phi / noise_var + np.eye(p) / prior_var
    L = np.linalg.cholesky(A)
    S = _sla.cho_solve((L, True), np.eye(p))
    S = (S + S.T) / 2
    mean = S @ (Phi.T @ y) / noise_var
    resid = y - Phi @ mean
    log_ev = (
        -0.5 * n * np.log(2 * np.pi * noise_var)
        - 0.5 * p * np.log(prior_var)
        - np.sum(np.log(np.diag(L)))
        - 0.5 * resid @ resid / noise_var
        - 0.5 * mean @ mean / prior_var
    )
    return mean, S, float(log_ev)


def hmc(
    log_prob_and_grad,
    x0: np.ndarray,
    step_size: float,
    n_leapfrog: int | tuple[int, int],
    n_samples: int,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, float]:
    r"""Hamiltonian Monte Carlo with an identity mass matrix (Neal 2011; eq-pr-leapfrog).

    Samples from the density π(x) ∝ exp(log π(x)). Each iteration draws a momentum
    p ~ N(0, I), follows the Hamiltonian H(x, p) = −log π(x) + ‖p‖²/2 with ``n_leapfrog``
    leapfrog steps of size ``step_size``,

    .. math::

        p \leftarrow p + \tfrac\varepsilon2 \nabla\log\pi(x), \quad
        x \leftarrow x + \varepsilon p, \quad
        p \leftarrow p + \tfrac\varepsilon2 \nabla\log\pi(x),

    and accepts the end point with probability min(1, exp(H_start − H_end)); a rejected
    (or non-finite) proposal repeats the current state. This leaves π invariant (detailed
    balance for the proposal (x', −p'); the momentum flip is implicit because p is redrawn).
    A fixed ``n_leapfrog`` can be non-ergodic (a trajectory of half a period maps x to −x on
    a Gaussian); ``n_leapfrog=(low, high)`` draws the number of steps uniformly from
    {low, ..., high} (both included) at every iteration, shared by all chains, which
    avoids such periodic orbits (Neal 2011 recommends randomizing the trajectory length). ``log_prob_and_grad(x)`` returns
    (log π(x), ∇ log π(x)). ``x0`` of shape (d,) runs one chain; of shape (c, d) it runs c
    independent chains at once, and ``log_prob_and_grad`` must then accept a (c, d) array and
    return shapes (c,) and (c, d).

    Returns ``(samples, acceptance_rate)``: samples of shape (n_samples, d) (or
    (n_samples, c, d)), one per iteration, and the fraction of accepted proposals.
    Discard a burn-in yourself. Prefer it to random-walk Metropolis whenever the gradient is
    available; tune ``step_size`` for an acceptance rate of about 0.6-0.9.

    >>> import numpy as np
    >>> samples, rate = hmc(lambda x: (-0.5 * x @ x, -x), np.zeros(2), 0.5, 5, 2000, 0)
    >>> samples.shape, rate > 0.9
    ((2000, 2), True)

    Reference: Neal (2011), "MCMC using Hamiltonian dynamics", Handbook of MCMC, ch. 5.
    """
    if not callable(log_prob_and_grad):
        raise TypeError(
            f"log_prob_and_grad must be a function x -> (log_prob, grad), "
            f"got {type(log_prob_and_grad).__name__}"
        )
    x = _v.as_float_array(x0, "x0", ndim=(1, 2)).astype(np.float64).copy()
    eps = _v.check_scalar(step_size, "step_size", low=0, low_inclusive=False)
    if isinstance(n_leapfrog, (tuple, list)):
        if len(n_leapfrog) != 2:
            raise ValueError(
                f"n_leapfrog must be an int or a pair (low, high), got a sequence of length {len(n_leapfrog)}"
            )
        leap_low = _v.check_scalar(n_leapfrog[0], "n_leapfrog[0] (low)", low=1, integer=True)
        leap_high = _v.check_scalar(
            n_leapfrog[1], "n_leapfrog[1] (high)", low=leap_low, integer=True
        )
        jitter = True
    else:
        leap_low = leap_high = _v.check_scalar(n_leapfrog, "n_leapfrog", low=1, integer=True)
        jitter = False
    n_samples = _v.check_scalar(n_samples, "n_samples", low=1, integer=True)
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    batched = x.ndim == 2
    n_chains = x.shape[0] if batched else 1

    def evaluate(z):
        logp, grad = log_prob_and_grad(z)
        logp = np.asarray(logp, dtype=float)
        grad = np.asarray(grad, dtype=float)
        if grad.shape != z.shape or logp.shape != (z.shape[:1] if batched else ()):
            raise ValueError(
                f"log_prob_and_grad must return a log-density of shape "
                f"{z.shape[:1] if batched else ()} and a gradient of shape {z.shape}, "
                f"got {logp.shape} and {grad.shape}"
            )
        return logp, grad

    logp, grad = evaluate(x)
    if not np.all(np.isfinite(logp)):
        raise ValueError("x0 must have a finite log-density, got -inf or NaN")
    samples = np.empty((n_samples, *x.shape))
    accepted = 0
    for i in range(n_samples):
        n_steps = int(rng.integers(leap_low, leap_high + 1)) if jitter else leap_low
        p = rng.standard_normal(x.shape)
        h_start = -logp + 0.5 * np.sum(p * p, axis=-1)
        x_new, grad_new = x.copy(), grad.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            p = p + 0.5 * eps * grad_new
            for step in range(n_steps):
                x_new = x_new + eps * p
                logp_new, grad_new = evaluate(x_new)
                if step < n_steps - 1:
                    p = p + eps * grad_new
            p = p + 0.5 * eps * grad_new
            h_end = -logp_new + 0.5 * np.sum(p * p, axis=-1)
            log_accept = np.where(np.isfinite(h_end), h_start - h_end, -np.inf)
        accept = np.log(rng.uniform(size=np.shape(log_accept))) < log_accept
        if batched:
            x[accept], logp[accept], grad[accept] = (
                x_new[accept],
                logp_new[accept],
                grad_new[accept],
            )
        elif accept:
            x, logp, grad = x_new, logp_new, grad_new
        accepted += int(np.sum(accept))
        samples[i] = x
    return samples, accepted / (n_samples * n_chains)


def effective_sample_size(samples: np.ndarray) -> np.ndarray | float:
    r"""Effective sample size of a Markov chain, per coordinate (Geyer's initial monotone sequence).

    ESS = N / (1 + 2 Σ_t ρ_t), with the autocorrelations ρ_t estimated by FFT and the sum
    truncated where the sums of adjacent pairs Γ_k = ρ_{2k} + ρ_{2k+1} stop being positive,
    made monotone (Geyer 1992). The Monte-Carlo standard error of a chain average of g is
    sd(g) / sqrt(ESS). ``samples`` is (N,) for one scalar chain (returns a float) or (N, d)
    (returns d values). For an AR(1) chain with coefficient ρ, ESS → N (1 − ρ)/(1 + ρ).
    The estimate is capped at N log10 N (τ floored at 1 / log10 N, as in Stan): antithetic
    chains (negative autocorrelations) can have ESS > N, but an estimated τ near 0 is noise.

    >>> import numpy as np
    >>> round(effective_sample_size(np.random.default_rng(0).standard_normal(10000)) / 10000, 1)
    1.0

    Reference: Geyer (1992), "Practical Markov chain Monte Carlo", Statistical Science 7.
    """
    x = _v.as_float_array(samples, "samples", ndim=(1, 2))
    scalar = x.ndim == 1
    x = x.reshape(len(x), -1)
    n = len(x)
    if n < 4:
        raise ValueError(f"samples must hold at least 4 draws, got {n}")
    centred = x - x.mean(axis=0)
    var = np.mean(centred**2, axis=0)
    if np.any(var == 0):
        raise ValueError("samples has a coordinate that never changes; its ESS is undefined")
    size = 1 << int(np.ceil(np.log2(2 * n)))
    f = np.fft.rfft(centred, n=size, axis=0)
    acov = np.fft.irfft(f * np.conj(f), n=size, axis=0)[:n] / n
    rho = acov / var
    out = np.empty(x.shape[1])
    for j in range(x.shape[1]):
        pairs = rho[: 2 * (n // 2), j].reshape(-1, 2).sum(axis=1)  # Γ_k = ρ_2k + ρ_2k+1
        positive = np.nonzero(pairs <= 0)[0]
        k_max = positive[0] if len(positive) else len(pairs)
        gammas = np.minimum.accumulate(pairs[:k_max])
        tau = -1.0 + 2.0 * np.sum(gammas)  # 1 + 2 Σ_{t≥1} ρ_t = −ρ_0 + 2 Σ_k Γ_k
        out[j] = n / max(tau, 1.0 / np.log10(max(n, 10)))
    return float(out[0]) if scalar else out
