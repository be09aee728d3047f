"""Information estimators: nblib.info against scikit-learn, ennemi, infomeasure and scipy.

One run prints three markdown tables:

1. KSG mutual information on a ρ = 0.9 bivariate Gaussian (true I = −½ log(1 − ρ²)):
   time (best of several runs), estimate and absolute error, for n = 10^3 .. 10^6
   (n = 10^6 only for nblib and scikit-learn; infomeasure is skipped with a note when
   it is not installed, it is not a dependency of the book).
2. Differential entropy of a standard Gaussian: nblib's Kozachenko–Leonenko estimator
   against ``scipy.stats.differential_entropy`` (its default, spacing-based, method).
3. The bias of each estimator versus n, averaged over many seeds (for the information
   theory chapter to plot): plug-in and Miller–Madow entropy of a discrete distribution,
   binned and KSG mutual information of the ρ = 0.9 Gaussian.

    .venv/bin/python benchmarks/bench_info.py            # about 2 minutes on 2 cores
    .venv/bin/python benchmarks/bench_info.py --quick    # no n = 10^6, fewer seeds

All estimates are in nats. Every library runs single-threaded on the same data.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core each, so the times compare like with like

import argparse  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import ennemi  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.stats as st  # noqa: E402
import sklearn  # noqa: E402
from sklearn.feature_selection import mutual_info_regression  # noqa: E402

from nblib import info  # noqa: E402

try:
    import infomeasure  # noqa: E402
except ImportError:  # optional: pip install infomeasure (it pulls in numba)
    infomeasure = None

RHO = 0.9
TRUE_MI = info.gaussian_mutual_information(RHO, base=np.e)
TRUE_H = info.gaussian_entropy(1.0, base=np.e)


def gaussian_pair(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    z = np.random.default_rng(seed).standard_normal((n, 2))
    return z[:, 0], RHO * z[:, 0] + np.sqrt(1 - RHO**2) * z[:, 1]


def best_time(fn, repeats: int) -> tuple[float, float]:
    """(fastest wall time over ``repeats`` calls, the value returned)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(value)


def repeats_for(n: int) -> int:
    return 7 if n <= 10_000 else (3 if n <= 100_000 else 1)


# ---------------------------------------------------------------------------
# 1. KSG mutual information: speed and error
# ---------------------------------------------------------------------------


def ksg_estimators(x: np.ndarray, y: np.ndarray, n: int) -> dict:
    est = {
        # the same RandomState draws as scikit-learn: the same tie-breaking noise
        "nblib": lambda: info.mutual_information(
            x, y, k=3, base=np.e, rng=np.random.RandomState(0)
        ),
        "scikit-learn": lambda: mutual_info_regression(
            x[:, None], y, n_neighbors=3, random_state=0
        )[0],
    }
    if n <= 100_000:
        est["ennemi"] = lambda: ennemi.estimate_mi(y, x, k=3, max_threads=1)[0, 0]
        if infomeasure is not None:
            est["infomeasure"] = lambda: infomeasure.mutual_information(
                x, y, approach="ksg", k=3, base="e"
            )
    return est


def ksg_table(sizes: list[int]) -> None:
    print(
        f"\n### KSG-1 mutual information, ρ = {RHO} Gaussian, k = 3 (true I = {TRUE_MI:.5f} nats)\n"
    )
    print("| n | library | time (s) | time / scikit-learn | estimate | abs. error | − nblib |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    if infomeasure is not None:  # compile numba's code before timing anything
        infomeasure.mutual_information(*gaussian_pair(100, 0), approach="ksg", k=3)
    for n in sizes:
        x, y = gaussian_pair(n, seed=n)
        results = {
            name: best_time(fn, repeats_for(n)) for name, fn in ksg_estimators(x, y, n).items()
        }
        t_ref, ours = results["scikit-learn"][0], results["nblib"][1]
        for name, (t, value) in results.items():
            print(
                f"| {n:,} | {name} | {t:.4f} | {t / t_ref:.2f} | {value:.5f} "
                f"| {abs(value - TRUE_MI):.5f} | {value - ours:+.1e} |"
            )
    if infomeasure is None:
        print("\ninfomeasure is not installed: skipped (`pip install infomeasure` to include it).")


# ---------------------------------------------------------------------------
# 2. Differential entropy
# ---------------------------------------------------------------------------


def entropy_table(sizes: list[int]) -> None:
    print(f"\n### Differential entropy of N(0, 1), k = 3 (true h = {TRUE_H:.5f} nats)\n")
    print("| n | estimator | time (s) | time / scipy | estimate | abs. error |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in sizes:
        x = np.random.default_rng(n + 1).standard_normal(n)
        results = {
            "nblib (Kozachenko–Leonenko)": best_time(
                lambda x=x: info.differential_entropy(x, k=3, base=np.e), repeats_for(n)
            ),
            "scipy (default method)": best_time(
                lambda x=x: st.differential_entropy(x), repeats_for(n)
            ),
        }
        t_ref = results["scipy (default method)"][0]
        for name, (t, value) in results.items():
            print(
                f"| {n:,} | {name} | {t:.4f} | {t / t_ref:.2f} | {value:.5f} "
                f"| {abs(value - TRUE_H):.5f} |"
            )


# ---------------------------------------------------------------------------
# 3. Bias versus n
# ---------------------------------------------------------------------------

M_SYMBOLS = 32
ZIPF = (1 / np.arange(1, M_SYMBOLS + 1)) / np.sum(1 / np.arange(1, M_SYMBOLS + 1))
TRUE_H_ZIPF = info.entropy(ZIPF, base=np.e)


def bias_estimators() -> dict:
    """name -> (estimate(n, rng) in nats, true value)."""

    def discrete(method):
        def est(n, rng):
            return info.entropy_from_samples(rng.choice(M_SYMBOLS, n, p=ZIPF), method, base=np.e)

        return est, TRUE_H_ZIPF

    def gaussian_mi(fn):
        def est(n, rng):
            return fn(*gaussian_pair(n, int(rng.integers(2**32))), n)

        return est, TRUE_MI

    return {
        "entropy, plug-in": discrete("plugin"),
        "entropy, Miller–Madow": discrete("miller_madow"),
        "MI, binned 10×10": gaussian_mi(
            lambda x, y, n: info.mutual_information_binned(x, y, bins=10, base=np.e)
        ),
        "MI, binned √n×√n": gaussian_mi(
            lambda x, y, n: info.mutual_information_binned(x, y, bins=int(np.sqrt(n)), base=np.e)
        ),
        "MI, KSG-1": gaussian_mi(lambda x, y, n: info.mutual_information(x, y, base=np.e)),
        "MI, KSG-2": gaussian_mi(
            lambda x, y, n: info.mutual_information(x, y, method="ksg2", base=np.e)
        ),
    }


def bias_table(sizes: list[int], seeds: int) -> None:
    print(
        f"\n### Bias (mean estimate − truth, nats) ± 2 standard errors over {seeds} seeds\n\n"
        f"Entropy of a Zipf distribution p_i ∝ 1/i on {M_SYMBOLS} symbols "
        f"(H = {TRUE_H_ZIPF:.4f} nats); MI of the ρ = {RHO} Gaussian "
        f"(I = {TRUE_MI:.4f} nats), KSG with k = 3.\n"
    )
    print("| estimator | " + " | ".join(f"n = {n:,}" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for name, (est, truth) in bias_estimators().items():
        cells = []
        for n in sizes:
            rng = np.random.default_rng(12345 + n)
            err = np.array([est(n, rng) - truth for _ in range(seeds)])
            cells.append(f"{err.mean():+.4f} ± {2 * err.std(ddof=1) / np.sqrt(seeds):.4f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def machine() -> str:
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
        model = next(line.split(":", 1)[1].strip() for line in lines if "Model name" in line)
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    versions = (
        f"numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"ennemi {getattr(ennemi, '__version__', '1.5')}"
    )
    if infomeasure is not None:
        versions += f", infomeasure {infomeasure.__version__}"
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (
        f"{model}, {os.cpu_count()} cores (load average {load} at the start), "
        f"Python {platform.python_version()}; {versions}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip n = 10^6, use fewer seeds")
    args = parser.parse_args()
    warnings.simplefilter("ignore", FutureWarning)
    print(f"Machine: {machine()}")
    top = [] if args.quick else [1_000_000]
    ksg_table([1_000, 10_000, 100_000, *top])
    entropy_table([1_000, 10_000, 100_000, *top])
    bias_table([30, 100, 300, 1_000, 3_000, 10_000], seeds=40 if args.quick else 200)


if __name__ == "__main__":
    main()
