"""`make test` says what the machine lacks in its first seconds, before running anything.

A machine without Chromium and without npm is simulated with a PATH holding only ``make``
and ``python3``. ``PREFLIGHT_NO_INSTALL=1`` keeps the preflight from installing (it would
use apt-get as root), and an empty ``PLAYWRIGHT_BROWSERS_PATH`` hides any Playwright download.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "site"))
import fetch_vendor  # noqa: E402


def bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment whose PATH has make and python3 only: no browser, no npm, no apt-get."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(os.path.realpath(sys.executable))
    make = shutil.which("make")
    if make is None:
        pytest.skip("no make on this machine")
    (bin_dir / "make").symlink_to(make)
    env = {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-playwright-browsers"),
        "PREFLIGHT_NO_INSTALL": "1",
    }
    env.update(extra)
    return env


def test_make_test_stops_at_once_naming_the_missing_browser(tmp_path: Path) -> None:
    env = bare_env(tmp_path)
    start = time.monotonic()
    # `make test` itself: its first prerequisite, the preflight, must stop it.
    run = subprocess.run(
        ["make", "-C", str(ROOT), "test", "PYTHON=python3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - start
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    assert elapsed < 10, f"the preflight took {elapsed:.1f} s\n{out}"
    assert "missing" in out and "Chromium" in out, out
    assert "apt-get install chromium" in out, out
    assert "playwright install chromium" in out, out
    assert "npm" not in out, "npm is no prerequisite any more:\n" + out
    # Nothing after the preflight ran: no fetch, no venv, no ruff, no pytest.
    for later in ("fetch_vendor", "ruff", "pytest", "pip install", "jupyter-book"):
        assert later not in out, f"{later} ran after a failed preflight:\n{out}"


def fake_pdf_tools(bin_dir: Path) -> None:
    """Stand-ins for the PDF's tools on the PATH; fc-list answers that it has FreeSerif."""
    for name in ("xelatex", "latexmk", "rsvg-convert", "pdftotext", "fc-list", "kpsewhich"):
        (bin_dir / name).write_text("#!/bin/sh\necho 'FreeSerif.otf: FreeSerif'\n")
        (bin_dir / name).chmod(0o755)


def test_preflight_passes_with_a_browser(tmp_path: Path) -> None:
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    env = bare_env(tmp_path, CHROMIUM=str(fake))
    fake_pdf_tools(tmp_path / "bin")
    run = subprocess.run(
        ["python3", str(ROOT / "tests" / "preflight.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_preflight_names_the_missing_pdf_tools_and_their_packages(tmp_path: Path) -> None:
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    run = subprocess.run(
        ["python3", str(ROOT / "tests" / "preflight.py")],
        env=bare_env(tmp_path, CHROMIUM=str(fake)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "xelatex, latexmk, rsfs10.tfm, FreeSerif, rsvg-convert, pdftotext" in out, out
    packages = (
        "texlive-xetex latexmk texlive-fonts-recommended fonts-freefont-otf librsvg2-bin "
        "poppler-utils"
    )
    assert "apt-get install --no-install-recommends " + packages in out, out


def test_preflight_rejects_a_chromium_that_is_not_a_file(tmp_path: Path) -> None:
    run = subprocess.run(
        ["python3", str(ROOT / "tests" / "preflight.py")],
        env=bare_env(tmp_path, CHROMIUM=str(tmp_path / "nowhere")),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 1 and "CHROMIUM=" in run.stderr, run.stdout + run.stderr


# --- MathJax without npm ------------------------------------------------------------------


def npm_tarball(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def lock_for(tmp_path: Path, data: bytes, integrity: str | None = None) -> Path:
    tgz = tmp_path / "pkg.tgz"
    tgz.write_bytes(data)
    integrity = integrity or "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    lock = tmp_path / "vendor.json"
    spec = {"version": "1.0.0", "url": tgz.as_uri(), "integrity": integrity}
    lock.write_text(json.dumps({"_comment": "test", "pkg": spec}))
    return lock


def test_fetch_vendor_unpacks_a_verified_tarball(tmp_path: Path) -> None:
    data = npm_tarball({"package/es5/tex.js": b"ok", "package/package.json": b"{}"})
    dest = tmp_path / "vendor"
    assert fetch_vendor.main(["--lock", str(lock_for(tmp_path, data)), "--dest", str(dest)]) == 0
    assert (dest / "pkg" / "es5" / "tex.js").read_bytes() == b"ok"
    # Again: already there, nothing to download (the tarball may even be gone).
    (tmp_path / "pkg.tgz").unlink()
    assert fetch_vendor.main(["--lock", str(tmp_path / "vendor.json"), "--dest", str(dest)]) == 0


def test_fetch_vendor_refuses_a_wrong_checksum(tmp_path: Path) -> None:
    data = npm_tarball({"package/a.js": b"ok"})
    lock = lock_for(tmp_path, data, integrity="sha512-AAAA")
    assert fetch_vendor.main(["--lock", str(lock), "--dest", str(tmp_path / "v")]) == 1
    assert not (tmp_path / "v" / "pkg").exists()


def test_fetch_vendor_refuses_paths_out_of_the_package(tmp_path: Path) -> None:
    data = npm_tarball({"package/../../evil.js": b"x"})
    lock = lock_for(tmp_path, data)
    assert fetch_vendor.main(["--lock", str(lock), "--dest", str(tmp_path / "v")]) == 1
    assert not (tmp_path / "evil.js").exists()


def test_the_pinned_mathjax_is_the_one_the_tests_serve() -> None:
    spec = json.loads((ROOT / "tests" / "site" / "vendor.json").read_text())["mathjax"]
    assert spec["url"] == f"https://registry.npmjs.org/mathjax/-/mathjax-{spec['version']}.tgz"
    assert spec["integrity"].startswith("sha512-")
