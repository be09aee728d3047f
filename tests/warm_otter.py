"""``otter assign`` without paying otter's import for every notebook.

Each ``otter assign`` command spends about 3 s of CPU importing otter before it reads the
notebook (``otter --help`` alone takes as long), so the student edition of the whole book
spent most of its time in imports. Here one fork server imports otter once; each command
then runs in a fresh process forked from it, with its own working directory, standard
output and standard error, so no state carries from one notebook to the next.
``tests/test_course.py`` checks that this writes what the ``otter`` command writes.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# True in the processes forked from a fork server that imported otter (see warm_otter)
PRELOADED = "otter.cli" in sys.modules
import click  # noqa: E402
from otter.cli import cli  # noqa: E402


def _assign(args: list[str], cwd: str) -> tuple[bool, int, str, str]:
    """Run ``otter <args>`` in this (forked) process as the ``otter`` command would."""
    if not PRELOADED:
        return False, 1, "", ""
    os.chdir(cwd)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        # file descriptors, not sys.stdout: otter's logging and its children write there too
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            cli.main(args=args, prog_name="otter", standalone_mode=False)
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        except click.ClickException as error:  # as the command line reports it
            error.show()
            code = error.exit_code
        except BaseException:
            traceback.print_exc()
            code = 1
        for stream in (sys.stdout, sys.stderr, out, err):
            stream.flush()
        for stream in (out, err):
            stream.seek(0)
        return True, code, out.read(), err.read()


@contextmanager
def warm_otter(jobs: int = 2) -> Iterator:
    """A ``subprocess.run`` that sends ``otter assign`` commands to a warm fork server (up
    to ``jobs`` at once) and every other command to the real ``subprocess.run``."""
    context = multiprocessing.get_context("forkserver")
    # otter.cli, not this module: the fork server imports its preload before it sets sys.path
    # (Python 3.11), and skips a module it cannot import without a word
    context.set_forkserver_preload(["otter.cli"])
    # maxtasksperchild=1: a new process for every notebook, as the command line has
    with context.Pool(jobs, maxtasksperchild=1) as pool:

        def run(command, *args, cwd=None, **kwargs):
            if len(command) > 1 and Path(command[0]).name == "otter" and command[1] == "assign":
                assert kwargs == {"capture_output": True, "text": True} and not args, kwargs
                argv = [str(a) for a in command[1:]]
                warm, code, out, err = pool.apply(_assign, (argv, str(cwd or os.getcwd())))
                assert warm, "the fork server did not import otter: each command would again"
                return subprocess.CompletedProcess(command, code, out, err)
            return subprocess.run(command, *args, cwd=cwd, **kwargs)

        yield run
