"""The engine under :func:`nblib.course.grade`: run submitted notebooks with limits, in parallel.

Otter's ``otter run`` starts a new Python, imports otter, starts a Jupyter kernel, renders
every figure and re-runs every cell of the chapter for each submission: about 16 s a notebook,
most of it the same work again and again. This engine does the same work once:

- A **worker** is a Python process that has imported IPython, otter's test runner and the
  libraries the notebooks use, and, for a *prefix worker*, has also run the cells of the
  student edition that come before the first exercise (the chapter itself). It never runs
  student code itself.
- Each submission runs in a **child** forked from a worker: a separate process with its own
  memory (``RLIMIT_AS``), CPU time (``RLIMIT_CPU``) and wall-clock limits, its own process
  group and working folder, and stdin, stdout and stderr closed to the worker. A submission
  whose chapter cells are exactly the student edition's (same source, in the same order)
  starts from the prefix worker's state and runs only its own cells from the first exercise
  on; one whose chapter cells differ runs every cell from the top in a child of a *blank*
  worker. The book's notebooks are deterministic (seeded), so both give the state that
  re-running every cell gives (``tests/test_grading.py`` compares them).
- Cells run one by one in IPython (``InteractiveShell``, the engine of ipykernel) with the
  Agg backend, so figures are drawn but never rendered to PNG. Each cell has a time limit
  (``cell_timeout``): an endless loop is interrupted, costs the exercise whose cells it is in,
  and the notebook goes on. The hidden tests are otter's own test files run by otter's
  runner (``otter.test_files``) in the notebook's namespace, as otter does after the last cell.
- Workers and children use one BLAS thread each, in serial and parallel runs alike, so the
  numbers (and grades) are the same whatever ``jobs`` is.

The protocol is JSON lines: the parent writes the worker's set-up, then one job a line, to its
stdin; the worker answers ``{"ready": ...}`` and ``{"job": ..., "exit": ...}`` on its stdout.
A child writes what happened (cell errors, timeouts, test results) to its own results file,
line by line, so a child killed half way still leaves what it had done. This is isolation
against accidents (loops, memory, crashes), not a sandbox: see the instructors' page.
"""

from __future__ import annotations

import json
import math
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

GRACE = 5.0  # s after the notebook's limit before the worker kills the child (it writes results)
INTERRUPT_AGAIN = 1.0  # s between interrupts of a cell that swallowed the first one
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Limits:
    """The limits of one notebook: wall-clock seconds for the whole notebook and for one cell
    (or one hidden test), and the address space of its process in MB."""

    timeout: float = 300.0
    cell_timeout: float = 60.0
    memory_mb: int = 2048

    def __post_init__(self):
        for name in ("timeout", "cell_timeout", "memory_mb"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")


@dataclass
class Job:
    """One submission to run.

    ``prefix``: the student edition's chapter cells this submission shares (its worker runs
    them once), or ``None`` to run every cell in a blank worker. ``prefix_cells``: the
    submission's (cell number, exercise label) of those cells, to report their errors.
    ``cells``: (cell number, source, exercise label or None) still to run.
    ``tests``: (exercise label, otter test file, answer name or None).
    """

    key: str
    cells: list[tuple[int, str, str | None]]
    tests: list[tuple[str, str, str | None]]
    prefix: tuple[str, ...] | None = None
    prefix_cells: list[tuple[int, str | None]] = field(default_factory=list)


@dataclass
class Outcome:
    """What happened to a job: the child's events, how it ended, and the worker's own trouble."""

    events: list[dict]
    exit_code: int | None  # None: the child never ran (worker failure)
    killed: bool = False  # by the worker at the notebook's limit
    problem: str = ""  # a worker that could not start or died
    results: Path | None = None  # the child's results file


# --------------------------------------------------------------------------------------------
# Inside the worker and its children
# --------------------------------------------------------------------------------------------


class TimeLimit(KeyboardInterrupt):
    """Raised in a cell that runs past its limit. A ``KeyboardInterrupt``, so that neither
    ``except Exception`` in the learner's code nor ``nblib.exercises.check`` nor doctest's
    runner (which re-raises only ``KeyboardInterrupt``) can swallow it."""


class _Alarm:
    """``signal.setitimer`` as a context: raise :class:`TimeLimit` after ``seconds``."""

    fired = False

    def __init__(self, seconds: float):
        self.seconds = max(seconds, 0.001)

    @classmethod
    def _handler(cls, signum, frame):
        cls.fired = True
        signal.setitimer(signal.ITIMER_REAL, INTERRUPT_AGAIN)  # if the learner swallows it
        raise TimeLimit

    def __enter__(self):
        _Alarm.fired = False
        signal.signal(signal.SIGALRM, _Alarm._handler)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        return isinstance(exc[1], TimeLimit)  # an interrupt that escaped the cell: handled


def imports(sources) -> list[str]:
    """The modules that ``import`` and ``from ... import`` lines of these cells name."""
    found = set()
    for source in sources:
        found.update(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_][\w.]*)", source, re.M))
    return sorted(found)


def _describe(exc: BaseException) -> str:
    try:
        message = str(exc)
    except Exception:  # a learner's exception whose __str__ fails
        message = ""
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _make_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no sqlite file, no saving thread to fork with
    return InteractiveShell.instance(config=config)


def _run_cell(shell, source: str, seconds: float) -> dict | None:
    """Run one cell; ``None`` if it succeeded, else ``{"error": ...}`` or ``{"timeout": s}``."""
    import matplotlib.pyplot as plt

    result = None
    with _Alarm(seconds):
        result = shell.run_cell(source, store_history=False, silent=True)
    plt.close("all")  # as the inline backend does after each cell
    if _Alarm.fired:
        return {"timeout": seconds}
    if result is None:
        return {"error": "the cell could not be run"}
    error = result.error_before_exec or result.error_in_exec
    return None if error is None else {"error": _describe(error)}


def _close_inherited_fds(keep: set[int]) -> None:
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _child(shell, job: dict, prefix_errors: list, limits: Limits) -> None:
    """Run one job in a freshly forked child; never returns."""
    import builtins
    import resource

    code = 0
    try:
        os.setpgid(0, 0)
        _close_inherited_fds(keep=set())
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        out = open(job["results"], "a", buffering=1)  # noqa: SIM115 (closed by _exit)

        def emit(**event):
            out.write(json.dumps(event) + "\n")
            out.flush()

        memory = limits.memory_mb * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = math.ceil(limits.timeout + GRACE)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        os.chdir(job["workdir"])
        for ordinal, outcome in prefix_errors:
            emit(prefix=ordinal, **outcome)
        deadline = time.monotonic() + limits.timeout
        lost = set()  # exercises whose cells ran past their limit: not run further, not tested
        for number, source, label in job["cells"]:
            if label is not None and label in lost:
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                emit(out_of_time=True)
                return
            outcome = _run_cell(shell, source, min(limits.cell_timeout, remaining))
            if outcome is not None:
                emit(cell=number, label=label, **outcome)
                if "timeout" in outcome and label is not None:
                    lost.add(label)
        from otter.nbmeta_config import NBMetadataConfig
        from otter.test_files import create_test_file

        namespace = shell.user_ns
        for label, path, name in job["tests"]:
            if label in lost:
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                emit(out_of_time=True)
                return
            test = create_test_file(path, NBMetadataConfig())
            root = (name or "").split(".")[0]
            if root and root not in namespace and not hasattr(builtins, root):
                emit(test=label, missing=name, score=0.0, possible=test.possible)
                continue
            seconds = min(limits.cell_timeout, remaining)
            try:
                with _Alarm(seconds):
                    test.run(namespace)
            except BaseException as exc:  # the learner's code broke otter's runner itself
                emit(test=label, error=_describe(exc), score=0.0, possible=test.possible)
                continue
            if _Alarm.fired:
                emit(test=label, timeout=seconds, score=0.0, possible=test.possible)
                continue
            output = "\n".join(r.message for r in test.test_case_results)
            emit(test=label, score=float(test.score), possible=test.possible, output=output[-4000:])
        emit(done=True)
    except BaseException:
        code = 70
    finally:
        os._exit(code)


class _Lines:
    """Whole lines from a raw file descriptor (no buffering behind the selector's back)."""

    def __init__(self, fd: int):
        self.fd, self.buffer, self.closed = fd, b"", False

    def read(self) -> list[str]:
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.closed = True
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [line.decode() for line in lines if line.strip()]


def worker_main() -> int:
    """A worker: set up (imports, prefix), then fork a child for each job it is sent. Its own
    errors go to its log (the parent shows the last line); the notebooks' output nowhere."""
    diagnostics = os.dup(2)
    try:
        return _serve()
    except BaseException:
        import traceback

        os.write(diagnostics, traceback.format_exc().encode())
        return 1


def _serve() -> int:
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    out = os.fdopen(proto_out, "w", buffering=1)

    def send(**message):
        out.write(json.dumps(message) + "\n")
        out.flush()

    reader = _Lines(proto_in)
    lines: deque[str] = deque()
    while not lines and not reader.closed:
        lines.extend(reader.read())
    if not lines:
        return 0
    setup = json.loads(lines.popleft())
    limits = Limits(**setup["limits"])
    for module in setup["preload"]:
        try:
            __import__(module)
        except Exception:  # noqa: S112 (a missing library fails in the learner's cell instead)
            continue
    import otter.test_files  # noqa: F401 (imported once here, not in every child)

    shell = _make_shell()
    os.dup2(devnull, 2)  # from here on the notebook's output goes nowhere
    prefix_errors = []
    for ordinal, source in enumerate(setup["prefix"]):
        outcome = _run_cell(shell, source, limits.cell_timeout)
        if outcome is not None:
            prefix_errors.append([ordinal, outcome])
    send(ready=True, prefix_errors=len(prefix_errors))

    selector = selectors.DefaultSelector()
    selector.register(proto_in, selectors.EVENT_READ, None)
    children: dict[int, dict] = {}  # pid -> {"job", "deadline", "killed", "pidfd"}
    use_pidfd = hasattr(os, "pidfd_open")
    while children or not reader.closed or lines:
        while lines:
            job = json.loads(lines.popleft())
            pid = os.fork()
            if pid == 0:
                _child(shell, job, prefix_errors, limits)
            try:
                os.setpgid(pid, pid)
            except OSError:
                pass  # the child already did, or is gone
            send(job=job["job"], pid=pid)
            entry = {"job": job["job"], "deadline": time.monotonic() + limits.timeout + GRACE}
            entry["killed"] = False
            if use_pidfd:
                entry["pidfd"] = os.pidfd_open(pid)
                selector.register(entry["pidfd"], selectors.EVENT_READ, pid)
            children[pid] = entry
        now = time.monotonic()
        wait = min((c["deadline"] for c in children.values()), default=now + 3600) - now
        if not use_pidfd and children:
            wait = min(wait, 0.02)
        for key, _ in selector.select(max(wait, 0)):
            if key.data is None:
                lines.extend(reader.read())
                if reader.closed:
                    selector.unregister(proto_in)
        for pid, entry in list(children.items()):
            if not entry["killed"] and time.monotonic() > entry["deadline"]:
                entry["killed"] = True
                for kill in (os.killpg, os.kill):
                    try:
                        kill(pid, signal.SIGKILL)
                        break
                    except OSError:
                        continue
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                if "pidfd" in entry:
                    selector.unregister(entry["pidfd"])
                    os.close(entry["pidfd"])
                del children[pid]
                send(
                    job=entry["job"], exit=os.waitstatus_to_exitcode(status), killed=entry["killed"]
                )
    return 0


# --------------------------------------------------------------------------------------------
# In the parent: the scheduler
# --------------------------------------------------------------------------------------------


class _Worker:
    def __init__(self, prefix: tuple[str, ...], preload: list[str], limits: Limits, home: Path):
        home.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
        env.update(dict.fromkeys(THREAD_VARS, "1"))
        package_root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self.log = home / "worker.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "nblib._grading"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=home,
                env=env,
                start_new_session=True,
            )
        self.lines = _Lines(self.proc.stdout.fileno())
        self.ready = False
        self.running: dict[str, float] = {}  # job key -> watchdog deadline
        self.children: dict[str, int] = {}  # job key -> pid (its process group)
        self.started = time.monotonic()
        self.send({"limits": asdict(limits), "preload": preload, "prefix": list(prefix)})

    def send(self, message: dict) -> None:
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def problem(self) -> str:
        lines = self.log.read_text(errors="replace").strip().splitlines()
        return (lines[-1:] or ["no message"])[0][:300]

    def stop(self, kill: bool = False) -> None:
        if kill:
            for pid in [self.proc.pid, *self.children.values()]:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc.stdout.close()


def run(
    jobs: list[Job],
    *,
    limits: Limits,
    parallel: int = 1,
    preload: list[str] | None = None,
) -> dict[str, Outcome]:
    """Run every job, at most ``parallel`` at a time, and return each one's :class:`Outcome`.

    Jobs that share a prefix share a worker; a worker starts when a job needs it and stops when
    none is left. A serial run has one worker at a time; a parallel one up to ``parallel`` + 1,
    so that one worker's set-up overlaps the others' work. If a prefix worker fails, its jobs
    run every cell in a blank worker instead.
    """
    if not (isinstance(parallel, int) and parallel >= 1):
        raise ValueError(f"parallel must be a positive integer, got {parallel!r}")
    if len({job.key for job in jobs}) != len(jobs):
        raise ValueError("job keys must be unique")
    with tempfile.TemporaryDirectory(prefix="nblib-grading-") as tmp:
        return _Scheduler(jobs, limits, parallel, preload or [], Path(tmp)).run()


class _Scheduler:
    def __init__(self, jobs: list[Job], limits: Limits, parallel: int, preload, tmp: Path):
        self.limits, self.parallel, self.preload, self.tmp = limits, parallel, preload, tmp
        # each prefix's jobs together, in the order given; the blank worker's jobs last
        self.pending = deque(sorted(jobs, key=lambda job: job.prefix is None))
        self.workers: dict[tuple[str, ...] | None, _Worker] = {}
        self.blank_problem = ""  # why the blank worker could not run, if it could not
        self.outcomes: dict[str, Outcome] = {}
        self.selector = selectors.DefaultSelector()
        self.max_workers = parallel + 1 if parallel > 1 else 1
        self.startup_limit = 120.0 + limits.timeout  # imports, then the chapter's cells

    def run(self) -> dict[str, Outcome]:
        try:
            while True:
                self._start_workers()
                self._dispatch()
                if not self.pending and not any(w.running for w in self.workers.values()):
                    break
                self._wait()
                self._retire()
        finally:
            for worker in self.workers.values():
                worker.stop(kill=True)
        return self.outcomes

    def _start_workers(self) -> None:
        for job in self.pending:
            if len(self.workers) >= self.max_workers:
                return
            if job.prefix in self.workers or (job.prefix is None and self.blank_problem):
                continue
            home = self.tmp / f"worker-{time.monotonic_ns()}"
            # what this prefix imports, or for the blank worker what any notebook may import
            preload = self.preload if job.prefix is None else imports(job.prefix)
            worker = _Worker(job.prefix or (), preload, self.limits, home)
            self.workers[job.prefix] = worker
            self.selector.register(worker.lines.fd, selectors.EVENT_READ, job.prefix)

    def _dispatch(self) -> None:
        running = sum(len(w.running) for w in self.workers.values())
        for job in list(self.pending):
            if job.prefix is None and self.blank_problem:
                self.pending.remove(job)
                self.outcomes[job.key] = Outcome([], None, problem=self.blank_problem)
                continue
            worker = self.workers.get(job.prefix)
            if running >= self.parallel or worker is None or not worker.ready:
                continue
            self.pending.remove(job)
            folder = self.tmp / "jobs" / str(len(self.outcomes))
            folder.mkdir(parents=True)
            outcome = Outcome([], None, results=folder / "results.jsonl")
            self.outcomes[job.key] = outcome
            message = {"job": job.key, "cells": job.cells, "tests": job.tests}
            message.update(results=str(outcome.results), workdir=str(folder))
            worker.send(message)
            worker.running[job.key] = time.monotonic() + self.limits.timeout + GRACE + 30
            running += 1

    def _wait(self) -> None:
        deadlines = [d for w in self.workers.values() for d in w.running.values()]
        deadlines += [w.started + self.startup_limit for w in self.workers.values() if not w.ready]
        wait = max(min(deadlines, default=time.monotonic() + 60) - time.monotonic(), 0.0)
        for key, _ in self.selector.select(wait):
            worker = self.workers.get(key.data)
            if worker is not None and (problem := self._read(worker)):
                self._fail(key.data, problem)
        now = time.monotonic()
        for prefix, worker in list(self.workers.items()):
            late = any(now > d for d in worker.running.values())
            if late or (not worker.ready and now > worker.started + self.startup_limit):
                self._fail(prefix, "the grading worker stopped answering and was killed")

    def _read(self, worker: _Worker) -> str:
        """Act on the worker's messages; what went wrong with it, if anything."""
        for line in worker.lines.read():
            try:
                message = json.loads(line)
            except ValueError:
                message = None
            if not isinstance(message, dict):  # the worker's stdout is only the protocol
                return f"the grading worker wrote {line[:100]!r}"
            if message.get("ready"):
                worker.ready = True
            elif "pid" in message:
                worker.children[message["job"]] = message["pid"]
            elif "exit" in message:
                self._finish(worker, message["job"], message["exit"], message["killed"])
        return f"the grading worker stopped: {worker.problem()}" if worker.lines.closed else ""

    def _finish(self, worker: _Worker, key: str, exit_code: int, killed: bool) -> None:
        worker.running.pop(key, None)
        worker.children.pop(key, None)
        outcome = self.outcomes[key]
        outcome.exit_code, outcome.killed = exit_code, killed
        outcome.events = _read_events(outcome.results)

    def _fail(self, prefix: tuple[str, ...] | None, problem: str) -> None:
        """A worker died or hung: kill it and its children, keep what they wrote, and send
        its waiting jobs to the blank worker (or fail them, if that was the blank worker)."""
        worker = self.workers.pop(prefix)
        self.selector.unregister(worker.lines.fd)
        worker.stop(kill=True)
        for key in worker.running:
            outcome = self.outcomes[key]
            outcome.events, outcome.problem = _read_events(outcome.results), problem
        if prefix is None:
            self.blank_problem = problem
            return
        for job in self.pending:
            if job.prefix == prefix:
                prefix_cells = [
                    (n, src, lbl) for (n, lbl), src in zip(job.prefix_cells, prefix, strict=True)
                ]
                job.cells = prefix_cells + job.cells
                job.prefix, job.prefix_cells = None, []
        self.pending = deque(sorted(self.pending, key=lambda job: job.prefix is None))

    def _retire(self) -> None:
        needed = {job.prefix for job in self.pending}
        for prefix, worker in list(self.workers.items()):
            if prefix not in needed and not worker.running:
                self.selector.unregister(worker.lines.fd)
                worker.stop()
                del self.workers[prefix]


def _read_events(path: Path | None) -> list[dict]:
    """The child's events, skipping lines that are not JSON objects (a child killed mid-line)."""
    events = []
    if path is not None and path.exists():
        for line in path.read_text(errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                events.append(event)
    return events


if __name__ == "__main__":
    raise SystemExit(worker_main())
