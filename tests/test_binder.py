"""Binder (repo2docker) installs requirements.txt and nothing else: that alone must give a
working environment with nblib, JupyterLab 4 and ipywidgets 8."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_runtime_pins_a_supported_python():
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"


@pytest.mark.slow
def test_requirements_alone_make_the_book_importable(tmp_path):
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
        cwd=ROOT,  # repo2docker installs from the repository root, where `-e .` points
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    probe = (
        "import nblib, nblib.nn, ipywidgets, sympy, matplotlib, jupyterlab, sklearn;"
        "print(nblib.__file__, ipywidgets.__version__, jupyterlab.__version__)"
    )
    run = subprocess.run([python, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    origin, widgets_version, lab_version = run.stdout.split()
    assert Path(origin).resolve().is_relative_to(ROOT / "nblib"), origin
    assert int(widgets_version.split(".")[0]) >= 8
    assert int(lab_version.split(".")[0]) >= 4
    assert sys.version_info >= (3, 11)
