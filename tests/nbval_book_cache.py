"""nbval's run of the notebooks fills the book's cache: a pytest plugin.

python -m pytest --nbval-lax chapters -p tests.nbval_book_cache --book-cache _build/.jupyter_cache

nbval runs every code cell of a notebook in one kernel, in order, in the notebook's folder,
headless, as the book build does. With ``--book-cache DIR`` this plugin keeps the kernel's
messages for each cell, turns them into outputs with nbclient's own handler
(``NotebookClient.process_message``, what jupyter-cache's executor runs on the same
messages), and once every code cell of a notebook has passed, caches the executed notebook
in ``DIR`` (``nblib._build_cache.store``). ``python -m nblib._build_cache`` and the book
build then execute none of them again: ``make test`` runs each notebook once for nbval and
the book, instead of twice. A notebook with a failed, skipped or deselected cell is not
cached (the build executes it itself). Only the outputs come from here; which cells run, and
how, is nbval's. Test tooling, beside the tests: it needs pytest and nbval, which the reading
environment does not have.
"""

from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.getgroup("nbval").addoption(
        "--book-cache",
        metavar="DIR",
        default=None,
        help="cache each notebook whose cells all passed in this jupyter-cache (the book's: "
        "_build/.jupyter_cache)",
    )


class _Recording:
    """One notebook's run: the kernel's messages for each cell, turned into its outputs."""

    def __init__(self, nbfile, cache_path: Path, started: float):
        import copy

        from nbclient import NotebookClient

        self.path = Path(str(nbfile.fspath))
        self.cache_path = cache_path
        self.nb = copy.deepcopy(nbfile.nb)  # as read from the file, like the build's lookup
        self.code = [i for i, cell in enumerate(self.nb.cells) if cell.cell_type == "code"]
        self.client = NotebookClient(self.nb, record_timing=False)  # its message handler only
        self.started = started  # before the kernel started, as the build's timer
        self.passed = 0
        self.messages: list[dict] = []
        self.msg_id = None
        kernel, read = nbfile.kernel, nbfile.get_kernel_message
        # the kernel's own language_info (its version too), as nbclient records it
        info = kernel.kc.kernel_info(reply=True, timeout=60)
        self.nb.metadata["language_info"] = info["content"]["language_info"]

        def execute_and_keep_id(source, allow_stdin=None):
            # as the build and Jupyter run a cell: its history stored, so execution counts,
            # `_` and tracebacks' In[n] are the build's (nbval alone does not store it)
            self.msg_id = kernel.kc.execute(
                source, store_history=True, allow_stdin=allow_stdin, stop_on_error=False
            )
            return self.msg_id

        def read_and_keep(timeout=None, stream="iopub"):
            msg = read(timeout=timeout, stream=stream)
            if stream == "iopub":
                self.messages.append(msg)
            return msg

        kernel.execute_cell_input = execute_and_keep_id
        nbfile.get_kernel_message = read_and_keep

    def cell_passed(self, cell_num: int) -> None:
        """Turn the messages of code cell ``cell_num`` into its outputs, as nbclient does."""
        from nbclient.exceptions import CellExecutionComplete

        index = self.code[cell_num]
        cell = self.nb.cells[index]
        cell.outputs, self.client.clear_before_next_output = [], False
        for msg in self.messages if cell.source.strip() else ():  # nbclient skips empty cells
            if msg["parent_header"].get("msg_id") != self.msg_id:
                continue
            try:
                self.client.process_message(msg, cell, index)
            except CellExecutionComplete:
                break
        self.messages.clear()
        self.passed += 1
        if self.passed == len(self.code):
            self.client.set_widgets_metadata()
            seconds = time.monotonic() - self.started
            with _lock(self.cache_path):
                from nblib._build_cache import store

                store(self.path, self.nb, seconds, self.cache_path)


@contextmanager
def _lock(cache_path: Path):
    """One writer at a time (pytest-xdist's workers share the cache's SQLite database)."""
    cache_path.mkdir(parents=True, exist_ok=True)
    with open(cache_path / "nbval-writer.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_recordings: dict[object, _Recording] = {}


def _cell(item):
    from nbval.plugin import IPyNbCell

    return isinstance(item, IPyNbCell) and item.config.getoption("book_cache")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    started = time.monotonic()
    outcome = yield
    if _cell(item) and item.cell_num == 0 and outcome.excinfo is None:
        cache_path = Path(item.config.getoption("book_cache"))
        _recordings[item.parent] = _Recording(item.parent, cache_path, started)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    recording = _recordings.get(item.parent) if _cell(item) else None
    if recording is None:
        return
    if outcome.excinfo is None and recording.passed == item.cell_num:
        recording.cell_passed(item.cell_num)
        if recording.passed < len(recording.code):
            return
    del _recordings[item.parent]  # cached, or a cell failed, was skipped or deselected
