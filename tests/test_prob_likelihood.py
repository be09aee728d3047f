"""nblib.prob, Section 4.1: maximum-likelihood and MAP fits of a linear softmax model, against
statsmodels (MNLogit, Logit) and scikit-learn (LogisticRegression)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression

from nblib import losses, nn, prob


def _data(n=400, k=3, d=3, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((k, d))
    X = np.column_stack([np.ones(n), rng.standard_normal((n, d - 1))])
    p = nn.softmax(X @ W.T)
    y = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(max=k - 1)
    return X, y


@pytest.mark.parametrize("k", [3, 4])
def test_mle_equals_statsmodels_mnlogit(k):
    X, y = _data(k=k, seed=k)
    W = prob.fit_softmax_regression(X, y, k)
    ref = sm.MNLogit(y, X).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
    assert W.shape == (k, X.shape[1]) and np.all(W[0] == 0)
    np.testing.assert_allclose(W[1:], ref.params.T, rtol=1e-5, atol=1e-8)


def test_two_class_mle_equals_statsmodels_logit():
    X, y = _data(k=2, seed=7)
    W = prob.fit_softmax_regression(X, y)
    ref = sm.Logit(y, X).fit(method="newton", tol=1e-12, disp=0)
    np.testing.assert_allclose(W[1], ref.params, rtol=1e-6)


@pytest.mark.parametrize("prior_var", [0.05, 1.0, 20.0])
def test_map_equals_sklearn_logistic_regression(prior_var):
    X, y = _data(n=150, seed=1)
    W = prob.fit_softmax_regression(X, y, 3, prior_var=prior_var)
    clf = LogisticRegression(C=prior_var, fit_intercept=False, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(W, clf.coef_, rtol=1e-5, atol=1e-7)


def test_gradient_vanishes_at_the_fit():
    X, y = _data(seed=4)
    for prior_var in (None, 0.3):
        W = prob.fit_softmax_regression(X, y, 3, prior_var=prior_var)
        grad = (nn.softmax(X @ W.T) - np.eye(3)[y]).T @ X
        if prior_var is None:
            grad = grad[1:]  # only the free rows
        else:
            grad = grad + W / prior_var
        np.testing.assert_allclose(grad, 0, atol=1e-8)
        # the NLL is n × losses.cross_entropy; at the minimum a step of size ε in any direction d
        # (|d| = 1) raises the objective by ε² dᵀHd/2 + O(ε³): with ε = 1e-3 and the Hessian's
        # smallest eigenvalue ≈ 5.8 (more with the prior) that is ≥ 2.9e-6, while the rounding
        # error of the objective (≈ 250) is ~1e-13: every perturbation must raise it.
        precision = 0.0 if prior_var is None else 1 / prior_var

        def objective(V, precision=precision):
            return len(y) * losses.cross_entropy(X @ V.T, y) + 0.5 * precision * np.sum(V**2)

        base = objective(W)
        rng = np.random.default_rng(40)
        for _ in range(20):
            D = rng.standard_normal(W.shape)
            if prior_var is None:
                D[0] = 0.0  # the MLE fixes row 0; shifting all rows together changes nothing
            D *= 1e-3 / np.linalg.norm(D)
            assert objective(W + D) > base and objective(W - D) > base


@pytest.mark.parametrize("tau2", [0.1, 1.0])
def test_two_class_map_is_binary_fit_with_doubled_prior_variance(tau2):
    # For K = 2 the MAP rows satisfy W[0] = -W[1]; w = W[1] - W[0] carries ||w||²/(4τ²), a prior
    # N(0, 2τ²): scikit-learn's binary LogisticRegression with C = 2τ² (and prior_var = τ²/2 ⇔ C = τ²).
    X, y = _data(n=40, k=2, d=2, seed=9)
    W = prob.fit_softmax_regression(X, y, 2, prior_var=tau2)
    np.testing.assert_allclose(W[0], -W[1], rtol=1e-10, atol=1e-12)
    for prior_var, C in ((tau2, 2 * tau2), (tau2 / 2, tau2)):
        W = prob.fit_softmax_regression(X, y, 2, prior_var=prior_var)
        clf = LogisticRegression(C=C, fit_intercept=False, tol=1e-12, max_iter=10_000).fit(X, y)
        np.testing.assert_allclose(W[1] - W[0], clf.coef_[0], rtol=1e-5, atol=1e-8)


def test_absent_class_is_named():
    X, y = _data(n=60, k=3, seed=2)
    y = np.where(y == 1, 0, y)  # class 1 never occurs
    with pytest.raises(ValueError, match=r"class 1 never occurs in y"):
        prob.fit_softmax_regression(X, y, 3)
    with pytest.raises(ValueError, match=r"class 2 never occurs .*absent classes: \[2, 3\]"):
        prob.fit_softmax_regression(X, np.where(y == 2, 1, y), 4)  # classes 2 and 3 absent
    W = prob.fit_softmax_regression(X, y, 3, prior_var=1.0)  # a prior makes it well posed
    assert np.all(np.isfinite(W))


def test_separable_data_raise_a_helpful_error():
    X = np.column_stack([np.ones(6), [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0]])
    y = np.array([0, 0, 0, 1, 1, 1])
    with pytest.raises(ValueError, match="separable"):
        prob.fit_softmax_regression(X, y)
    W = prob.fit_softmax_regression(X, y, prior_var=1.0)  # a prior makes it well posed
    assert np.all(np.isfinite(W))


def test_input_validation():
    X, y = _data(n=20)
    with pytest.raises(ValueError, match="same number of samples"):
        prob.fit_softmax_regression(X, y[:-1])
    with pytest.raises(ValueError, match="negative label"):
        prob.fit_softmax_regression(X, np.r_[y[:-1], -1])
    with pytest.raises(ValueError, match="n_classes = 2"):
        prob.fit_softmax_regression(X, np.r_[y[:-1], 2], n_classes=2)
    with pytest.raises(ValueError, match="prior_var must be > 0"):
        prob.fit_softmax_regression(X, y, prior_var=0.0)
    with pytest.raises(ValueError, match="X must be 2-d"):
        prob.fit_softmax_regression(X[:, 0], y)
    with pytest.raises(ValueError, match="linearly dependent|flat"):
        prob.fit_softmax_regression(np.column_stack([X, X[:, 1]]), y)
