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
        # the NLL is n × losses.cross_entropy, and a small perturbation only increases the objective
        base = len(y) * losses.cross_entropy(X @ W.T, y)
        assert np.isfinite(base)


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
