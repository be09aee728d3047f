"""The gradient of an MLP's loss: nblib.autodiff vs HIPS autograd vs scalar (micrograd-style)
autodiff, and forward vs reverse mode for f: Rⁿ → R.

Table 1. One gradient of the mean softmax cross-entropy of an MLP (relu hidden layers),
with respect to all weights and biases, forward pass included. Every implementation
starts from the same weights and batch and is checked to give the same gradient before it
is timed; timings are interleaved in one run, and the table shows medians.

- ``nblib.autodiff``: ``value_and_grad`` over Tensor ops (arrays).
- ``autograd``: HIPS autograd's ``value_and_grad`` over ``autograd.numpy``.
- ``scalar``: a micrograd-style ``Value`` (one Python object per number, written below),
  feasible only for small nets.
- ``torch``: PyTorch on the CPU, for reference.
- ``by hand``: ``nblib.nn``'s hand-written backpropagation (``MLP.forward`` + ``backward``),
  the floor for any numpy autodiff.

Table 2. The full gradient of f(x) = logsumexp(tanh(A x)), A of shape (16, n), by forward
mode (n JVPs with v = e₁, …, eₙ) and by reverse mode (one VJP), as n grows.

    .venv/bin/python benchmarks/bench_autodiff.py            # 1 thread (the default), ≈ 2 min
    .venv/bin/python benchmarks/bench_autodiff.py --quick    # fewer repeats, smaller n
"""

from __future__ import annotations

import math
import os
import sys

from _setup import limit_threads, parse_args  # noqa: E402  (first: fixes thread counts)

ARGS = parse_args(__doc__.splitlines()[0])

import platform  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402

import autograd  # noqa: E402
import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from autograd.scipy.special import logsumexp as anp_logsumexp  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from nblib import autodiff, nn  # noqa: E402

limit_threads(ARGS.threads)


# ---------------------------------------------------------------------------
# A micrograd-style scalar autodiff (after karpathy/micrograd's engine.py), with the exp
# and log that softmax cross-entropy needs.
# ---------------------------------------------------------------------------


class Value:
    """One number, its gradient, and how it was computed."""

    def __init__(self, data, _children=()):
        self.data, self.grad = data, 0.0
        self._backward = lambda: None
        self._prev = _children

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def _unary(self, value, derivative):
        out = Value(value, (self,))

        def _backward():
            self.grad += derivative * out.grad

        out._backward = _backward
        return out

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, e)

    def log(self):
        return self._unary(math.log(self.data), 1 / self.data)

    def relu(self):
        return self._unary(max(self.data, 0.0), float(self.data > 0))

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def backward(self):
        topo, visited = [], set()

        def build(v):  # micrograd's recursive topological sort
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


def scalar_loss_and_grad(params, X, labels):
    """Mean softmax cross-entropy with one Value per weight, as micrograd's nn.MLP would."""
    layers = [
        ([[Value(w) for w in row] for row in W], [Value(c) for c in b])
        for W, b in zip(params[::2], params[1::2], strict=True)
    ]
    losses = []
    for x, label in zip(X.tolist(), labels.tolist(), strict=True):
        h = x
        for k, (W, b) in enumerate(layers):
            h = [
                sum((w * xi for w, xi in zip(row, h, strict=True)), bi)
                for row, bi in zip(W, b, strict=True)
            ]
            if k + 1 < len(layers):
                h = [z.relu() for z in h]
        m = max(z.data for z in h)  # a constant shift: log-sum-exp without overflow
        lse = sum((z - m).exp() for z in h).log() + m
        losses.append(lse - h[label])
    loss = sum(losses) * (1.0 / len(losses))
    loss.backward()
    grads = [np.array([[w.grad for w in row] for row in W]) for W, _ in layers]
    grads = [g for (_, b), gW in zip(layers, grads, strict=True) for g in (gW, [c.grad for c in b])]
    return loss.data, [np.asarray(g) for g in grads]


# ---------------------------------------------------------------------------
# The same loss in the other libraries
# ---------------------------------------------------------------------------


def nblib_loss(X, labels, *params):
    h = X
    for k in range(0, len(params), 2):
        h = h @ params[k].T + params[k + 1]
        if k + 2 < len(params):
            h = h.relu()
    return -h.log_softmax(axis=1)[np.arange(len(labels)), labels].mean()


def autograd_loss(X, labels, *params):
    h = X
    for k in range(0, len(params), 2):
        h = anp.dot(h, params[k].T) + params[k + 1]
        if k + 2 < len(params):
            h = anp.maximum(h, 0.0)
    logp = h - anp_logsumexp(h, axis=1, keepdims=True)
    return -anp.mean(logp[np.arange(len(labels)), labels])


def make_torch(params, X, labels):
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    tX, tlabels = torch.tensor(X), torch.tensor(labels)

    def loss_and_grad():
        for p in tparams:
            p.grad = None
        h = tX
        for k in range(0, len(tparams), 2):
            h = h @ tparams[k].T + tparams[k + 1]
            if k + 2 < len(tparams):
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, tlabels)
        loss.backward()
        return loss.item(), [p.grad.numpy() for p in tparams]

    return loss_and_grad


def make_by_hand(model, X, labels):
    onehot = np.eye(model.sizes[-1])[labels]

    def loss_and_grad():
        logits = model.forward(X)
        loss = -np.mean(np.sum(nn.log_softmax(logits) * onehot, axis=1))
        model.backward((nn.softmax(logits) - onehot) / len(labels), input_grad=False)
        return loss, model.grads

    return loss_and_grad


def median_time(fns: dict, rounds: int, budget: float = 0.05) -> dict[str, float]:
    """Seconds per call of each function (median over rounds), interleaved round by round;
    each function is called enough times per round to fill about ``budget`` seconds."""
    inner = {}
    for name, fn in fns.items():
        start = time.perf_counter()
        fn()
        inner[name] = max(1, int(budget / (time.perf_counter() - start)))
    samples = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(inner[name]):
                fn()
            samples[name].append((time.perf_counter() - start) / inner[name])
    return {name: float(np.median(s)) for name, s in samples.items()}


def rel_err(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def compare_mlp(sizes, batch, with_scalar, rounds):
    rng = np.random.default_rng(0)
    model = nn.MLP(sizes, activation="relu", rng=rng)
    for layer in model.layers:
        layer.b[:] = 0.1 * rng.standard_normal(layer.b.shape)
    params = [p.copy() for p in model.params]
    X = rng.standard_normal((batch, sizes[0]))
    labels = rng.integers(0, sizes[-1], batch)
    argnums = tuple(range(2, 2 + len(params)))
    ours = autodiff.value_and_grad(nblib_loss, argnums)
    theirs = autograd.value_and_grad(autograd_loss, argnums)
    fns = {
        "nblib.autodiff": lambda: ours(X, labels, *params),
        "autograd": lambda: theirs(X, labels, *params),
        "torch": make_torch(params, X, labels),
        "by hand (nblib.nn)": make_by_hand(model, X, labels),
    }
    if with_scalar:
        fns["scalar (micrograd-style)"] = lambda: scalar_loss_and_grad(params, X, labels)
    # Same loss and gradient everywhere, before any timing.
    ref_loss, ref_grads = fns["autograd"]()
    errors = {}
    for name, fn in fns.items():
        loss, grads = fn()
        assert abs(loss - ref_loss) <= 1e-12 * abs(ref_loss), (name, loss, ref_loss)
        errors[name] = max(rel_err(np.asarray(g), r) for g, r in zip(grads, ref_grads, strict=True))
        assert errors[name] < 1e-10, (name, errors[name])
    times = median_time(fns, rounds)
    return times, errors


# ---------------------------------------------------------------------------
# Forward vs reverse mode for f: Rⁿ → R
# ---------------------------------------------------------------------------


def compare_modes(n, rounds):
    rng = np.random.default_rng(n)
    A, x = rng.standard_normal((16, n)) / math.sqrt(n), rng.standard_normal(n)

    def f(z):  # Tensor or Dual
        return (A @ z).tanh().logsumexp()

    eye = np.eye(n)
    df = autodiff.grad(f)

    def forward_gradient():  # n JVPs, one per basis direction: ∂f/∂x_i = ∇f · e_i
        return np.array([autodiff.jvp(f, x, eye[i])[1] for i in range(n)])

    g_forward, g_reverse = forward_gradient(), df(x)
    error = rel_err(g_forward, g_reverse)
    assert error < 1e-12, error
    times = median_time(
        {
            "1 JVP": lambda: autodiff.jvp(f, x, eye[0]),
            "1 VJP": lambda: df(x),
            "n JVPs": forward_gradient,
        },
        rounds,
    )
    return times, error


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        return next(
            line.split(":", 1)[1].strip() for line in out.splitlines() if "Model name" in line
        )
    except (OSError, subprocess.CalledProcessError, StopIteration):
        return platform.processor() or "unknown"


def main() -> None:
    rounds = 3 if ARGS.quick else 7
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(
        f"threads: {ARGS.threads}; Python {platform.python_version()}, numpy {np.__version__}, "
        f"autograd {metadata.version('autograd')}, "
        f"torch {torch.__version__}\n"
    )

    print("Gradient of an MLP's mean softmax cross-entropy (forward + backward), per call:\n")
    print(
        "| net | batch | implementation | time (ms) | time / nblib.autodiff | rel. error vs autograd |"
    )
    print("|---|---:|---|---:|---:|---:|")
    # (sizes, batch, with scalar autodiff, rounds): the scalar engine takes seconds on the second
    configs = [
        ([16, 8, 4], 8, True, rounds),
        ([64, 32, 10], 32, True, 3),
        ([64, 256, 256, 10], 128, False, rounds),
    ]
    for sizes, batch, with_scalar, config_rounds in configs:
        times, errors = compare_mlp(sizes, batch, with_scalar, config_rounds)
        base = times["nblib.autodiff"]
        for name, t in times.items():
            print(
                f"| {'→'.join(map(str, sizes))} | {batch} | {name} | {1e3 * t:.3f} | "
                f"{t / base:.2f} | {errors[name]:.1e} |"
            )

    print("\nFull gradient of f(x) = logsumexp(tanh(A x)), A of shape (16, n):\n")
    print(
        "| n | 1 JVP (ms) | 1 VJP (ms) | n JVPs = forward-mode gradient (ms) | "
        "n JVPs / 1 VJP | rel. difference |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in [10, 100, 1000] + ([] if ARGS.quick else [10000]):
        times, error = compare_modes(n, 3 if n >= 1000 else rounds)
        print(
            f"| {n:,} | {1e3 * times['1 JVP']:.3f} | {1e3 * times['1 VJP']:.3f} | "
            f"{1e3 * times['n JVPs']:.1f} | {times['n JVPs'] / times['1 VJP']:.0f} | {error:.0e} |"
        )


if __name__ == "__main__":
    main()
