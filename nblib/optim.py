"""Optimizers behind one interface, learning-rate schedules, and a loop to run them.

Every optimizer is used the same way::

    opt = Adam(lr=1e-3)
    opt.step(params, grads)      # updates the arrays in ``params`` in place

``params`` is a list of float arrays (``model.params``), ``grads`` the list of their
gradients in the same order and shapes (``model.grads``). The optimizer keeps its state
(velocities, moment estimates) per parameter, by position in the list, in ``opt.state``;
``opt.t`` counts the steps. ``opt.lr`` is a plain attribute: a schedule may change it
between steps. Below g is a gradient, η the learning rate and t the step number (from 1).

First-order methods (they match ``torch.optim`` exactly, see each docstring):

===========  ================================================================
SGD          w ← w − η g
Momentum     v ← βv + η g;   w ← w − v
Nesterov     v ← βv + η g;   w ← w − (βv + η g)
AdaGrad      s ← s + g²;     w ← w − η g / (√s + ε)
RMSProp      s ← αs + (1 − α) g²;   w ← w − η g / (√s + ε)
Adam         m ← β₁m + (1 − β₁) g;  v ← β₂v + (1 − β₂) g²;
             m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);  w ← w − η m̂ / (√v̂ + ε)
AdamW        w ← w − ηλw, then the Adam step
===========  ================================================================

``weight_decay=λ`` (all but AdamW) replaces g by g + λw before the update: the gradient
of the penalty (λ/2)‖w‖² (``losses.l2_penalty``), as in ``torch.optim``. AdamW instead
*decouples* the decay from the adaptive scaling.

Second-order and curvature-aware methods work on all parameters as one flat vector
(the arrays raveled and concatenated in order) and take the curvature as an extra
argument of ``step``: ``Newton`` (the Hessian), ``NaturalGradient`` (a Fisher matrix, or
per-example gradients for the empirical Fisher), ``BFGS`` (builds an inverse-Hessian
estimate from gradient differences; with a line search it needs the function) and
``KFAC`` (one dense layer's inputs and pre-activation gradients).

``run(optimizer, fn, x0, steps)`` runs any of them on a ``nblib.landscapes`` function
and returns the trajectory.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._validate import as_float_array, check_scalar

Schedule = Callable[[int], float]

# ---------------------------------------------------------------------------
# Checks shared by the optimizers
# ---------------------------------------------------------------------------


def _check_lr(lr: Any) -> float:
    return check_scalar(lr, "lr", low=0.0)


def _check_unit(value: Any, name: str) -> float:
    """A decay rate in [0, 1)."""
    return check_scalar(value, name, low=0.0, high=1.0, high_inclusive=False)


def _check_positive(value: Any, name: str) -> float:
    return check_scalar(value, name, low=0.0, low_inclusive=False)


def _check_betas(betas: Any) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return _check_unit(betas[0], "betas[0]"), _check_unit(betas[1], "betas[1]")


def _flat(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """All arrays raveled and concatenated into one vector, in order."""
    return np.concatenate([a.ravel() for a in arrays])


def _subtract_flat(params: Sequence[np.ndarray], delta: np.ndarray) -> None:
    """w ← w − Δ for every array, with Δ cut from the flat vector ``delta`` in order."""
    start = 0
    for w in params:
        w -= delta[start : start + w.size].reshape(w.shape)
        start += w.size


def _solve_damped(matrix: np.ndarray, damping: float, g: np.ndarray, name: str) -> np.ndarray:
    """(M + λI)⁻¹ g, or a ValueError naming ``name`` if M + λI is singular."""
    try:
        d = np.linalg.solve(matrix + damping * np.eye(len(g)), g)
    except np.linalg.LinAlgError:
        d = None
    if d is None or not np.all(np.isfinite(d)):
        raise ValueError(f"{name} + damping·I is singular (damping = {damping}); increase damping")
    return d


def _square_matrix(value: Any, name: str, n: int) -> np.ndarray:
    M = as_float_array(value, name, ndim=2, dtype=np.float64)
    if M.shape != (n, n):
        raise ValueError(
            f"{name} must have shape ({n}, {n}) for {n} parameters in all, got {M.shape}"
        )
    return M


# ---------------------------------------------------------------------------
# The interface
# ---------------------------------------------------------------------------


class Optimizer:
    """The shared interface: ``step(params, grads)`` updates ``params`` in place.

    A subclass writes its update for one parameter array in ``_update(w, g, state)``,
    where ``state`` is that parameter's dict of running quantities. ``needs`` names the
    extra keyword arguments its ``step`` takes (``run`` supplies them).
    """

    needs: tuple[str, ...] = ()
    decoupled_weight_decay = False  # True for AdamW

    def __init__(self, lr: float, weight_decay: float = 0.0) -> None:
        self.lr = _check_lr(lr)
        self.weight_decay = check_scalar(weight_decay, "weight_decay", low=0.0)
        self.state: list[dict[str, np.ndarray]] = []
        self.t = 0
        self._shapes: list[tuple[int, ...]] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g})"

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """One update of every array in ``params``, in place."""
        grads = self._check(params, grads)
        self.t += 1
        decay = self.weight_decay
        for w, g, state in zip(params, grads, self.state, strict=True):
            if decay and self.decoupled_weight_decay:
                w *= 1 - self.lr * decay  # w ← w − ηλw, decoupled (AdamW)
            elif decay:
                g = g + decay * w  # g ← g + λw, the gradient of (λ/2)‖w‖²
            self._update(w, g, state)

    def _update(self, w: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def _check(self, params: Any, grads: Any) -> list[np.ndarray]:
        """Check lr, params and grads; return the grads as float arrays."""
        _check_lr(self.lr)  # a schedule may have set it
        if not isinstance(params, (list, tuple)) or not isinstance(grads, (list, tuple)):
            raise TypeError(
                f"params and grads must be lists of arrays, got {type(params).__name__} "
                f"and {type(grads).__name__}"
            )
        if not params:
            raise ValueError("params must hold at least one array, got an empty list")
        if len(params) != len(grads):
            raise ValueError(
                f"params and grads must have the same length, got {len(params)} and {len(grads)}"
            )
        checked = []
        for i, (w, g) in enumerate(zip(params, grads, strict=True)):
            if not isinstance(w, np.ndarray) or w.dtype.kind != "f":
                got = w.dtype if isinstance(w, np.ndarray) else type(w).__name__
                raise TypeError(
                    f"params[{i}] must be a float numpy array (updated in place), got {got}"
                )
            # The common case, a finite float array, is checked in one pass; anything else
            # goes through the full conversion, which raises naming the argument.
            if not (isinstance(g, np.ndarray) and g.dtype.kind == "f" and np.isfinite(g).all()):
                g = as_float_array(g, f"grads[{i}]", nonempty=False)
            if g.shape != w.shape:
                raise ValueError(
                    f"grads[{i}] must have the shape of params[{i}], {w.shape}, got {g.shape}"
                )
            checked.append(g)
        shapes = [w.shape for w in params]
        if self._shapes is None:
            self._shapes = shapes
            self.state = [{} for _ in params]
        elif shapes != self._shapes:
            raise ValueError(
                f"params must have the shapes of the previous steps {self._shapes}, got {shapes}; "
                "use a new optimizer for different parameters"
            )
        return checked


def _zeros(state: dict[str, np.ndarray], key: str, like: np.ndarray) -> np.ndarray:
    """``state[key]``, created as zeros of the shape of ``like`` on first use."""
    if key not in state:
        state[key] = np.zeros_like(like)
    return state[key]


# ---------------------------------------------------------------------------
# First-order methods
# ---------------------------------------------------------------------------


class SGD(Optimizer):
    """Gradient descent, w ← w − η g, with g + λw in place of g if ``weight_decay=λ``.

    Same as ``torch.optim.SGD(lr=η, weight_decay=λ)``.
    """

    def _update(self, w, g, state):
        w -= self.lr * g


class Momentum(Optimizer):
    """Heavy-ball momentum in the book's form:

    .. math::  v ← βv + η g,    w ← w − v          (v = 0 at the start)

    v is a running sum of past steps, so a constant gradient gives steps growing to
    η g / (1 − β). ``torch.optim.SGD(lr=η, momentum=β)`` keeps b ← βb + g instead and
    steps w ← w − η b, with the learning rate *outside* the buffer; the two agree
    (v = η b) only while η is constant. torch also has ``dampening`` τ, b ← βb + (1 − τ) g,
    which it skips on the first step (b = g); here there is none.
    """

    def __init__(self, lr: float, beta: float = 0.9, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.beta = _check_unit(beta, "beta")

    def _velocity(self, w, g, state):
        v = _zeros(state, "v", w)
        v *= self.beta
        v += self.lr * g  # v ← βv + ηg
        return v

    def _update(self, w, g, state):
        w -= self._velocity(w, g, state)


class Nesterov(Momentum):
    """Nesterov momentum, in the form that needs only the gradient at w:

    .. math::  v ← βv + η g,    w ← w − (βv + η g)

    This is Sutskever et al.'s v ← βv + η∇L(w − βv), w ← w − v, rewritten for the
    look-ahead point (Bengio et al. 2013). Same as ``torch.optim.SGD(lr=η, momentum=β,
    nesterov=True)`` while η is constant (torch: b ← βb + g, w ← w − η(g + βb)).
    """

    def _update(self, w, g, state):
        v = self._velocity(w, g, state)
        w -= self.beta * v + self.lr * g


class AdaGrad(Optimizer):
    """AdaGrad: each coordinate's step shrinks with its accumulated squared gradients.

    .. math::  s ← s + g²,    w ← w − η g / (√s + ε)

    Same as ``torch.optim.Adagrad(lr=η, eps=ε)`` (whose ``lr_decay`` and
    ``initial_accumulator_value`` are 0 by default).
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-10, weight_decay: float = 0.0) -> None:
        super().__init__(lr, weight_decay)
        self.eps = _check_positive(eps, "eps")

    def _update(self, w, g, state):
        s = _zeros(state, "s", w)
        s += g * g
        w -= self.lr * g / (np.sqrt(s) + self.eps)


class RMSProp(Optimizer):
    """RMSProp: AdaGrad with a leaky (exponential moving) average of squared gradients.

    .. math::  s ← αs + (1 − α) g²,    w ← w − η g / (√s + ε)

    Same as ``torch.optim.RMSprop(lr=η, alpha=α, eps=ε)`` (without its ``momentum`` and
    ``centered`` options). There is no bias correction: s starts at 0.
    """

    def __init__(
        self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0
    ) -> None:
        super().__init__(lr, weight_decay)
        self.alpha = _check_unit(alpha, "alpha")
        self.eps = _check_positive(eps, "eps")

    def _update(self, w, g, state):
        s = _zeros(state, "s", w)
        s *= self.alpha
        s += (1 - self.alpha) * g * g
        w -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction, as ``torch.optim.Adam``:

    .. math::  m ← β₁m + (1 − β₁) g,          v ← β₂v + (1 − β₂) g²
    .. math::  m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ),   w ← w − η m̂ / (√v̂ + ε)

    ε sits outside the square root and after the bias correction, as in torch. (The
    paper's "efficient" form w ← w − η √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε) adds ε before
    the correction, which amounts to a smaller ε early on.) ``weight_decay=λ`` adds λw
    to g, as torch's Adam does: an L2 penalty, whose pull is then rescaled by 1/√v̂ like
    the rest of the gradient; AdamW decouples it.
    """

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr, weight_decay)
        self.betas = _check_betas(betas)
        self.eps = _check_positive(eps, "eps")

    def _update(self, w, g, state):
        beta1, beta2 = self.betas
        m, v = _zeros(state, "m", w), _zeros(state, "v", w)
        buf = np.empty_like(w)  # one scratch array; every step below works in place
        m *= beta1
        np.multiply(g, 1 - beta1, out=buf)
        m += buf  # m ← β₁m + (1 − β₁) g
        v *= beta2
        np.multiply(g, g, out=buf)
        buf *= 1 - beta2
        v += buf  # v ← β₂v + (1 − β₂) g²
        np.sqrt(v, out=buf)
        buf /= np.sqrt(1 - beta2**self.t)
        buf += self.eps  # √v̂ + ε, with v̂ = v / (1 − β₂ᵗ)
        np.divide(m, buf, out=buf)
        buf *= self.lr / (1 - beta1**self.t)  # η m̂ / (√v̂ + ε), with m̂ = m / (1 − β₁ᵗ)
        w -= buf


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), as ``torch.optim.AdamW``:

    .. math::  w ← w − ηλw,   then the Adam step with the plain gradient g.

    Unlike ``Adam(weight_decay=λ)`` the decay is not divided by √v̂, so every weight
    shrinks at the same rate ηλ. torch's default λ is 0.01, as here.
    """

    decoupled_weight_decay = True

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(lr, betas, eps, weight_decay)


# ---------------------------------------------------------------------------
# Second-order and curvature-aware methods
# ---------------------------------------------------------------------------


class Newton(Optimizer):
    """Damped Newton's method on all parameters as one flat vector w:

    .. math::  w ← w − η (H + λI)⁻¹ g

    with H the Hessian ∇²L(w), of shape (n, n) for n parameters in all (the arrays in
    ``params`` raveled and concatenated in order). With η = 1, λ = 0 it jumps to the
    stationary point of the local quadratic model: the minimum of a convex quadratic
    in one step, but just as readily a saddle or a maximum. Use
    ``step(params, grads, hessian=H)``.
    """

    needs = ("hessian",)

    def __init__(self, lr: float = 1.0, damping: float = 0.0) -> None:
        super().__init__(lr)
        self.damping = check_scalar(damping, "damping", low=0.0)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray], hessian: Any) -> None:
        g = _flat(self._check(params, grads))
        H = _square_matrix(hessian, "hessian", g.size)
        self.t += 1
        _subtract_flat(params, self.lr * _solve_damped(H, self.damping, g, "hessian"))


def empirical_fisher(per_example_grads: Any) -> np.ndarray:
    """The empirical Fisher F = (1/n) Σᵢ gᵢ gᵢᵀ = GᵀG / n from per-example gradients
    gᵢ, the rows of ``per_example_grads`` (shape (n, n_params))."""
    G = as_float_array(per_example_grads, "per_example_grads", ndim=2, dtype=np.float64)
    return G.T @ G / len(G)


class NaturalGradient(Optimizer):
    """Natural gradient descent: steepest descent measured by the KL divergence between
    the model's predictive distributions, not by the Euclidean length of Δw:

    .. math::  w ← w − η (F + λI)⁻¹ g

    F is the Fisher information matrix of all parameters as one flat vector. Pass it as
    ``step(params, grads, fisher=F)``, or pass ``per_example_grads`` (rows gᵢ) to use the
    empirical Fisher (1/n) Σ gᵢ gᵢᵀ (``empirical_fisher``). With F = I it is plain
    gradient descent; it is Newton's method with F in place of the Hessian.
    """

    needs = ("fisher",)

    def __init__(self, lr: float = 1.0, damping: float = 0.0) -> None:
        super().__init__(lr)
        self.damping = check_scalar(damping, "damping", low=0.0)

    def step(
        self,
        params: list[np.ndarray],
        grads: list[np.ndarray],
        fisher: Any = None,
        *,
        per_example_grads: Any = None,
    ) -> None:
        g = _flat(self._check(params, grads))
        if (fisher is None) == (per_example_grads is None):
            raise TypeError("give exactly one of fisher and per_example_grads")
        if fisher is None:
            fisher = empirical_fisher(per_example_grads)
            name = "the empirical Fisher"
            if fisher.shape != (g.size, g.size):
                raise ValueError(
                    f"per_example_grads must have {g.size} columns (all parameters), "
                    f"got shape {np.shape(per_example_grads)}"
                )
        else:
            fisher, name = _square_matrix(fisher, "fisher", g.size), "fisher"
        self.t += 1
        _subtract_flat(params, self.lr * _solve_damped(fisher, self.damping, g, name))


class BFGS(Optimizer):
    """The BFGS quasi-Newton method, on all parameters as one flat vector x.

    It keeps an estimate H of the *inverse* Hessian, starting from H = I, and steps

    .. math::  p = −H g,    x ← x + α p

    with α from a line search (``line_search=True``: the strong Wolfe conditions with
    constants c₁, c₂, by the same routines scipy's BFGS uses, so the iterates match
    ``scipy.optimize.minimize(method="BFGS")``) or the fixed α = ``lr``. At the next step,
    with s = αp and y = g_new − g, it updates

    .. math::  H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ,    ρ = 1 / (yᵀs)

    so that H y = s (the secant condition). The update is skipped if yᵀs ≤ 0, which a
    Wolfe line search rules out but a fixed step does not. With a line search, call
    ``step(params, grads, fn=f)`` with f an object with ``.value(x)`` and ``.grad(x)``
    (a landscape). If the line search finds no acceptable step (at a minimum, to
    rounding), the parameters stay where they are and ``stalled`` is set.
    """

    def __init__(
        self, lr: float = 1.0, *, line_search: bool = True, c1: float = 1e-4, c2: float = 0.9
    ) -> None:
        super().__init__(lr)
        self.line_search = bool(line_search)
        self.c1 = check_scalar(c1, "c1", low=0.0, low_inclusive=False)
        self.c2 = check_scalar(c2, "c2", low=self.c1, high=1.0, low_inclusive=False)
        self.needs = ("fn",) if self.line_search else ()
        self.H: np.ndarray | None = None  # the inverse-Hessian estimate
        self.stalled = False
        self._s = self._g = self._f = None  # the last step, gradient and value

    def step(self, params: list[np.ndarray], grads: list[np.ndarray], fn: Any = None) -> None:
        g = _flat(self._check(params, grads))
        if self.line_search and fn is None:
            raise TypeError("BFGS with line_search=True needs fn (with .value and .grad) in step")
        if self.H is None:
            self.H = np.eye(g.size)
        if self._s is not None:
            self._update_inverse_hessian(self._s, g - self._g)
        p = -(self.H @ g)
        alpha = self._wolfe_step(fn, _flat(params), p, g) if self.line_search else self.lr
        self.t += 1
        self.stalled = alpha is None
        s = np.zeros_like(p) if alpha is None else alpha * p
        _subtract_flat(params, -s)  # x ← x + s
        self._s, self._g = s, g

    def _update_inverse_hessian(self, s: np.ndarray, y: np.ndarray) -> None:
        ys = y @ s
        if ys <= 0:
            return
        rho, I = 1.0 / ys, np.eye(len(s))
        # Written in the same floating-point order as scipy's _minimize_bfgs.
        A1 = I - s[:, None] * y[None, :] * rho
        A2 = I - y[:, None] * s[None, :] * rho
        self.H = A1 @ (self.H @ A2) + rho * s[:, None] * s[None, :]

    def _wolfe_step(self, fn: Any, x: np.ndarray, p: np.ndarray, g: np.ndarray) -> float | None:
        """α satisfying the strong Wolfe conditions along p, or None.

        scipy's BFGS tries MINPACK's line search (``line_search_wolfe1``) and falls back on
        ``line_search_wolfe2`` (public as ``scipy.optimize.line_search``). Both guess the
        first trial step from the decrease at the previous step, f_prev − f.
        """
        from scipy.optimize import _linesearch

        f = fn.value(x)
        f_prev = f + np.linalg.norm(g) / 2 if self._f is None else self._f  # as scipy: dx ≈ 1
        self._f = f
        args = (fn.value, fn.grad, x, p, g, f, f_prev)
        kwargs = {"c1": self.c1, "c2": self.c2, "amax": 1e100}
        alpha = _linesearch.line_search_wolfe1(*args, amin=1e-100, **kwargs)[0]
        if alpha is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", _linesearch.LineSearchWarning)
                alpha = _linesearch.line_search_wolfe2(*args, **kwargs)[0]
        return alpha


def kfac_factors(inputs: Any, preact_grads: Any) -> tuple[np.ndarray, np.ndarray]:
    """The Kronecker factors of a dense layer's Fisher: A = E[a aᵀ] and G = E[δ δᵀ].

    ``inputs``: the layer inputs aᵢ as rows, shape (n, n_in); ``preact_grads``: the
    per-example gradients δᵢ = ∂ℓᵢ/∂zᵢ of the pre-activations z = W a + b, shape
    (n, n_out). (Gradients of the batch *mean* loss are δᵢ/n: multiply them by n.)
    """
    a = as_float_array(inputs, "inputs", ndim=2, dtype=np.float64)
    d = as_float_array(preact_grads, "preact_grads", ndim=2, dtype=np.float64)
    if len(a) != len(d):
        raise ValueError(
            f"inputs and preact_grads must have one row per example, got shapes "
            f"{a.shape} and {d.shape}"
        )
    return a.T @ a / len(a), d.T @ d / len(d)


def kfac_direction(grad_W: Any, A: Any, G: Any, damping: float = 0.0) -> np.ndarray:
    """(G + λI)⁻¹ ∇W (A + λI)⁻¹: the K-FAC natural-gradient direction for W (n_out, n_in).

    Why: the per-example gradient of W is δ aᵀ, whose row-major flattening is δ ⊗ a, so
    the Fisher is F = E[(δδᵀ) ⊗ (aaᵀ)] ≈ E[δδᵀ] ⊗ E[aaᵀ] = G ⊗ A (K-FAC's approximation:
    a and δ treated as independent). For symmetric factors (G ⊗ A)⁻¹ vec(∇W) =
    vec(G⁻¹ ∇W A⁻¹): two small inverses instead of one of size n_out·n_in. (With
    column-stacking vec, as in Martens & Grosse 2015, the same matrix is written A ⊗ G.)
    The damping λ is added to each factor, so the direction is the natural gradient
    for (G + λI) ⊗ (A + λI), not for G ⊗ A + λI.
    """
    grad_W = as_float_array(grad_W, "grad_W", ndim=2, dtype=np.float64)
    n_out, n_in = grad_W.shape
    A = _square_matrix(A, "A", n_in)
    G = _square_matrix(G, "G", n_out)
    damping = check_scalar(damping, "damping", low=0.0)
    right = _solve_damped(A, damping, grad_W.T, "A").T  # ∇W (A + λI)⁻¹, A symmetric
    return _solve_damped(G, damping, right, "G")


class KFAC(Optimizer):
    """K-FAC (Martens & Grosse 2015) for one dense layer z = W a + b:

    .. math::  W ← W − η (G + λI)⁻¹ ∇W (A + λI)⁻¹

    with A = E[ā āᵀ], G = E[δ δᵀ] from ``kfac_factors``. ``params`` is ``[W]`` or
    ``[W, b]``; with a bias, a is extended by a constant 1 (ā = (a, 1)) and W by the
    column b, so the bias is preconditioned with W. Call
    ``step(params, grads, inputs=a, preact_grads=δ)`` with the per-example δ.
    ``decay`` > 0 keeps exponential moving averages of A and G over steps
    (A ← decay·A + (1 − decay)·A_batch), as K-FAC does in practice.
    """

    needs = ("inputs", "preact_grads")

    def __init__(self, lr: float, damping: float = 1e-3, decay: float = 0.0) -> None:
        super().__init__(lr)
        self.damping = check_scalar(damping, "damping", low=0.0)
        self.decay = _check_unit(decay, "decay")
        self.A: np.ndarray | None = None
        self.G: np.ndarray | None = None

    def step(
        self, params: list[np.ndarray], grads: list[np.ndarray], inputs: Any, preact_grads: Any
    ) -> None:
        grads = self._check(params, grads)
        if (
            len(params) not in (1, 2)
            or params[0].ndim != 2
            or (len(params) == 2 and params[1].shape != params[0].shape[:1])
        ):
            raise ValueError(
                f"params must be [W] or [W, b] of one dense layer, got shapes "
                f"{[w.shape for w in params]}"
            )
        a = as_float_array(inputs, "inputs", ndim=2, dtype=np.float64)
        if len(params) == 2:
            a = np.hstack([a, np.ones((len(a), 1))])  # ā = (a, 1) for the bias
        A, G = kfac_factors(a, preact_grads)
        grad_W = np.column_stack(grads)  # [∇W | ∇b]
        if A.shape[0] != grad_W.shape[1] or G.shape[0] != grad_W.shape[0]:
            raise ValueError(
                f"inputs and preact_grads must have {params[0].shape[1]} and "
                f"{params[0].shape[0]} columns for W of shape {params[0].shape}, got "
                f"shapes {np.shape(inputs)} and {np.shape(preact_grads)}"
            )
        if self.A is None or self.decay == 0:
            self.A, self.G = A, G
        else:
            self.A = self.decay * self.A + (1 - self.decay) * A
            self.G = self.decay * self.G + (1 - self.decay) * G
        self.t += 1
        D = self.lr * kfac_direction(grad_W, self.A, self.G, self.damping)
        params[0] -= D[:, : params[0].shape[1]]
        if len(params) == 2:
            params[1] -= D[:, -1]


# ---------------------------------------------------------------------------
# Learning-rate schedules: small callables t -> lr, for t = 0, 1, 2, ...
# ---------------------------------------------------------------------------


def _check_t(t: Any) -> int:
    return check_scalar(t, "t", low=0, integer=True)


def _check_steps(value: Any, name: str) -> int:
    return check_scalar(value, name, low=1, integer=True)


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """η_t = η · γ^⌊t / step_size⌋: multiply by γ every ``step_size`` steps
    (``torch.optim.lr_scheduler.StepLR``)."""
    lr, step_size = _check_lr(lr), _check_steps(step_size, "step_size")
    gamma = check_scalar(gamma, "gamma", low=0.0)
    return lambda t: lr * gamma ** (_check_t(t) // step_size)


def exponential_decay(lr: float, gamma: float) -> Schedule:
    """η_t = η · γᵗ (``torch.optim.lr_scheduler.ExponentialLR``)."""
    lr, gamma = _check_lr(lr), check_scalar(gamma, "gamma", low=0.0)
    return lambda t: lr * gamma ** _check_t(t)


def cosine(lr: float, total_steps: int, lr_min: float = 0.0) -> Schedule:
    """η_t = η_min + ½ (η − η_min)(1 + cos(π t / T)) for t ≤ T, then η_min.

    Equals ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T, eta_min=η_min)`` up to
    t = T; torch's rate then rises again (a period of 2T), this one stays at η_min.
    """
    lr, T = _check_lr(lr), _check_steps(total_steps, "total_steps")
    lr_min = check_scalar(lr_min, "lr_min", low=0.0, high=lr)
    return lambda t: (
        lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * min(_check_t(t), T) / T))
    )


def linear_warmup(lr: float, warmup_steps: int) -> Schedule:
    """η_t = η · min(1, (t + 1) / W): a linear ramp reaching η at step W − 1, never 0.

    Equals ``torch.optim.lr_scheduler.LinearLR(start_factor=1/W, total_iters=W − 1)``.
    """
    lr, W = _check_lr(lr), _check_steps(warmup_steps, "warmup_steps")
    return lambda t: lr * min(1.0, (_check_t(t) + 1) / W)


def sequence(first: Schedule, then: Schedule, at: int) -> Schedule:
    """``first(t)`` for t < ``at``, then ``then(t − at)``: the second schedule restarts its
    clock at ``at`` (``torch.optim.lr_scheduler.SequentialLR``)."""
    at = _check_steps(at, "at")
    if not (callable(first) and callable(then)):
        raise TypeError("first and then must be schedules, callables t -> lr")
    return lambda t: first(t) if _check_t(t) < at else then(t - at)


def warmup_cosine(lr: float, warmup_steps: int, total_steps: int, lr_min: float = 0.0) -> Schedule:
    """Linear warm-up for ``warmup_steps`` steps, then cosine decay to ``lr_min`` at
    ``total_steps``: ``sequence(linear_warmup(lr, W), cosine(lr, T − W, lr_min), W)``."""
    W, T = _check_steps(warmup_steps, "warmup_steps"), _check_steps(total_steps, "total_steps")
    if T <= W:
        raise ValueError(f"total_steps must exceed warmup_steps, got {T} and {W}")
    return sequence(linear_warmup(lr, W), cosine(lr, T - W, lr_min), W)


# ---------------------------------------------------------------------------
# Running an optimizer on a function
# ---------------------------------------------------------------------------


def run(
    optimizer: Optimizer,
    fn: Any,
    x0: Any,
    steps: int,
    *,
    schedule: Schedule | None = None,
    return_values: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Run ``optimizer`` on ``fn`` from ``x0`` for ``steps`` steps.

    ``fn`` has ``.value(x)``, ``.grad(x)`` and, for Newton, ``.hessian(x)`` (any
    ``nblib.landscapes`` function). ``schedule(t)``, if given, sets ``optimizer.lr`` before
    step t. Returns the iterates x₀, …, x_steps as the rows of an array of shape
    (steps + 1, d), and with ``return_values=True`` also the values f(x₀), …, f(x_steps).
    ``x0`` is not modified.
    """
    x = as_float_array(x0, "x0", ndim=1, dtype=np.float64).copy()
    steps = check_scalar(steps, "steps", low=0, integer=True)
    supply = {"hessian": lambda: fn.hessian(x), "fn": lambda: fn}
    missing = [name for name in optimizer.needs if name not in supply]
    if missing:
        raise TypeError(f"run cannot supply {', '.join(missing)} to {type(optimizer).__name__}")
    xs = [x.copy()]
    for t in range(steps):
        if schedule is not None:
            optimizer.lr = schedule(t)
        extra = {name: supply[name]() for name in optimizer.needs}
        optimizer.step([x], [fn.grad(x)], **extra)
        xs.append(x.copy())
    xs = np.array(xs)
    if return_values:
        return xs, np.array([fn.value(x) for x in xs])
    return xs
