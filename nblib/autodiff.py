"""Automatic differentiation: a small reverse-mode engine over numpy arrays, and forward mode.

Backpropagation (chapter 3) is the chain rule. For a weight w that feeds z, then y,
then the loss L,

.. math::  ∂L/∂w = ∂L/∂y · ∂y/∂z · ∂z/∂w                                    (chain rule)

Automatic differentiation applies this rule mechanically: every operation records its
inputs and knows its *local* derivative, and the engine multiplies local derivatives
along the graph of operations. The product can be taken in two orders.

**Reverse mode** (``Tensor``, ``Tensor.backward``, ``grad``, ``vjp``). The forward pass
records the graph; ``backward`` walks it from the loss back to the inputs. Each op turns
the gradient with respect to its output, ∂L/∂y (an array shaped like y), into the gradient
with respect to each of its inputs,

.. math::  ∂L/∂x = ∂L/∂y · ∂y/∂x                                           (VJP)

a *vector-Jacobian product*. The Jacobian ∂y/∂x is never formed: for y = a ⊙ b it is
diag(b), so the VJP is ∂L/∂y ⊙ b; for y = a @ b the VJP is ∂L/∂y · bᵀ. One backward pass
gives the gradient with respect to every input at once, so ∇L for L: Rⁿ → R costs a small
multiple of computing L, whatever n is.

**Forward mode** (``Dual``, ``jvp``). Carry with every value x its tangent ẋ (the
derivative of x along a direction v of the input) and push it forward through each op,

.. math::  ẏ = ∂y/∂x · ẋ                                                   (JVP)

a *Jacobian-vector product*. One pass gives J v, a single directional derivative: the full
gradient of L: Rⁿ → R needs n passes (v = e₁, …, eₙ) where reverse mode needs one.

**Broadcasting.** When numpy stretches an operand of shape (3, 1) to (3, 4), each of its
entries is used 4 times, and by the chain rule its gradient is the sum over those uses:
``unbroadcast`` sums ∂L/∂y over the stretched axes.

**Checks.** ``Tensor(x)``, ``Dual(x)``, ``grad``, ``jvp`` and ``vjp`` check the arrays you
give them (finite floats; ValueError naming the argument). Ops whose value or derivative
does not exist raise ValueError instead of producing NaN or inf: ``log`` and non-integer
powers of non-positive numbers, division by zero, ``exp`` overflow; and ``backward``
raises if a gradient reaching a leaf is not finite.

Example::

    W = Tensor(rng.standard_normal((3, 2)), name="W")
    loss = ((X @ W).tanh() ** 2).mean()     # X a plain array: a constant
    loss.backward()
    W.grad                                  # ∂loss/∂W, shape (3, 2)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_float_array, check_scalar
from .nn import sigmoid as _stable_sigmoid

Axis = int | tuple[int, ...] | None

# ---------------------------------------------------------------------------
# Elementwise functions y = f(x) with their derivative f'(x). The Jacobian of an
# elementwise map is diagonal, diag(f'(x)), so both products are a multiplication:
# the VJP is ∂L/∂x = ∂L/∂y ⊙ f'(x) and the JVP is ẏ = f'(x) ⊙ ẋ. Tensor and Dual share
# these rules, and with them the checks that refuse to return NaN or inf.
# ---------------------------------------------------------------------------


def _exp(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y = e^x, dy/dx = e^x."""
    limit = np.log(np.finfo(x.dtype).max)
    if np.any(x > limit):
        raise ValueError(
            f"exp overflows: an input is {x.max():.4g} > {limit:.4g}; "
            "for log Σ exp use logsumexp, for log-probabilities log_softmax"
        )
    y = np.exp(x)
    return y, y


def _log(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y = log x, dy/dx = 1/x; only for x > 0."""
    if np.any(x <= 0):
        raise ValueError(
            f"log needs positive inputs, got {np.count_nonzero(x <= 0)} value(s) <= 0 "
            f"(the smallest is {x.min():.4g})"
        )
    return np.log(x), 1 / x


def _tanh(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y = tanh x, dy/dx = 1 − y²."""
    y = np.tanh(x)
    return y, 1 - y * y


def _sigmoid(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y = σ(x) = 1 / (1 + e^{-x}), dy/dx = y (1 − y)."""
    y = _stable_sigmoid(x)
    return y, y * (1 - y)


def _relu(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y = max(x, 0), dy/dx = 1 if x > 0 else 0 (0 at x = 0, as in PyTorch and ``nn.relu_grad``)."""
    return np.maximum(x, 0), (x > 0).astype(x.dtype)


def _power(x: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
    """y = x^p for a constant p, dy/dx = p x^{p-1}."""
    if not float(p).is_integer() and np.any(x <= 0):
        raise ValueError(
            f"x ** {p} needs x > 0 (a non-integer power), got "
            f"{np.count_nonzero(x <= 0)} value(s) <= 0 (the smallest is {x.min():.4g})"
        )
    if p < 0 and np.any(x == 0):
        raise ValueError(f"x ** {p} divides by zero: x has {np.count_nonzero(x == 0)} zero(s)")
    dy_dx = p * x ** (p - 1) if p != 0 else np.zeros_like(x)
    return x**p, dy_dx


def _check_divisor(b: np.ndarray) -> None:
    if np.any(b == 0):
        raise ValueError(f"division by zero: the divisor has {np.count_nonzero(b == 0)} zero(s)")


# Reductions along ``axis``. Both return the result with keepdims=True and the derivative of
# the result with respect to each input entry (the weights the JVP sums and the VJP spreads).


def _max(x: np.ndarray, axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """m = max x along axis; ∂m/∂x_i = 1/k at each of the k entries equal to the max, else 0."""
    m = x.max(axis=axis, keepdims=True)
    is_max = x == m
    return m, is_max / is_max.sum(axis=axis, keepdims=True)


def _logsumexp(x: np.ndarray, axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """s = log Σ_i e^{x_i} = m + log Σ_i e^{x_i − m} with m = max x (no overflow);
    ∂s/∂x_i = e^{x_i − s} = softmax(x)_i, computed as e^{x_i − m} / Σ_j e^{x_j − m}."""
    m = x.max(axis=axis, keepdims=True)
    e = np.exp(x - m)
    total = e.sum(axis=axis, keepdims=True)
    return m + np.log(total), e / total


def _drop_axes(y: np.ndarray, axis: Axis, keepdims: bool) -> np.ndarray:
    """A keepdims=True reduction as numpy returns it for ``keepdims``."""
    return y if keepdims else np.squeeze(y, axis=axis)


def _spread(g: np.ndarray, shape: tuple[int, ...], axis: Axis, keepdims: bool) -> np.ndarray:
    """Undo a reduction over ``axis``: put the reduced axes back into the upstream gradient g
    and broadcast it to the input's ``shape`` (each input entry sees the g of its output)."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)


def _axes(axes: tuple[Any, ...]) -> Any:
    """Accept ``t.transpose(1, 0)`` as well as ``t.transpose((1, 0))``, likewise for reshape."""
    return axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes


def unbroadcast(grad: ArrayLike, shape: Sequence[int]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``.

    If y = f(a, …) broadcast a of shape (3, 1) to (3, 4), entry a_i0 was used in the four
    entries y_i0 … y_i3, so by the chain rule ∂L/∂a_i0 = Σ_j ∂L/∂y_ij. Likewise a
    (5,) operand broadcast to (2, 5) sums over the added leading axis, and a scalar over all.
    """
    grad = np.asarray(grad)
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra >= 0:
        reduced = grad.sum(axis=tuple(range(extra)))  # the axes numpy added in front
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and reduced.shape[i] != 1)
        reduced = reduced.sum(axis=stretched, keepdims=True)  # the length-1 axes it stretched
        if reduced.shape == shape:
            return reduced
    raise ValueError(
        f"grad of shape {grad.shape} is not a broadcast of shape {shape}: cannot unbroadcast"
    )


def _matmul_vjps(a: np.ndarray, b: np.ndarray) -> tuple[Callable, Callable]:
    """The two VJPs of y = a @ b under numpy's matmul rules.

    For matrices, ∂L/∂a = ∂L/∂y · bᵀ and ∂L/∂b = aᵀ · ∂L/∂y. A 1-d ``a`` is a one-row matrix
    and a 1-d ``b`` a one-column matrix whose extra axis numpy drops from y: put it back into
    ∂L/∂y, apply the matrix rule, drop it again. Stacked (batch) axes of one operand that the
    other lacks are summed away by ``unbroadcast`` when the gradient reaches the operand.
    """
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b

    def as_matrix(g: np.ndarray) -> np.ndarray:
        if b.ndim == 1:
            g = g[..., None]
        if a.ndim == 1:
            g = g[..., None, :]
        return g

    def vjp_a(g: np.ndarray) -> np.ndarray:
        ga = as_matrix(g) @ np.swapaxes(b2, -1, -2)
        return ga[..., 0, :] if a.ndim == 1 else ga

    def vjp_b(g: np.ndarray) -> np.ndarray:
        gb = np.swapaxes(a2, -1, -2) @ as_matrix(g)
        return gb[..., 0] if b.ndim == 1 else gb

    return vjp_a, vjp_b


class _SharedOps:
    """What ``Tensor`` and ``Dual`` share: reflected operators, the elementwise functions (by
    the rules above) and the ops built from other ops. Each class provides ``_lift`` (wrap a
    plain number or array as a constant), ``_elementwise`` (apply a rule), ``sum``,
    ``logsumexp``, ``transpose``, the arithmetic operators and ``shape``."""

    # numpy defers to our reflected operators (array * t calls t.__rmul__) and refuses
    # ufuncs like np.exp(t), which would otherwise drop out of the graph silently.
    __array_ufunc__ = None

    shape: tuple[int, ...]

    def __radd__(self, other: ArrayLike) -> Any:
        return self + other

    def __rsub__(self, other: ArrayLike) -> Any:
        return self._lift(other, "left operand of -") - self

    def __rmul__(self, other: ArrayLike) -> Any:
        return self * other

    def __rtruediv__(self, other: ArrayLike) -> Any:
        return self._lift(other, "numerator") / self

    def __rmatmul__(self, other: ArrayLike) -> Any:
        return self._lift(other, "left operand of @") @ self

    def __pow__(self, p: float) -> Any:
        """x ** p for a constant real p; d x^p/dx = p x^{p-1}. A non-integer p needs x > 0, a
        negative p needs x ≠ 0. (For a variable exponent write ``(p * x.log()).exp()``.)"""
        p = check_scalar(p, "exponent")
        return self._elementwise(lambda x: _power(x, p), "pow")

    def __rpow__(self, base: float) -> Any:
        """c ** x = e^{x ln c} for a constant c > 0; d c^x/dx = c^x ln c."""
        base = check_scalar(base, "base of **", low=0, low_inclusive=False)
        return (self * math.log(base)).exp()

    def exp(self) -> Any:
        """e^x elementwise; d e^x/dx = e^x. Raises ValueError where e^x would overflow."""
        return self._elementwise(_exp, "exp")

    def log(self) -> Any:
        """Natural log elementwise; d log x/dx = 1/x. Raises ValueError if any x <= 0
        (instead of returning NaN or -inf)."""
        return self._elementwise(_log, "log")

    def tanh(self) -> Any:
        """tanh elementwise; d tanh x/dx = 1 − tanh² x."""
        return self._elementwise(_tanh, "tanh")

    def sigmoid(self) -> Any:
        """σ(x) = 1 / (1 + e^{-x}) elementwise, without overflow; dσ/dx = σ(x)(1 − σ(x))."""
        return self._elementwise(_sigmoid, "sigmoid")

    def relu(self) -> Any:
        """max(x, 0) elementwise; d relu/dx = 1 for x > 0, else 0."""
        return self._elementwise(_relu, "relu")

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Any:
        """Average over ``axis``: the sum divided by the number n of entries averaged,
        so ∂mean/∂x_i = 1/n."""
        total = self.sum(axis, keepdims)
        return total * (math.prod(total.shape) / math.prod(self.shape))

    def log_softmax(self, axis: int = -1) -> Any:
        """log softmax(x)_i = x_i − log Σ_j e^{x_j} along ``axis`` (stable: uses logsumexp)."""
        return self - self.logsumexp(axis, keepdims=True)

    @property
    def T(self) -> Any:
        """The transpose (all axes reversed), as ``ndarray.T``."""
        return self.transpose()


# ---------------------------------------------------------------------------
# Reverse mode
# ---------------------------------------------------------------------------


class Tensor(_SharedOps):
    """An array that remembers how it was computed, so that ``backward`` can differentiate.

    ``data`` holds the values; ``grad`` holds ∂L/∂(this tensor) after ``L.backward()``
    (``None`` before). A tensor made by an op keeps its parents (the op's inputs) and,
    for each parent, the VJP g ↦ g · ∂(this)/∂(parent).

    ``Tensor(x)`` is a leaf that requires a gradient (a parameter, or an input you
    differentiate with respect to). Data you do not differentiate (inputs, labels) can stay
    plain arrays: mixed into an op, they become constants of this tensor's dtype. The
    output of an op requires a gradient if any of its inputs does.
    """

    def __init__(
        self,
        data: ArrayLike,
        requires_grad: bool = True,
        *,
        name: str = "data",
        dtype: Any = None,
    ) -> None:
        self.data = as_float_array(data, name, dtype=dtype)
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None
        self.name = name  # the argument's name for a leaf, the op's name for an op's output
        self._parents: tuple[Tensor, ...] = ()
        self._vjps: tuple[Callable[[np.ndarray], np.ndarray], ...] = ()

    @classmethod
    def _make(
        cls,
        data: np.ndarray,
        parents: tuple[Tensor, ...],
        vjps: tuple[Callable[[np.ndarray], np.ndarray], ...],
        name: str,
    ) -> Tensor:
        """The output of an op: no input checks, its data came from checked tensors."""
        out = cls.__new__(cls)
        out.data = np.asarray(data)
        out.requires_grad = any(p.requires_grad for p in parents)
        out.grad = None
        out.name = name
        # Keep the graph only if a gradient can flow through it.
        out._parents, out._vjps = (parents, vjps) if out.requires_grad else ((), ())
        return out

    def _lift(self, other: Any, name: str) -> Tensor:
        """``other`` as a Tensor; a plain number or array becomes a constant of our dtype."""
        if isinstance(other, Tensor):
            return other
        return Tensor(other, requires_grad=False, name=name, dtype=self.data.dtype)

    def __repr__(self) -> str:
        return f"Tensor({np.array2string(self.data, precision=4)}, name={self.name!r})"

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        return self.data.item()

    # -- the ops: the forward value and, per input, the VJP g ↦ ∂L/∂input ----------------

    def __add__(self, other: Tensor | ArrayLike) -> Tensor:
        """a + b; ∂(a+b)/∂a = ∂(a+b)/∂b = 1: the gradient passes through to both."""
        other = self._lift(other, "right operand of +")
        return self._make(self.data + other.data, (self, other), (lambda g: g, lambda g: g), "add")

    def __sub__(self, other: Tensor | ArrayLike) -> Tensor:
        """a − b; ∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1."""
        other = self._lift(other, "right operand of -")
        return self._make(self.data - other.data, (self, other), (lambda g: g, lambda g: -g), "sub")

    def __neg__(self) -> Tensor:
        """−a; ∂(−a)/∂a = −1."""
        return self._make(-self.data, (self,), (lambda g: -g,), "neg")

    def __mul__(self, other: Tensor | ArrayLike) -> Tensor:
        """a ⊙ b elementwise; ∂(ab)/∂a = b, ∂(ab)/∂b = a."""
        other = self._lift(other, "right operand of *")
        a, b = self.data, other.data
        return self._make(a * b, (self, other), (lambda g: g * b, lambda g: g * a), "mul")

    def __truediv__(self, other: Tensor | ArrayLike) -> Tensor:
        """a / b elementwise; ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b². Raises if b has a zero."""
        other = self._lift(other, "divisor")
        a, b = self.data, other.data
        _check_divisor(b)
        return self._make(a / b, (self, other), (lambda g: g / b, lambda g: -g * a / b**2), "div")

    def __matmul__(self, other: Tensor | ArrayLike) -> Tensor:
        """a @ b (numpy's rules); ∂L/∂a = ∂L/∂y · bᵀ, ∂L/∂b = aᵀ · ∂L/∂y."""
        other = self._lift(other, "right operand of @")
        return self._make(
            self.data @ other.data, (self, other), _matmul_vjps(self.data, other.data), "matmul"
        )

    def _elementwise(self, rule: Callable, name: str) -> Tensor:
        y, dy_dx = rule(self.data)
        return self._make(y, (self,), (lambda g: g * dy_dx,), name)

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Σ over ``axis`` (all axes if None); ∂(Σ x)/∂x_i = 1, so the VJP copies ∂L/∂y back
        to every entry that was summed."""
        shape = self.shape
        return self._make(
            self.data.sum(axis=axis, keepdims=keepdims),
            (self,),
            (lambda g: _spread(g, shape, axis, keepdims),),
            "sum",
        )

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """max over ``axis``; the gradient goes to the maximal entry (split equally among
        ties, as in HIPS autograd)."""
        m, weights = _max(self.data, axis)
        shape = self.shape
        return self._make(
            _drop_axes(m, axis, keepdims),
            (self,),
            (lambda g: _spread(g, shape, axis, keepdims) * weights,),
            "max",
        )

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """log Σ e^x over ``axis``, computed as m + log Σ e^{x−m} with m = max x (stable);
        ∂/∂x_i = softmax(x)_i."""
        s, softmax = _logsumexp(self.data, axis)
        shape = self.shape
        return self._make(
            _drop_axes(s, axis, keepdims),
            (self,),
            (lambda g: _spread(g, shape, axis, keepdims) * softmax,),
            "logsumexp",
        )

    def reshape(self, *shape: int | tuple[int, ...]) -> Tensor:
        """Same entries, new shape; the VJP reshapes ∂L/∂y back."""
        old = self.shape
        return self._make(
            self.data.reshape(_axes(shape)), (self,), (lambda g: g.reshape(old),), "reshape"
        )

    def transpose(self, *axes: int | tuple[int, ...]) -> Tensor:
        """Permute the axes (reverse them if none are given); the VJP permutes ∂L/∂y back."""
        axes = _axes(axes) or None
        inverse = None if axes is None else np.argsort(axes)
        return self._make(
            self.data.transpose(axes), (self,), (lambda g: g.transpose(inverse),), "transpose"
        )

    def __getitem__(self, index: Any) -> Tensor:
        """``t[index]`` with basic or integer-array indexing. The VJP scatters ∂L/∂y back into
        zeros with ``np.add.at``, so an entry picked k times gets the sum of its k gradients."""

        def vjp(g: np.ndarray) -> np.ndarray:
            full = np.zeros_like(self.data)
            np.add.at(full, index, g)
            return full

        return self._make(self.data[index], (self,), (vjp,), "index")

    # -- the backward pass --------------------------------------------------------------

    @property
    def is_leaf(self) -> bool:
        """True for a tensor you made (a parameter or an input), False for an op's output."""
        return not self._parents

    def _accumulate(self, g: np.ndarray) -> None:
        """Add the gradient g flowing in from one use of this tensor (∂L/∂x sums over uses).

        g may be shared with other tensors (the VJP of + hands the same g to both inputs) or
        a read-only view, so it is never modified in place; a leaf keeps its own copy, which
        you may update in place.
        """
        if g.shape != self.shape:
            g = unbroadcast(g, self.shape)
        if self.grad is None:
            self.grad = g.astype(self.data.dtype) if self.is_leaf else g  # astype copies
        else:
            self.grad = self.grad + g

    def backward(self, gradient: ArrayLike | None = None) -> None:
        """Fill ``.grad`` of every tensor this one was computed from, by the chain rule.

        Visits the graph in reverse topological order: each tensor's gradient is complete
        (summed over all its uses) before its VJPs pass it on to its parents. On a scalar
        (one-element) tensor the seed is ∂L/∂L = 1; for any other, pass ``gradient`` =
        ∂L/∂(this tensor), of its shape, to get the VJP gradientᵀ J.

        Leaf gradients accumulate across calls, as in PyTorch, until ``zero_grad``; the
        gradients of intermediate tensors are recomputed by each call.
        """
        if not self.requires_grad:
            raise ValueError(
                "backward() on a tensor that does not require a gradient "
                "(it was computed from constants only)"
            )
        if gradient is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without a gradient needs a scalar (one-element) tensor, got "
                    f"shape {self.shape}; reduce it first (e.g. .sum() or .mean()) or pass "
                    "gradient = ∂L/∂(this tensor)"
                )
            gradient = np.ones_like(self.data)
        else:
            gradient = as_float_array(gradient, "gradient", dtype=self.data.dtype)
            if gradient.shape != self.shape:
                raise ValueError(
                    f"gradient must have the shape of the tensor, {self.shape}, "
                    f"got shape {gradient.shape}"
                )
        order = _topological_order(self)
        for node in order:
            if not node.is_leaf:
                node.grad = None
        self._accumulate(gradient)
        # An overflow is reported once, by the check on the leaves below, not as warnings.
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            for node in reversed(order):
                for parent, parent_vjp in zip(node._parents, node._vjps, strict=True):
                    if parent.requires_grad:
                        parent._accumulate(parent_vjp(node.grad))
        for node in order:
            if node.is_leaf and not np.isfinite(node.grad).all():
                raise ValueError(
                    f"the gradient of {node.name!r} (shape {node.shape}) has NaN or infinite "
                    "entries: a derivative along the graph overflowed or does not exist"
                )

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``grad`` becomes None)."""
        self.grad = None


def _topological_order(root: Tensor) -> list[Tensor]:
    """The tensors ``root`` depends on (that require a gradient), each after its parents.

    A depth-first search with an explicit stack, not recursion, so deep graphs are fine:
    a tensor is appended once all its parents have been.
    """
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:  # every parent pushed above it has been appended by now
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if p.requires_grad and p not in visited)
    return order


def _as_output(out: Any, what: str) -> Tensor:
    """What ``f`` returned, as a Tensor (a constant if f did not use its input)."""
    return out if isinstance(out, Tensor) else Tensor(out, requires_grad=False, name=what)


def _grad_of(t: Tensor) -> np.ndarray:
    return t.grad if t.grad is not None else np.zeros_like(t.data)


def value_and_grad(
    f: Callable[..., Tensor], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple[float, Any]]:
    """Turn a scalar function f of arrays into one returning ``(f(args), ∇f(args))``.

    The gradient is with respect to argument ``argnums`` (an int), or a tuple of gradients
    for a sequence of ints, as in HIPS autograd and JAX. Those arguments are wrapped as
    Tensors (checked: finite floats); the others are passed to f as they are. f must
    compute with Tensor ops and return a one-element Tensor.
    """
    many = not isinstance(argnums, (int, np.integer))
    nums = tuple(argnums) if many else (argnums,)
    fname = getattr(f, "__name__", "f")

    @functools.wraps(f)
    def value_and_grad_f(*args: Any) -> tuple[float, Any]:
        if not all(0 <= i < len(args) for i in nums):
            raise ValueError(f"argnums={argnums} but {fname} got {len(args)} argument(s)")
        args = list(args)
        for i in nums:
            args[i] = Tensor(args[i], name=f"argument {i} of {fname}")
        out = _as_output(f(*args), f"output of {fname}")
        if out.data.size != 1:
            raise ValueError(f"grad needs {fname} to return a scalar, got shape {out.shape}")
        if out.requires_grad:
            out.backward()
        grads = tuple(_grad_of(args[i]) for i in nums)
        return out.item(), grads if many else grads[0]

    return value_and_grad_f


def grad(f: Callable[..., Tensor], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Turn a scalar function f of arrays into its gradient function ∇f (see ``value_and_grad``).

    ``grad(f)(x)`` is ∂f/∂x, of the shape of x; ``grad(f, argnums=(0, 1))(x, y)`` is the pair
    (∂f/∂x, ∂f/∂y).
    """
    value_and_grad_f = value_and_grad(f, argnums)

    @functools.wraps(f)
    def grad_f(*args: Any) -> Any:
        return value_and_grad_f(*args)[1]

    return grad_f


def vjp(
    f: Callable[[Tensor], Tensor], x: ArrayLike
) -> tuple[np.ndarray, Callable[[ArrayLike], np.ndarray]]:
    """Reverse mode for any f: Rⁿ → Rᵐ: return f(x) and the function u ↦ uᵀ J_f(x).

    Each call of the returned function is one backward pass, whatever n is; m calls (u =
    e₁, …, eₘ) give the m rows of the Jacobian.
    """
    xt = Tensor(x, name="x")
    out = _as_output(f(xt), "f(x)")

    def pullback(u: ArrayLike) -> np.ndarray:
        xt.zero_grad()
        if out.requires_grad:
            out.backward(u)
        return _grad_of(xt)

    return out.data, pullback


# ---------------------------------------------------------------------------
# Forward mode
# ---------------------------------------------------------------------------


class Dual(_SharedOps):
    """A dual number x + ẋ ε with ε² = 0, over arrays: a ``value`` x and a ``tangent`` ẋ.

    Since ε² = 0, f(x + ẋ ε) = f(x) + f'(x) ẋ ε exactly: each op maps the value as usual and
    the tangent by its local derivative, ẏ = ∂y/∂x · ẋ (the JVP). Same ops as ``Tensor``.
    A plain number or array mixed into an op is a constant (tangent 0).
    """

    def __init__(
        self,
        value: ArrayLike,
        tangent: ArrayLike | None = None,
        *,
        name: str = "value",
        dtype: Any = None,
    ) -> None:
        self.value = as_float_array(value, name, dtype=dtype)
        if tangent is None:
            self.tangent = np.zeros_like(self.value)
        else:
            self.tangent = as_float_array(tangent, f"tangent of {name}", dtype=self.value.dtype)
            if self.tangent.shape != self.value.shape:
                raise ValueError(
                    f"tangent of {name} must have the shape of {name}, {self.value.shape}, "
                    f"got shape {self.tangent.shape}"
                )

    @classmethod
    def _make(cls, value: np.ndarray, tangent: np.ndarray) -> Dual:
        """The output of an op: no input checks, its arrays came from checked duals."""
        out = cls.__new__(cls)
        out.value, out.tangent = np.asarray(value), np.asarray(tangent)
        return out

    def _lift(self, other: Any, name: str) -> Dual:
        """``other`` as a Dual; a plain number or array becomes a constant (zero tangent)."""
        return other if isinstance(other, Dual) else Dual(other, name=name, dtype=self.dtype)

    def __repr__(self) -> str:
        value = np.array2string(self.value, precision=4)
        return f"Dual({value}, tangent={np.array2string(self.tangent, precision=4)})"

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    # -- the ops: the value, and the tangent ẏ = Σ_inputs ∂y/∂input · (input's tangent) ----

    def __add__(self, other: Dual | ArrayLike) -> Dual:
        other = self._lift(other, "right operand of +")
        return Dual._make(self.value + other.value, self.tangent + other.tangent)

    def __sub__(self, other: Dual | ArrayLike) -> Dual:
        other = self._lift(other, "right operand of -")
        return Dual._make(self.value - other.value, self.tangent - other.tangent)

    def __neg__(self) -> Dual:
        return Dual._make(-self.value, -self.tangent)

    def __mul__(self, other: Dual | ArrayLike) -> Dual:
        """(ab)˙ = ȧ b + a ḃ."""
        other = self._lift(other, "right operand of *")
        a, b = self.value, other.value
        return Dual._make(a * b, self.tangent * b + a * other.tangent)

    def __truediv__(self, other: Dual | ArrayLike) -> Dual:
        """(a/b)˙ = ȧ/b − a ḃ/b²."""
        other = self._lift(other, "divisor")
        a, b = self.value, other.value
        _check_divisor(b)
        return Dual._make(a / b, self.tangent / b - a * other.tangent / b**2)

    def __matmul__(self, other: Dual | ArrayLike) -> Dual:
        """(a @ b)˙ = ȧ @ b + a @ ḃ."""
        other = self._lift(other, "right operand of @")
        a, b = self.value, other.value
        return Dual._make(a @ b, self.tangent @ b + a @ other.tangent)

    def _elementwise(self, rule: Callable, name: str) -> Dual:
        y, dy_dx = rule(self.value)
        return Dual._make(y, dy_dx * self.tangent)

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Dual:
        return Dual._make(
            self.value.sum(axis=axis, keepdims=keepdims),
            self.tangent.sum(axis=axis, keepdims=keepdims),
        )

    def max(self, axis: Axis = None, keepdims: bool = False) -> Dual:
        m, weights = _max(self.value, axis)
        return Dual._make(
            _drop_axes(m, axis, keepdims), (weights * self.tangent).sum(axis, keepdims=keepdims)
        )

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Dual:
        s, softmax = _logsumexp(self.value, axis)
        return Dual._make(
            _drop_axes(s, axis, keepdims), (softmax * self.tangent).sum(axis, keepdims=keepdims)
        )

    def reshape(self, *shape: int | tuple[int, ...]) -> Dual:
        shape = _axes(shape)
        return Dual._make(self.value.reshape(shape), self.tangent.reshape(shape))

    def transpose(self, *axes: int | tuple[int, ...]) -> Dual:
        axes = _axes(axes) or None
        return Dual._make(self.value.transpose(axes), self.tangent.transpose(axes))

    def __getitem__(self, index: Any) -> Dual:
        return Dual._make(self.value[index], self.tangent[index])


def jvp(f: Callable[[Dual], Dual], x: ArrayLike, v: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Forward mode: return f(x) and J_f(x) v, the derivative of f at x along v, in one pass.

    For a scalar f, J v = ∇f · v: one entry of the gradient per pass (v = eᵢ), so the full
    gradient of f: Rⁿ → R needs n passes, where ``grad`` needs one backward pass.
    """
    x = as_float_array(x, "x")
    v = as_float_array(v, "v", dtype=x.dtype)
    if v.shape != x.shape:
        raise ValueError(f"v must have the shape of x, {x.shape}, got shape {v.shape}")
    out = f(Dual._make(x, v))
    if not isinstance(out, Dual):  # f did not use x: its derivative is zero
        value = as_float_array(out, "f(x)")
        return value, np.zeros_like(value)
    return out.value, out.tangent
