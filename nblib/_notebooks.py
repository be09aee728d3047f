"""Maintenance of the book's notebooks (used by the Makefile and the tests, not by readers).

python -m nblib._notebooks strip chapters          # remove outputs and execution counts
python -m nblib._notebooks set-repo-url URL        # point _config.yml and install cells at a fork
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALL_TAG = "colab-install"
_URL_IN_INSTALL = re.compile(r"git\+(?P<url>https?://[^@\"'\s]+)")
_URL_IN_CONFIG = re.compile(
    r"^(?P<head>repository:\s*\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*)(?P<url>\S+)", re.M
)


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook under ``chapters/``, checkpoints excluded, sorted."""
    return sorted(
        p for p in (root / "chapters").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def toc_files(root: Path = ROOT) -> list[str]:
    """Every ``file:`` entry of ``_toc.yml`` (and the root), without suffix, in reading order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return files


def cells_with_outputs(nb: dict) -> list[int]:
    """Indices of code cells that carry outputs or an execution count."""
    return [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]


def strip(path: Path) -> bool:
    """Remove outputs and execution counts from one notebook; return whether it changed."""
    nb = json.loads(path.read_text())
    if not cells_with_outputs(nb):
        return False
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return True


def repository_url(root: Path = ROOT) -> str:
    """The ``repository.url`` of ``_config.yml``: the one setting launch buttons use."""
    match = _URL_IN_CONFIG.search((root / "_config.yml").read_text())
    if match is None:
        raise ValueError("_config.yml has no repository: url: setting")
    return match["url"]


def install_cell_urls(nb: dict) -> list[str]:
    """The repository URLs named by a notebook's ``colab-install`` cells."""
    return [
        m["url"]
        for cell in nb["cells"]
        if INSTALL_TAG in cell.get("metadata", {}).get("tags", [])
        for m in _URL_IN_INSTALL.finditer("".join(cell["source"]))
    ]


def set_repo_url(url: str, root: Path = ROOT) -> None:
    """Point ``_config.yml`` and every notebook's install cell at ``url``."""
    if not re.fullmatch(r"https?://\S+", url):
        raise ValueError(f"url must be an http(s) URL, got {url!r}")
    url = url.rstrip("/").removesuffix(".git")
    config = root / "_config.yml"
    config.write_text(_URL_IN_CONFIG.sub(lambda m: m["head"] + url, config.read_text(), count=1))
    for path in chapter_notebooks(root):
        nb = json.loads(path.read_text())
        changed = False
        for cell in nb["cells"]:
            if INSTALL_TAG in cell.get("metadata", {}).get("tags", []):
                source = "".join(cell["source"])
                new = _URL_IN_INSTALL.sub(f"git+{url}", source)
                changed |= new != source
                cell["source"] = new
        if changed:
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "strip":
        folder = Path(argv[1])
        paths = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        for path in paths:
            if strip(path):
                print(f"stripped {path}")
        return 0
    if len(argv) == 2 and argv[0] == "set-repo-url":
        set_repo_url(argv[1])
        print(f"repository URL set to {argv[1]}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
