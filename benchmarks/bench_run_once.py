"""What filling the book's cache from nbval's run saves: the notebooks run once, not twice.

``make test`` runs nbval on every notebook, then builds the book from the cache. Before,
the cache stage executed every notebook again (``nblib._build_cache``); now nbval's run fills
the cache (``tests/nbval_book_cache.py``) and the cache stage executes none. This times both
ways on the same notebooks, one after the other, each into a fresh cache, and prints the ratio.
Run on a quiet machine.

    .venv/bin/python benchmarks/bench_run_once.py [notebook.ipynb ...]   (default: Chapter 1)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nblib import _build_cache  # noqa: E402

ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def nbval(notebooks: list[Path], cache: Path | None) -> float:
    """Seconds nbval takes on ``notebooks`` (two at a time), filling ``cache`` if given."""
    plugin = ["-p", "tests.nbval_book_cache", "--book-cache", str(cache)] if cache else []
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "-n", "2", "--dist", "loadfile",
               "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *plugin, *map(str, notebooks)]  # fmt: skip
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=os.environ | ONE_THREAD, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.monotonic() - started


def fill(notebooks: list[Path], cache: Path) -> tuple[float, int]:
    """Seconds the cache stage takes, and how many notebooks it had to execute."""
    os.environ.update(ONE_THREAD)
    todo = [p for p in notebooks if p not in _build_cache.recorded_seconds(notebooks, cache)]
    started = time.monotonic()
    failures = _build_cache.fill(
        notebooks, jobs=2, timeout=_build_cache.cell_timeout(), cache_path=cache
    )
    assert not failures, failures
    return time.monotonic() - started, len(todo)


def main(argv: list[str]) -> None:
    notebooks = [Path(a).resolve() for a in argv] or sorted(
        (ROOT / "chapters" / "01-linear-algebra").glob("*.ipynb")
    )
    with tempfile.TemporaryDirectory() as tmp:
        twice, once = Path(tmp) / "twice", Path(tmp) / "once"
        rows = []
        for name, cache in (("before: nbval, then the cache executes", twice),
                            ("now: nbval fills the cache", once)):  # fmt: skip
            run = nbval(notebooks, cache if cache is once else None)
            build, executed = fill(notebooks, cache)
            rows.append((name, run, build, executed))
    print(f"{len(notebooks)} notebooks")
    for name, run, build, executed in rows:
        print(f"  {name:40s} nbval {run:6.1f} s + cache {build:6.1f} s ({executed} executed)"
              f" = {run + build:6.1f} s")  # fmt: skip
    (_, r0, b0, _), (_, r1, b1, _) = rows
    print(f"  time now / before: {(r1 + b1) / (r0 + b0):.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
