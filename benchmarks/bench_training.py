"""One training step of an MLP: nblib vs a bare numpy step vs PyTorch vs the matrix products alone.

A step is forward, mean cross-entropy on the logits, backward, and an optimizer update
(SGD or Adam). Every implementation starts from the same weights and batch, is checked
to produce the same updated weights, and is timed side by side, interleaved, in one run;
the table shows medians of many repeats.

    .venv/bin/python benchmarks/bench_training.py            # 1 thread (the default)
    .venv/bin/python benchmarks/bench_training.py --threads 2
    .venv/bin/python benchmarks/bench_training.py --quick    # fewer repeats, for a smoke test

Columns: ``matmul`` is the floor set by BLAS (the 8 matrix products of a step, nothing
else); ``numpy`` a hand-written step with in-place updates, the floor for any numpy
library; ``nblib`` the book's public API (``model.forward``, ``losses``,
``model.backward``, ``optimizer.step``); ``torch`` PyTorch on the CPU.
"""

from __future__ import annotations

import os
import sys

from _setup import limit_threads, parse_args  # noqa: E402  (first: fixes thread counts)

ARGS = parse_args(__doc__.splitlines()[0])

import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_info  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from nblib import losses, nn, optim  # noqa: E402

limit_threads(ARGS.threads)
torch.set_num_interop_threads(ARGS.threads)

LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8


# ---------------------------------------------------------------------------
# The bare numpy step: the same computation written by hand, with in-place updates.
# ---------------------------------------------------------------------------


class BareNumpy:
    """Forward, loss, backward and update written out by hand for this network, in place
    where numpy allows it, with scratch buffers for the update."""

    def __init__(self, params: list[np.ndarray], optimizer: str) -> None:
        self.params = [p.copy() for p in params]
        self.optimizer = optimizer
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.buf = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        hs = self.forward(X)
        loss, grad = self.loss_and_grad(hs.pop(), y)
        self.update(self.backward(hs, grad))
        return loss

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """[X, h1, ..., logits] with h = relu(h Wᵀ + b) for the hidden layers."""
        Ws, bs = self.params[0::2], self.params[1::2]
        hs = [X]
        for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            z = hs[-1] @ W.T
            z += b
            if i < len(Ws) - 1:
                np.maximum(z, 0, out=z)
            hs.append(z)
        return hs

    @staticmethod
    def loss_and_grad(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Mean cross-entropy and its gradient (softmax − one-hot) / batch; shifts logits in place."""
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        s = p.sum(axis=1, keepdims=True)
        rows = np.arange(len(y))
        loss = float(np.mean(np.log(s[:, 0]) - logits[rows, y]))
        p /= s
        p[rows, y] -= 1
        p /= len(y)
        return loss, p

    def backward(self, hs: list[np.ndarray], delta: np.ndarray) -> list[np.ndarray]:
        """[dW1, db1, ...] given the inputs hs of every layer and ∂L/∂logits."""
        Ws, grads = self.params[0::2], []
        for i in reversed(range(len(Ws))):
            grads[:0] = [delta.T @ hs[i], delta.sum(axis=0)]
            if i > 0:
                delta = delta @ Ws[i]
                delta *= hs[i] > 0
        return grads

    def update(self, grads: list[np.ndarray]) -> None:
        if self.optimizer == "SGD":
            for p, g, buf in zip(self.params, grads, self.buf, strict=True):
                np.multiply(g, -LR, out=buf)
                p += buf
            return
        b1, b2 = BETAS
        self.t += 1
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, g, m, v, buf in zip(self.params, grads, self.m, self.v, self.buf, strict=True):
            m *= b1
            np.multiply(g, 1 - b1, out=buf)
            m += buf
            v *= b2
            np.multiply(g, g, out=buf)
            buf *= 1 - b2
            v += buf
            np.sqrt(v, out=buf)
            buf *= 1 / np.sqrt(c2)
            buf += EPS
            np.divide(m, buf, out=buf)
            buf *= -LR / c1
            p += buf


def matmuls_only(params: list[np.ndarray], X: np.ndarray, n_classes: int):
    """The 8 matrix products of a step (3 forward, 3 for dW, 2 for ∂L/∂h), nothing else."""
    Ws = params[0::2]
    hs = [X]
    for W in Ws:
        hs.append(hs[-1] @ W.T)
    delta = np.ones_like(hs[-1])

    def run() -> None:
        h = X
        for W in Ws:
            h = h @ W.T
        d = delta
        for i in reversed(range(len(Ws))):
            _ = d.T @ hs[i]
            if i > 0:
                d = d @ Ws[i]

    return run


# ---------------------------------------------------------------------------
# nblib and PyTorch
# ---------------------------------------------------------------------------


def make_nblib_step(model: nn.MLP, opt):
    def step(X: np.ndarray, y: np.ndarray) -> float:
        logits = model.forward(X)
        loss = losses.cross_entropy(logits, y)
        model.backward(losses.cross_entropy_grad(logits, y), input_grad=False)
        opt.step(model.params, model.grads)
        return loss

    return step


def make_torch(params: list[np.ndarray], optimizer: str):
    layers = []
    for i, (W, b) in enumerate(zip(params[0::2], params[1::2], strict=True)):
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.from_numpy(W).dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers += [lin] if i == len(params) // 2 - 1 else [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers)
    if optimizer == "SGD":
        opt = torch.optim.SGD(model.parameters(), lr=LR)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)

    def step(X: torch.Tensor, y: torch.Tensor) -> float:
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        return loss.item()

    return model, step


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


def time_side_by_side(fns: dict, rounds: int, inner: int) -> dict[str, float]:
    """Median seconds per call of each function, measured in interleaved rounds."""
    samples = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            samples[name].append((time.perf_counter() - start) / inner)
    return {name: float(np.median(s)) for name, s in samples.items()}


def step_flops(sizes: list[int], batch: int) -> int:
    """FLOPs of the 8 products: forward and dW for every layer, ∂L/∂h for all but the first."""
    per_layer = [2 * batch * a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return 3 * sum(per_layer) - per_layer[0]


def matmul_peak(dtype, n: int, repeats: int) -> float:
    """GFLOP/s of one big square matrix product: the machine's practical peak."""
    rng = np.random.default_rng(0)
    A, B = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    A @ B
    best = min(_timed(lambda: A @ B) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(sizes: list[int], batch: int, dtype, optimizer: str, rounds: int, inner: int):
    rng = np.random.default_rng(0)
    model = nn.MLP(sizes, activation="relu", rng=rng, dtype=dtype)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch)
    params0 = [p.copy() for p in model.params]
    bare = BareNumpy(params0, optimizer)
    tmodel, tstep = make_torch(params0, optimizer)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    opt = optim.SGD(lr=LR) if optimizer == "SGD" else optim.Adam(lr=LR, betas=BETAS, eps=EPS)
    nstep = make_nblib_step(model, opt)

    # the same first step everywhere: same loss, same updated weights
    losses_ = [nstep(X, y), bare.step(X, y), tstep(Xt, yt)]
    tparams = [p.detach().numpy() for p in tmodel.parameters()]
    tol = 1e-4 if dtype == np.float32 else 1e-9
    for ours, other in ((model.params, bare.params), (model.params, tparams)):
        for a, b in zip(ours, other, strict=True):
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol * 1e-2)
    np.testing.assert_allclose(losses_, losses_[0], rtol=tol)

    return time_side_by_side(
        {
            "matmul": matmuls_only(model.params, X, sizes[-1]),
            "numpy": lambda: bare.step(X, y),
            "nblib": lambda: nstep(X, y),
            "torch": lambda: tstep(Xt, yt),
        },
        rounds,
        inner,
    )


def breakdown(sizes: list[int], batch: int, dtype, rounds: int, inner: int) -> dict[str, tuple]:
    """(numpy, nblib) seconds of each part of a step, timed side by side."""
    rng = np.random.default_rng(0)
    model = nn.MLP(sizes, activation="relu", rng=rng, dtype=dtype)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch)
    logits = model.forward(X)
    g = losses.cross_entropy_grad(logits, y)
    model.backward(g)
    bares = {name: BareNumpy(model.params, name) for name in ("SGD", "Adam")}
    bare, grads = bares["SGD"], [gr.copy() for gr in model.grads]
    # the optimizers update copies of the parameters, so the model stays as it is
    params = [p.copy() for p in model.params]
    sgd, adam = optim.SGD(lr=LR), optim.Adam(lr=LR, betas=BETAS, eps=EPS)

    def bare_nn() -> None:
        hs = bare.forward(X)
        hs.pop()
        bare.backward(hs, g)

    def nblib_nn() -> None:
        model.forward(X)
        model.backward(g, input_grad=False)

    def nblib_loss() -> None:
        losses.cross_entropy(logits, y)
        losses.cross_entropy_grad(logits, y)

    parts = {
        "forward+backward (nn)": (bare_nn, nblib_nn),
        "loss and its gradient": (lambda: bare.loss_and_grad(logits.copy(), y), nblib_loss),
        "update, SGD": (lambda: bares["SGD"].update(grads), lambda: sgd.step(params, grads)),
        "update, Adam": (lambda: bares["Adam"].update(grads), lambda: adam.step(params, grads)),
    }
    fns = {(part, who): fn for part, pair in parts.items() for who, fn in enumerate(pair)}
    t = time_side_by_side(fns, rounds, inner)
    return {part: (t[(part, 0)], t[(part, 1)]) for part in parts}


def main() -> None:
    print(f"threads: {ARGS.threads} (BLAS via threadpoolctl and env vars, torch.set_num_threads)")
    for info in threadpool_info():
        print(f"  {info['internal_api']} {info.get('version')}: {info['num_threads']} thread(s)")
    print(f"numpy {np.__version__}, torch {torch.__version__}\n")
    quick = ARGS.quick

    sizes, batch = [64, 256, 256, 10], 128
    print(
        f"Small net {'→'.join(map(str, sizes))}, batch {batch}: microseconds per training step (median)"
    )
    header = f"{'dtype':8} {'optimizer':9} {'matmul':>8} {'numpy':>8} {'nblib':>8} {'torch':>8}   {'nblib/numpy':>11} {'nblib/torch':>11} {'numpy/matmul':>12}"
    print(header)
    print("-" * len(header))
    for dtype in (np.float32, np.float64):
        for optimizer in ("SGD", "Adam"):
            t = compare(sizes, batch, dtype, optimizer, rounds=10 if quick else 200, inner=10)
            us = {k: v * 1e6 for k, v in t.items()}
            print(
                f"{np.dtype(dtype).name:8} {optimizer:9} {us['matmul']:8.0f} {us['numpy']:8.0f} {us['nblib']:8.0f} {us['torch']:8.0f}"
                f"   {t['nblib'] / t['numpy']:11.2f} {t['nblib'] / t['torch']:11.2f} {t['numpy'] / t['matmul']:12.2f}"
            )

    print("\nWhere the time goes (small net): microseconds per part of a step, median")
    header = f"{'dtype':8} {'part':24} {'numpy':>8} {'nblib':>8}   {'nblib/numpy':>11}"
    print(header)
    print("-" * len(header))
    for dtype in (np.float32, np.float64):
        parts = breakdown(sizes, batch, dtype, rounds=10 if quick else 200, inner=10)
        for part, (t_numpy, t_nblib) in parts.items():
            print(
                f"{np.dtype(dtype).name:8} {part:24} {t_numpy * 1e6:8.0f} {t_nblib * 1e6:8.0f}"
                f"   {t_nblib / t_numpy:11.2f}"
            )

    sizes, batch = [1024, 2048, 2048, 1024], 512
    flops = step_flops(sizes, batch)
    print(
        f"\nLarge net {'→'.join(map(str, sizes))}, batch {batch}, SGD: {flops / 1e9:.1f} GFLOP of "
        "products per step; GFLOP/s (and % of the matmul peak)"
    )
    header = f"{'dtype':8} {'peak':>6} {'matmul':>12} {'numpy':>12} {'nblib':>12} {'torch':>12}   {'nblib/numpy':>11} {'nblib/torch':>11}"
    print(header)
    print("-" * len(header))
    for dtype in (np.float32, np.float64):
        peak = matmul_peak(dtype, n=2048 if quick else 4096, repeats=2 if quick else 5)
        t = compare(sizes, batch, dtype, "SGD", rounds=2 if quick else 9, inner=1)
        cells = " ".join(
            f"{flops / t[k] / 1e9:6.1f} ({100 * flops / t[k] / 1e9 / peak:3.0f}%)" for k in t
        )
        print(
            f"{np.dtype(dtype).name:8} {peak:6.1f} {cells}   {t['nblib'] / t['numpy']:11.2f} {t['nblib'] / t['torch']:11.2f}"
        )


if __name__ == "__main__":
    main()
