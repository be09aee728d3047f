"""The shared start of the benchmarks: ``--threads`` and ``--quick``, with the thread
counts fixed before numpy and torch create their thread pools (so import this first)."""

from __future__ import annotations

import argparse
import os


def parse_args(description: str) -> argparse.Namespace:
    """Parse ``--threads N`` (default 1) and ``--quick``, and export the thread counts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP/torch threads")
    parser.add_argument("--quick", action="store_true", help="few repeats, to check it runs")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    return args


def limit_threads(n: int) -> None:
    """The same thread count for numpy's BLAS (threadpoolctl) and torch."""
    import torch
    from threadpoolctl import threadpool_limits

    threadpool_limits(n)
    torch.set_num_threads(n)
