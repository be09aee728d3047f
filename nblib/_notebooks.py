"""Maintenance of the book's notebooks (used by the Makefile and the tests, not by readers).

python -m nblib._notebooks tidy chapters           # remove outputs; lay out for learners
python -m nblib._notebooks set-repo-url URL        # point _config.yml and install cells at a fork

The learner layout (:func:`learner_layout`) is how a notebook should look in Jupyter:
solutions collapsed under a one-line header, each reference solution run apart from the
learner's work (``%%solution``, see :mod:`nblib.exercises`), the Colab install cell folded
away, and notebook metadata that a starting kernel leaves unchanged, so a notebook does not
open "modified". A test keeps every chapter notebook in this layout.
"""

from __future__ import annotations

import copy
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


SOLUTION_START = re.compile(r"```\{solution-start\}\s+(\S+)")
SOLUTION_END = "{solution-end}"
#: First lines of the solution cells: what JupyterLab shows of a collapsed cell is its first
#: line, so these say what is folded there without giving any of it away. A MyST comment
#: (``%``) does not show on the website.
SOLUTION_HEADER = "% Solution (click to expand)"
SOLUTION_FOOTER = "% End of the solution"
SOLUTION_MAGIC = "%%solution"
#: Colab shows only this title of a cell with ``cellView: form``; JupyterLab folds it away.
INSTALL_TITLE = "# @title Install the book's library (needed in Colab only)"
#: What a starting Python kernel writes into the metadata in JupyterLab 4 (its Python version
#: aside, which JupyterLab adds without marking the notebook modified).
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
    },
}


#: An exercise's metadata is the first line of its body, readable as it stands (in JupyterLab,
#: Colab, any Markdown viewer), and the same line on the website, where it is also collected
#: into the chapter's exercise index (``_ext/exercise_meta.py``) and read by the course tools:
#: **Difficulty:** ★★☆ practice · **Time:** ~20 min · **Objective:** ... · **Auto-graded:** yes
DIFFICULTY = {1: "quick check", 2: "practice", 3: "challenge"}
_META_LINE = re.compile(
    r"Difficulty: (?P<stars>[★☆]{3}) (?P<level>[a-z ]+?) · Time: ~(?P<minutes>\d+) min · "
    r"Objective: (?P<objective>.+?) · Auto-graded: (?P<autograded>yes|no)"
)


def exercise_meta_line(difficulty: int, minutes: int, objective: str, autograded: bool) -> str:
    """The metadata line of an exercise, in Markdown (see :data:`DIFFICULTY`)."""
    if difficulty not in DIFFICULTY:
        raise ValueError(f"difficulty must be 1, 2 or 3, got {difficulty!r}")
    stars = "★" * difficulty + "☆" * (3 - difficulty)
    return (
        f"**Difficulty:** {stars} {DIFFICULTY[difficulty]} · **Time:** ~{minutes} min · "
        f"**Objective:** {objective} · **Auto-graded:** {'yes' if autograded else 'no'}"
    )


def parse_exercise_meta(line: str) -> dict | None:
    """``difficulty``, ``minutes``, ``objective``, ``autograded`` from a metadata line (Markdown
    or its rendered text); ``None`` if the line is not one; ValueError if it is one, misspelled."""
    text = line.replace("**", "").strip()
    if not text.startswith("Difficulty:"):
        return None
    m = _META_LINE.fullmatch(text)
    if m is None:
        raise ValueError(
            f"exercise metadata line {text!r} does not read "
            "'Difficulty: ★★☆ practice · Time: ~20 min · Objective: ... · Auto-graded: yes'"
        )
    difficulty = m["stars"].count("★")
    if (
        m["stars"] != "★" * difficulty + "☆" * (3 - difficulty)
        or DIFFICULTY[difficulty] != m["level"]
    ):
        raise ValueError(f"difficulty {m['stars']} {m['level']!r} is not one of {DIFFICULTY}")
    return {
        "difficulty": difficulty,
        "minutes": int(m["minutes"]),
        "objective": m["objective"],
        "autograded": m["autograded"] == "yes",
    }


def source(cell: dict) -> str:
    """A cell's source as one string (notebooks store it as a list of lines or a string)."""
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def solution_blocks(nb: dict) -> dict[str, tuple[int, int]]:
    """For each solution label, the indices of its first and last cell (inclusive)."""
    blocks, start, label = {}, None, None
    for i, cell in enumerate(nb["cells"]):
        text = source(cell)
        if cell["cell_type"] == "markdown" and (m := SOLUTION_START.search(text)):
            if start is not None:
                raise ValueError(f"solution {label} is not closed before solution {m[1]} starts")
            start, label = i, m[1]
        if cell["cell_type"] == "markdown" and SOLUTION_END in text:
            if start is None:
                raise ValueError(f"cell {i}: solution-end without solution-start")
            blocks[label] = (start, i)
            start = None
    if start is not None:
        raise ValueError(f"solution {label} has no solution-end")
    return blocks


def _with_first_line(cell: dict, line: str) -> None:
    text = source(cell)
    if text.split("\n", 1)[0] != line:
        text = f"{line}\n{text}"
    cell["source"] = text.splitlines(keepends=True)


def _hide(cell: dict, *, outputs: bool = False) -> None:
    folded = cell.setdefault("metadata", {}).setdefault("jupyter", {})
    folded["source_hidden"] = True
    if outputs:
        folded["outputs_hidden"] = True
        cell["metadata"]["collapsed"] = True  # JupyterLab adds it for outputs_hidden


def learner_layout(nb: dict) -> dict:
    """``nb`` laid out for a learner in Jupyter (a new notebook; idempotent).

    Every cell from ``{solution-start}`` to ``{solution-end}`` is collapsed (source, and
    outputs of code cells); the first opens with :data:`SOLUTION_HEADER`, the last with
    :data:`SOLUTION_FOOTER`, and each code cell with the ``%%solution`` magic. Colab
    install cells are folded behind :data:`INSTALL_TITLE`.
    """
    nb = copy.deepcopy(nb)
    nb["metadata"].update(copy.deepcopy(NOTEBOOK_METADATA))
    for start, end in solution_blocks(nb).values():
        for i in range(start, end + 1):
            cell = nb["cells"][i]
            if cell["cell_type"] == "code":
                _with_first_line(cell, SOLUTION_MAGIC)
                _hide(cell, outputs=True)
            else:
                if i == start:
                    _with_first_line(cell, SOLUTION_HEADER)
                elif i == end:
                    _with_first_line(cell, SOLUTION_FOOTER)
                _hide(cell)
    for cell in nb["cells"]:
        if INSTALL_TAG in cell.get("metadata", {}).get("tags", []):
            _with_first_line(cell, INSTALL_TITLE)
            _hide(cell)
            cell["metadata"]["cellView"] = "form"
    return nb


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


def tidy(path: Path) -> bool:
    """Remove outputs and execution counts from one notebook and give it the learner layout;
    return whether it changed."""
    nb = json.loads(path.read_text())
    tidied = learner_layout(nb)
    for cell in tidied["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    if tidied == nb:
        return False
    path.write_text(json.dumps(tidied, indent=1, ensure_ascii=False) + "\n")
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
    if len(argv) == 2 and argv[0] == "tidy":
        folder = Path(argv[1])
        paths = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        for path in paths:
            if tidy(path):
                print(f"tidied {path}")
        return 0
    if len(argv) == 2 and argv[0] == "set-repo-url":
        set_repo_url(argv[1])
        print(f"repository URL set to {argv[1]}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
