"""What ``make test`` needs from the system, checked in the first second, before any test.

    python3 tests/preflight.py            # run by `make test` first (system python3, stdlib only)
    .venv/bin/python tests/preflight.py --browser   # run by `make test` once the venv exists

The suite needs Python >= 3.11 with ``venv``, and a Chromium or Chrome for the browser
checks (``$CHROMIUM``, else the first of CHROMIUM_NAMES on the PATH; tests/test_site.py
uses this very lookup). MathJax for the offline browser tests needs no npm: it is one
pinned tarball that ``tests/site/fetch_vendor.py`` downloads and verifies.

What is missing is set up when that needs no password: as root with apt-get, the Debian
packages are installed (as ``.ci/run`` does); without root, a missing browser is replaced
by Playwright's own download (``python -m playwright install chromium``, into
``~/.cache/ms-playwright``), done by ``--browser`` as soon as the venv has Playwright.
Anything that cannot be set up is reported in ONE message, each piece with the command
that installs it, and the exit status is 1.

``PREFLIGHT_NO_INSTALL=1`` installs nothing and downloads nothing: it only reports.
Kept runnable by old Pythons (no walrus, no match), so that it can say the Python is too old.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
MIN_PYTHON = (3, 11)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PLAYWRIGHT_INSTALL = "python -m playwright install chromium"
#: The book's PDF (``make pdf``, tests/test_pdf.py): (what is looked for, Debian package):
#: a command on the PATH, a font family (capitalized) or a TeX file (with a dot, kpsewhich).
#: texlive-xetex brings the LaTeX packages Sphinx uses (texlive-latex-extra, -recommended);
#: the fonts hyperref and jupyterBook.cls use (pzdr, rsfs) are in texlive-fonts-recommended;
#: FreeSerif is Sphinx's font for xelatex (it has the book's ★, · and Greek).
PDF_TOOLS = (
    ("xelatex", "texlive-xetex"),
    ("latexmk", "latexmk"),
    ("rsfs10.tfm", "texlive-fonts-recommended"),
    ("FreeSerif", "fonts-freefont-otf"),
    ("rsvg-convert", "librsvg2-bin"),
    ("pdftotext", "poppler-utils"),
)


def find_chromium() -> str | None:
    """The system's Chromium: ``$CHROMIUM``, else the first Chromium or Chrome on the PATH."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def playwright_chromium() -> str | None:
    """Playwright's own downloaded Chromium, when this Python has Playwright and it is there."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as pw:
            path = pw.chromium.executable_path
    except Exception:  # no driver, unsupported platform: no browser from Playwright
        return None
    return path if path and Path(path).is_file() else None


def find_browser() -> str | None:
    """The browser the tests drive: the system's first, else Playwright's download."""
    return find_chromium() or playwright_chromium()


def _venv_playwright_chromium() -> str | None:
    """Ask the venv (if it exists) for Playwright's browser; this script may run outside it."""
    if not VENV_PYTHON.is_file():
        return None
    code = "import preflight, sys; sys.stdout.write(preflight.playwright_chromium() or '')"
    try:
        out = subprocess.run(
            [str(VENV_PYTHON), "-c", code],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def _has_font(family: str) -> bool:
    """Whether fontconfig knows the font family (no fc-list: no fontconfig, so no)."""
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":family=" + family], capture_output=True, text=True)
    return bool(out.stdout.strip())


def _has_tex_file(name: str) -> bool:
    if shutil.which("kpsewhich") is None:
        return False
    return subprocess.run(["kpsewhich", name], capture_output=True).returncode == 0


def missing_pdf_tools() -> list:
    """The (tool, Debian package) pairs of PDF_TOOLS this machine lacks."""
    lacking = []
    for tool, package in PDF_TOOLS:
        if "." in tool:
            found = _has_tex_file(tool)
        elif tool[0].isupper():
            found = _has_font(tool)
        else:
            found = shutil.which(tool) is not None
        if not found:
            lacking.append((tool, package))
    return lacking


def _no_install() -> bool:
    return os.environ.get("PREFLIGHT_NO_INSTALL", "") not in ("", "0")


def _can_apt() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def _has_venv_module() -> bool:
    try:
        import ensurepip  # noqa: F401  (Debian ships venv without it: python3.X-venv)
        import venv  # noqa: F401
    except ImportError:
        return False
    return True


def check(install: bool = True) -> int:
    """Check everything; install what root can with apt; report the rest at once."""
    version = "{}.{}".format(*sys.version_info[:2])
    missing = []  # (what, command that installs it)
    apt = []  # Debian packages that would fix some of it
    notes = []

    if sys.version_info[:2] < MIN_PYTHON:
        missing.append(
            (
                "Python >= {}.{} (this is {} at {})".format(*MIN_PYTHON, version, sys.executable),
                "sudo apt-get install python3.11 python3.11-venv, then `make test PYTHON=python3.11`",
            )
        )
    elif not VENV_PYTHON.is_file() and not _has_venv_module():
        apt.append(f"python{version}-venv")
        missing.append(
            (
                "Python's venv module with ensurepip (to create .venv)",
                f"sudo apt-get install python{version}-venv",
            )
        )

    chromium = find_chromium()
    if os.environ.get("CHROMIUM") and not Path(chromium).is_file():
        missing.append(
            (
                f"the browser CHROMIUM={chromium} (not a file)",
                "point CHROMIUM at a Chromium or Chrome binary, or unset it",
            )
        )
    elif chromium is None and _venv_playwright_chromium() is None:
        if _can_apt() or _no_install():
            apt.append("chromium")
            missing.append(
                (
                    "a Chromium or Chrome for the browser checks (looked for $CHROMIUM, then "
                    + ", ".join(CHROMIUM_NAMES)
                    + " on the PATH)",
                    "sudo apt-get install chromium  (Debian/Ubuntu); or set CHROMIUM=/path/to/chrome;"
                    f" or, without root, `.venv/bin/{PLAYWRIGHT_INSTALL}` after `make venv-test`",
                )
            )
        else:
            notes.append(
                "no system Chromium: once .venv exists, `make test` downloads Playwright's own "
                f"({PLAYWRIGHT_INSTALL}, ~170 MB into ~/.cache/ms-playwright). To use the system's instead: "
                "sudo apt-get install chromium"
            )

    lacking = missing_pdf_tools()
    if lacking:
        packages = [package for _, package in lacking]
        apt.extend(packages)
        missing.append(
            (
                "for the book's PDF (make pdf): " + ", ".join(tool for tool, _ in lacking),
                "sudo apt-get install --no-install-recommends " + " ".join(packages),
            )
        )

    if (
        install
        and apt
        and _can_apt()
        and not _no_install()
        and not any("Python >=" in m[0] for m in missing)
    ):
        print("preflight: installing with apt-get: " + " ".join(apt), flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        ok = (
            subprocess.run(["apt-get", "update", "-qq"], env=env).returncode == 0
            and subprocess.run(
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + apt, env=env
            ).returncode
            == 0
        )
        if ok:
            return check(install=False)  # everything again, now with the packages in place
        print("preflight: apt-get failed", file=sys.stderr)

    for note in notes:
        print("preflight: " + note)
    if not missing:
        return 0
    lines = ["make test cannot run on this machine yet; missing:"]
    for what, command in missing:
        lines.append("  - " + what)
        lines.append("      install: " + command)
    lines.append("Nothing was run. Install the above, then run `make test` again.")
    print("\n".join(lines), file=sys.stderr)
    return 1


def ensure_browser() -> int:
    """In the venv: a browser for the tests, downloading Playwright's when the system has none."""
    if find_browser():
        return 0
    if _no_install():
        problem = "PREFLIGHT_NO_INSTALL is set"
    else:
        print(f"preflight: no system Chromium; downloading Playwright's ({PLAYWRIGHT_INSTALL})")
        cmd = [sys.executable, "-m", "playwright", "install", "chromium"]
        if subprocess.run(cmd).returncode == 0 and find_browser():
            return 0
        problem = f"`{PLAYWRIGHT_INSTALL}` failed"
    print(
        f"make test needs a Chromium or Chrome for the browser checks, and has none ({problem}).\n"
        "  install: sudo apt-get install chromium  (Debian/Ubuntu), or set CHROMIUM=/path/to/chrome,\n"
        f"           or retry .venv/bin/{PLAYWRIGHT_INSTALL}",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(ensure_browser() if sys.argv[1:] == ["--browser"] else check())
