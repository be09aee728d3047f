"""The reading environment, as a learner gets it from Binder (or installs it for a hub).

Binder (repo2docker) builds from ``.binder/`` when it exists and then ignores the root
files: ``.binder/requirements.txt`` (pinned from ``requirements.in`` by ``make lock-binder``)
holds what the notebooks need, JupyterLab and jupyterlab-myst, and no website toolchain.
The slow tests build that environment fresh, import everything the notebooks import, and
run a chapter notebook in a real JupyterLab in headless Chromium, as a learner would.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from preflight import find_browser
from sitekit import ARTIFACTS

from nblib import _notebooks

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / ".binder"
#: The notebook the JupyterLab test runs: a code exercise with a stub, and a live explorer.
LEARNER_NOTEBOOK = ROOT / "chapters" / "02-calculus" / "02-backpropagation.ipynb"
STUB_CHECK = 'check("ca-two-layer-backward", two_layer_backward)'
EXERCISE_TITLE = "The backward pass of a two-layer network"
#: Distributions that belong to the website build, never to a reader's environment.
WEBSITE_TOOLCHAIN = {"jupyter-book", "sphinx", "myst-nb", "sphinx-book-theme", "sphinx-exercise"}


def _names(requirements: Path) -> list[str]:
    """The distribution names a requirements file lists (comments, options and -e left out)."""
    names = []
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def notebook_imports() -> set[str]:
    """Top-level modules the chapter notebooks import (standard library left out)."""
    modules = set()
    for path in _notebooks.chapter_notebooks():
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            # IPython magics and shell escapes are not Python: each becomes a `pass`.
            code = re.sub(r"^(\s*)[%!].*$", r"\1pass", _notebooks.source(cell), flags=re.M)
            for node in ast.walk(ast.parse(code)):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names)


def test_runtime_pins_a_supported_python():
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"


def test_binder_requirements_pin_every_name_of_requirements_in():
    text = (BINDER / "requirements.txt").read_text()
    pinned = {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}
    wanted = _names(BINDER / "requirements.in")
    assert wanted, ".binder/requirements.in lists nothing"
    unpinned = [name for name in wanted if name not in pinned]
    assert not unpinned, (
        f"{unpinned} are not pinned in .binder/requirements.txt: run `make lock-binder`"
    )
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    assert "-e ." in lines, "nblib (-e .) is not installed"
    assert not WEBSITE_TOOLCHAIN & set(pinned), "the Binder image would carry the website toolchain"


def test_every_module_the_notebooks_import_is_in_the_binder_environment():
    """Static check (fast): each imported module's distribution is pinned for Binder."""
    pinned = set(_names(BINDER / "requirements.txt"))
    providers = packages_distributions()
    missing = []
    for module in sorted(notebook_imports() - {"nblib"}):
        dists = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        if not dists & pinned:
            missing.append(f"{module} (from {', '.join(sorted(dists))})")
    assert not missing, f"add to .binder/requirements.in and run `make lock-binder`: {missing}"


# --- a fresh environment, as Binder builds it ------------------------------------------------


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory) -> Path:
    """A new virtual environment with ``pip install -r .binder/requirements.txt`` (as repo2docker).

    ``BINDER_ENV=path`` reuses one made before (while working on these tests; CI never sets it).
    """
    if reuse := os.environ.get("BINDER_ENV"):
        return Path(reuse)
    env = tmp_path_factory.mktemp("binder") / "env"
    venv.create(env, with_pip=True)
    start = time.perf_counter()
    install = subprocess.run(
        [
            env / "bin" / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            # no byte-compiling of every installed module (pip's default, ~25 of its ~45 s of
            # CPU): the same packages and versions; Python compiles what the tests import
            "--no-compile",
            "-r",
            ".binder/requirements.txt",
        ],
        cwd=ROOT,  # repo2docker installs from the repository root, where `-e .` points
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    size = sum(f.stat().st_size for f in env.rglob("*") if f.is_file() and not f.is_symlink())
    print(
        f"\n.binder environment: {time.perf_counter() - start:.0f} s to install, {size / 1e6:.0f} MB"
    )
    return env


@pytest.mark.slow
def test_the_binder_environment_imports_what_the_notebooks_import(binder_env, tmp_path):
    modules = sorted(notebook_imports())
    probe = f"import {', '.join(modules)}; import nblib; print(nblib.__file__)"
    run = subprocess.run(
        [binder_env / "bin" / "python", "-c", probe], cwd=tmp_path, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert Path(run.stdout.strip()).resolve().is_relative_to(ROOT / "nblib"), run.stdout


@pytest.mark.slow
def test_jupyterlab_myst_is_installed_and_compatible(binder_env):
    listing = subprocess.run(
        [binder_env / "bin" / "jupyter", "labextension", "list"], capture_output=True, text=True
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)  # no colours
    line = next((l for l in text.splitlines() if "jupyterlab-myst" in l and " v" in l), "")
    assert re.search(r"enabled\s+OK", line), (
        f"jupyterlab-myst is not enabled and compatible:\n{text}"
    )


# --- a learner in JupyterLab ----------------------------------------------------------------

#: Only for this test: every cell in the page (JupyterLab renders a long notebook lazily,
#: which a reader never notices but a test reading all cells would), and no news pop-up.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
}

# Run in the page: the open notebook's state, through the app (exposed for tests).
NOTEBOOK_STATE_JS = """
async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  const cells = panel.content.widgets.map((cell) => ({
    type: cell.model.type,
    source: cell.model.sharedModel.getSource(),
    inputHidden: cell.inputHidden,
    outputHidden: cell.model.type === "code" ? cell.outputHidden : null,
    count: cell.model.type === "code" ? cell.model.executionCount : null,
    outputs: cell.model.type === "code" ? cell.model.outputs.toJSON() : [],
  }));
  return {dirty: panel.context.model.dirty, model: panel.context.model.toJSON(), cells};
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url + "api/status", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer on {url} within {seconds} s")


def _text(outputs: list[dict]) -> str:
    parts = []
    for out in outputs:
        parts.append("".join(out.get("text", "")))
        for key in ("text/plain", "text/html"):
            value = out.get("data", {}).get(key, "")
            parts.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.browser
def test_a_learner_runs_a_chapter_notebook_in_jupyterlab(binder_env, tmp_path):
    """Exercise as a box, solutions folded, Run All clean, the explorer live, the stub still
    "not attempted" after Run All, and the notebook not "modified" on opening."""
    chromium = find_browser()
    if chromium is None:
        pytest.fail("no Chromium for the JupyterLab test: `make browser` installs one")
    settings = binder_env / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(LAB_SETTINGS))
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(LEARNER_NOTEBOOK, work / LEARNER_NOTEBOOK.name)
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    command = [
        binder_env / "bin" / "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={work}",
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_server(url, server)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                _learner_session(browser.new_page(viewport={"width": 1280, "height": 900}), url)
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _assert_opening_changes_nothing(opened: dict) -> None:
    """Opening the notebook and starting its kernel leave it as stored, but for the one thing
    JupyterLab always records: the kernel's Python version (``language_info.version``, which
    differs from machine to machine, so no stored value can match every reader's)."""
    stored = json.loads(LEARNER_NOTEBOOK.read_text())
    metadata = json.loads(json.dumps(opened["metadata"]))
    metadata.get("language_info", {}).pop("version", None)
    assert metadata == stored["metadata"], "opening the notebook changed its metadata"

    def cells(nb: dict) -> list[tuple]:
        # `trusted` is JupyterLab's own state of the session, never saved with the notebook.
        return [
            (c["cell_type"], {k: v for k, v in c.get("metadata", {}).items() if k != "trusted"},
             _notebooks.source(c))
            for c in nb["cells"]
        ]  # fmt: skip

    changed = [
        i for i, (a, b) in enumerate(zip(cells(stored), cells(opened), strict=True)) if a != b
    ]
    first = (
        f"; cell {changed[0]} was {cells(stored)[changed[0]]!r:.300}, is {cells(opened)[changed[0]]!r:.300}"
        if changed
        else ""
    )
    assert not changed, f"opening the notebook changed cells {changed}{first}"


def _learner_session(page, url: str) -> None:
    page.set_default_timeout(60_000)
    page.goto(f"{url}lab/tree/{LEARNER_NOTEBOOK.name}?reset", wait_until="domcontentloaded")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget && window.jupyterapp.shell.currentWidget.sessionContext"
    )
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'"
    )
    page.wait_for_timeout(2000)  # the kernel's info reply updates the metadata, if it will
    state = page.evaluate(NOTEBOOK_STATE_JS)
    _assert_opening_changes_nothing(state["model"])

    # The exercise is a formatted box, and every directive of the page is one jupyterlab-myst knows.
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    box = panel.locator("aside.myst-exercise", has_text=EXERCISE_TITLE)
    assert box.count() == 1, "the code exercise is not rendered as an exercise box"
    box.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "jupyterlab-exercise.png")
    assert panel.get_by_text("Unknown Directive").count() == 0, "a MyST directive is not rendered"

    # Solutions are folded: their code and output hidden, a one-line header in view.
    solutions = [c for c in state["cells"] if c["source"].startswith(_notebooks.SOLUTION_MAGIC)]
    assert solutions and all(c["inputHidden"] and c["outputHidden"] for c in solutions)
    headers = panel.locator(".jp-PlaceholderText", has_text=_notebooks.SOLUTION_HEADER)
    assert headers.count() == len(solutions), "each solution needs its visible one-line header"

    # Run All: no error, every code cell ran.
    ran = page.evaluate(
        "async () => await window.jupyterapp.commands.execute('notebook:run-all-cells')"
    )
    state = page.evaluate(NOTEBOOK_STATE_JS)
    errors = [
        f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
        for i, c in enumerate(state["cells"])
        for o in c["outputs"]
        if o.get("output_type") == "error"
    ]
    assert ran and not errors, f"Run All failed: {errors}"
    assert all(c["count"] for c in state["cells"] if c["type"] == "code"), "a code cell did not run"

    # The reference solution ran apart: the learner's stub is still the stub.
    check_cell = next(c for c in state["cells"] if c["source"].strip() == STUB_CHECK)
    assert "not attempted" in _text(check_cell["outputs"]), _text(check_cell["outputs"])
    rerun = page.evaluate(
        """async (source) => { const p = window.jupyterapp.shell.currentWidget;
        p.content.activeCellIndex = p.content.widgets.findIndex(
          (c) => c.model.sharedModel.getSource().trim() === source);
        return await window.jupyterapp.commands.execute("notebook:run-cell"); }""",
        STUB_CHECK,
    )
    state = page.evaluate(NOTEBOOK_STATE_JS)
    check_cell = next(c for c in state["cells"] if c["source"].strip() == STUB_CHECK)
    assert rerun and "not attempted" in _text(check_cell["outputs"]), (
        "the stub's check changed verdict"
    )

    # The explorer is live: a control changes its figure.
    explorer = panel.locator(
        ".jp-OutputArea-output", has=page.locator(".widget-dropdown, .widget-slider")
    ).first
    before = explorer.locator("img").first.get_attribute("src")
    assert before and before.startswith("data:image/"), "the explorer shows no figure"
    dropdown = explorer.locator(".widget-dropdown select")
    if dropdown.count():
        options = dropdown.first.locator("option").all_inner_texts()
        current = dropdown.first.evaluate("s => s.selectedIndex")
        dropdown.first.select_option(index=(current + 1) % len(options))
    else:
        handle = explorer.locator(".noUi-handle").first
        handle.focus()
        handle.press(
            "ArrowLeft"
            if handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            else "ArrowRight"
        )
    # The figure is redrawn into a new <img>: look it up afresh each time.
    page.wait_for_function(
        "([out, before]) => out.querySelector('img')?.getAttribute('src') !== before",
        arg=[explorer.element_handle(), before],
        timeout=30_000,
    )
