"""The parallel pre-execution fills the cache exactly as the book build would read it."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest
from jupyter_cache import get_cache

from nblib import _build_cache
from nblib._notebooks import ROOT


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(s) for s in sources],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, path)
    return path


def test_each_notebook_runs_once_in_its_folder_and_the_build_finds_it(tmp_path):
    (tmp_path / "data.txt").write_text("42")
    good = _notebook(tmp_path / "good.ipynb", "print(open('data.txt').read())", "x = 6 * 7\nx")
    other = _notebook(tmp_path / "other.ipynb", "print('other')")
    cache_path = tmp_path / "cache"
    assert _build_cache.fill([good, other], jobs=2, timeout=60, cache_path=cache_path) == []

    cache = get_cache(str(cache_path))
    # myst-nb's cache mode looks a notebook up by its code, read as from the source file
    record = cache.match_cache_notebook(nbformat.read(good, as_version=4))
    _, merged = cache.merge_match_into_notebook(nbformat.read(good, as_version=4))
    assert merged.cells[0].outputs[0]["text"] == "42\n"  # ran in the notebook's folder
    assert merged.cells[1].outputs[0]["data"]["text/plain"] == "42"
    assert record.data["execution_seconds"] > 0
    # a second pass executes nothing; an edit executes only the edited notebook
    assert _build_cache.fill([good, other], jobs=2, timeout=60, cache_path=cache_path) == []
    assert len(cache.list_cache_records()) == 2
    _notebook(other, "print('edited')")
    assert _build_cache.fill([good, other], jobs=2, timeout=60, cache_path=cache_path) == []
    assert len(cache.list_cache_records()) == 3


def test_a_change_to_nblib_runs_every_notebook_again(tmp_path, monkeypatch):
    good = _notebook(tmp_path / "good.ipynb", "x = 1")
    cache_path = tmp_path / "cache"
    assert _build_cache.fill([good], jobs=1, timeout=60, cache_path=cache_path) == []
    cache = get_cache(str(cache_path))
    before = cache.match_cache_notebook(nbformat.read(good, as_version=4))
    assert before.data["nblib"] == _build_cache.nblib_digest()
    monkeypatch.setattr(_build_cache, "nblib_digest", lambda: "another nblib")
    assert _build_cache.fill([good], jobs=1, timeout=60, cache_path=cache_path) == []
    after = cache.match_cache_notebook(nbformat.read(good, as_version=4))
    assert after.data["nblib"] == "another nblib" and after.created > before.created


def test_a_failing_notebook_is_reported_with_its_traceback_and_not_cached(tmp_path):
    bad = _notebook(tmp_path / "bad.ipynb", "assert 1 + 1 == 3, 'arithmetic is broken'")
    cache_path = tmp_path / "cache"
    failures = _build_cache.fill([bad], jobs=1, timeout=60, cache_path=cache_path)
    assert len(failures) == 1 and "arithmetic is broken" in failures[0]
    with pytest.raises(KeyError):
        get_cache(str(cache_path)).match_cache_notebook(nbformat.read(bad, as_version=4))


def test_jobs_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="jobs must be at least 1, got 0"):
        _build_cache.fill([], jobs=0, timeout=60, cache_path=tmp_path / "cache")


def test_the_book_notebooks_are_those_of_the_table_of_contents():
    notebooks = _build_cache.book_notebooks()
    assert notebooks and all(p.exists() and p.suffix == ".ipynb" for p in notebooks)
    assert _build_cache.cell_timeout() > 0


# Outputs nbval's run must cache as the build's executor would: streams around a display (nbval
# merges them, nbclient keeps them apart), stderr and a result, a figure, a display updated by
# its id, an empty cell (nbclient skips it), an error the cell is tagged to raise, an explorer.
RUN_ONCE_CELLS = [
    "from IPython.display import HTML, display\nprint('before')\ndisplay(HTML('<b>x</b>'))\n"
    "print('after')",
    "import sys\nprint('warned', file=sys.stderr)\n6 * 7",
    "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()",
    "handle = display('first', display_id=True)\nhandle.update('second')",
    "",
    "raise ValueError('shown on purpose')",
    "from nblib.widgets import explore\nexplore(lambda a: plt.figure(), title='Grows', a=(1, 2, 2))",
]


@pytest.mark.slow
def test_nbval_caches_each_notebook_as_the_build_executor_would(tmp_path):
    path = _notebook(tmp_path / "run_once.ipynb", *RUN_ONCE_CELLS)
    nb = nbformat.read(path, as_version=4)
    nb.cells[5].metadata["tags"] = ["raises-exception"]
    nbformat.write(nb, path)
    failing = _notebook(tmp_path / "failing.ipynb", "x = 1", "assert x == 2", "y = 3")
    by_nbval, by_build = tmp_path / "nbval-cache", tmp_path / "build-cache"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "tests.nbval_book_cache",
         "--book-cache", str(by_nbval), "-p", "no:cacheprovider", "-p", "no:randomly", "-q",
         path.name, failing.name],
        cwd=tmp_path, env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert "1 failed, 9 passed" in run.stdout, run.stdout + run.stderr
    assert _build_cache.fill([path], jobs=1, timeout=60, cache_path=by_build) == []

    def cached(cache_path, notebook):
        source = nbformat.read(notebook, as_version=4)
        return get_cache(str(cache_path)).merge_match_into_notebook(source)[1]

    ours, theirs = cached(by_nbval, path), cached(by_build, path)
    assert [len(c.get("outputs", [])) for c in ours.cells] == [3, 2, 1, 1, 0, 1, 1]
    assert ours.cells[3].outputs[0]["data"]["text/plain"] == "'second'"
    assert ours == theirs  # every cell: outputs, execution counts, metadata
    with pytest.raises(KeyError):  # a failed cell: the build runs that notebook itself
        get_cache(str(by_nbval)).match_cache_notebook(nbformat.read(failing, as_version=4))
