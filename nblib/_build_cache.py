"""Execute the book's notebooks in parallel into the cache the book build reads.

python -m nblib._build_cache [--jobs N]

``jupyter-book build`` (``execute_notebooks: cache``) runs each notebook whose code is not
in ``_build/.jupyter_cache`` yet, one after another. This fills that cache first, ``N``
notebooks at a time, with the executor the build itself uses (jupyter-cache's
``single_nb_execution``, in the notebook's folder), so the build then runs none: each
notebook executes once, and after an edit only the edited notebook runs again. jupyter-cache
keys outputs by a notebook's own code; each record here also keeps a digest of ``nblib``, so
a change to the library runs every notebook again (the build alone would keep stale outputs).
A notebook that raises stops it with the failing cell's traceback, as the build would.
In ``make test``, nbval's run has cached every notebook already (the plugin
``tests/nbval_book_cache.py``), so this executes none and prints how long the slowest took.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat

from nblib._notebooks import ROOT, toc_files

CACHE = ROOT / "_build" / ".jupyter_cache"


def book_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of the table of contents, in reading order."""
    return [root / f"{f}.ipynb" for f in toc_files(root) if (root / f"{f}.ipynb").exists()]


def nblib_digest(root: Path = ROOT) -> str:
    """SHA-256 of the library's source files (names and contents), in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted((root / "nblib").rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _execute(path: Path, timeout: int):
    """Run one notebook as myst-nb's cache mode does; return (notebook, seconds, error)."""
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout, allow_errors=False)
    return result.nb, result.time, result.exc_string


def fill(paths: list[Path], jobs: int, timeout: int, cache_path: Path = CACHE) -> list[str]:
    """Execute every notebook of ``paths`` not yet cached, ``jobs`` at a time, and cache it.
    Returns the tracebacks of the notebooks that failed (their outputs are not cached)."""
    from jupyter_cache import get_cache

    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    cache = get_cache(str(cache_path))
    library = nblib_digest()
    todo = []
    for path in paths:
        try:
            record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:  # no cached outputs for this code
            todo.append(path)
            continue
        if record.data.get("nblib") != library:  # outputs of another version of nblib
            todo.append(path)
    print(f"{len(paths) - len(todo)} of {len(paths)} notebooks cached; executing {len(todo)}")
    failures = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_execute, path, timeout): path for path in todo}
        for future in as_completed(futures):
            path = futures[future]
            nb, seconds, error = future.result()
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            if error:
                failures.append(f"{name} failed:\n{error}")
                print(f"  FAILED {name} after {seconds:.1f} s", flush=True)
                continue
            store(path, nb, seconds, cache_path, library)
            print(f"  {seconds:5.1f} s  {name}", flush=True)
    return failures


def store(path: Path, nb, seconds: float, cache_path: Path = CACHE, library: str | None = None):
    """Cache ``nb``, the executed notebook of ``path``, with its execution time and the
    digest of the ``nblib`` it ran with (default: the current one)."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    data = {"execution_seconds": seconds, "nblib": library or nblib_digest()}
    bundle = CacheBundleIn(nb, str(path), data=data)
    get_cache(str(cache_path)).cache_notebook_bundle(bundle, check_validity=False, overwrite=True)


def recorded_seconds(paths: list[Path], cache_path: Path = CACHE) -> dict[Path, float]:
    """How long each cached notebook of ``paths`` took when it ran (here, or under nbval:
    ``tests/nbval_book_cache.py``): the book's budget is 30 s a notebook on 2 cores."""
    from jupyter_cache import get_cache

    cache, seconds = get_cache(str(cache_path)), {}
    for path in paths:
        try:
            record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            continue
        seconds[path] = record.data["execution_seconds"]
    return seconds


def cell_timeout(root: Path = ROOT) -> int:
    """The build's time limit per cell (``execute.timeout`` of ``_config.yml``)."""
    import yaml

    return int(yaml.safe_load((root / "_config.yml").read_text())["execute"]["timeout"])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    started = time.monotonic()
    paths = book_notebooks()
    failures = fill(paths, args.jobs, cell_timeout())
    print(f"done in {time.monotonic() - started:.0f} s with {args.jobs} jobs")
    slowest = sorted(recorded_seconds(paths).items(), key=lambda item: -item[1])[:3]
    times = ", ".join(f"{path.relative_to(ROOT)} {s:.1f} s" for path, s in slowest)
    print(f"slowest when they ran: {times}")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
