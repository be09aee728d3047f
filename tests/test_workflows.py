"""The GitHub workflows (.github/workflows): `make lint` checks them with actionlint; here, that
the check is real (it rejects a broken workflow) and that every action is pinned to a release."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _actionlint(*files: Path) -> subprocess.CompletedProcess:
    actionlint = shutil.which("actionlint", path=str(BIN))
    if actionlint is None:
        pytest.fail("no actionlint in the environment: `make venv-test` installs it")
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}  # its shellcheck
    return subprocess.run(
        [actionlint, "-no-color", *map(str, files)], capture_output=True, text=True, env=env
    )


def test_there_are_workflows_and_actionlint_passes_them():
    assert {p.name for p in WORKFLOWS} >= {"book.yml", "weekly.yml"}
    run = _actionlint(*WORKFLOWS)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    """An undefined expression and an unquoted shell variable (shellcheck): both reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo $HOME\n        if: ${{ matrix.nothing }}\n"
    )
    run = _actionlint(broken)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "matrix.nothing" in run.stdout or '"nothing"' in run.stdout, run.stdout
    assert "SC2086" in run.stdout, f"shellcheck did not run: {run.stdout}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_every_action_is_pinned_to_a_release(path):
    uses = [
        step["uses"]
        for job in yaml.safe_load(path.read_text())["jobs"].values()
        for step in job.get("steps", [])
        if "uses" in step
    ]
    assert uses, f"{path.name} uses no action"
    loose = [u for u in uses if not re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+", u)]
    assert not loose, f"{path.name}: pin these to a release tag (vX.Y.Z): {loose}"
