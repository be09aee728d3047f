"""The book's own rules: notebooks stored clean, the table of contents complete and exact,
every notebook carrying the pieces a reader and an instructor rely on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nblib import _notebooks

ROOT = _notebooks.ROOT
NOTEBOOKS = _notebooks.chapter_notebooks()
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks found under chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_stored_without_outputs(path):
    dirty = _notebooks.cells_with_outputs(load(path))
    assert not dirty, (
        f"{path.name}: cells {dirty} hold outputs or execution counts; run `make strip`"
    )


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    toc = _notebooks.toc_files()
    in_toc = set(toc)
    missing = [str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS]
    missing = [m for m in missing if m not in in_toc]
    assert not missing, f"notebooks not listed in _toc.yml: {missing}"
    dangling = [
        f for f in toc if not any((ROOT / f).with_suffix(s).exists() for s in (".md", ".ipynb"))
    ]
    assert not dangling, f"_toc.yml entries with no file: {dangling}"
    assert len(toc) == len(in_toc), "a file is listed twice in _toc.yml"


def test_every_chapter_has_an_opening_page_with_an_exercise_index():
    numbered = (p for p in (ROOT / "chapters").iterdir() if p.is_dir() and p.name[:2] != "00")
    for chapter in sorted(numbered):
        index = chapter / "index.md"
        assert index.exists(), f"{chapter.name} has no index.md"
        assert "{exercise-index}" in index.read_text(), f"{index} lacks an exercise index"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_install_cell_points_at_the_configured_repository(path):
    urls = _notebooks.install_cell_urls(load(path))
    assert urls, f"{path.name} has no cell tagged {_notebooks.INSTALL_TAG!r} (needed in Colab)"
    assert set(urls) == {_notebooks.repository_url()}, (
        f"{path.name} installs from {urls}, but _config.yml says {_notebooks.repository_url()}; "
        "run `make set-repo-url URL=...`"
    )


def test_set_repo_url_rewrites_config_and_install_cells(tmp_path):
    (tmp_path / "chapters" / "x").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text(
        "title: t\nrepository:\n  url: https://github.com/a/b\n  branch: main\n"
    )
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": [_notebooks.INSTALL_TAG]},
                "source": '%pip install "nblib @ git+https://github.com/a/b@main"',
                "outputs": [],
                "execution_count": None,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "chapters" / "x" / "s.ipynb").write_text(json.dumps(nb))
    _notebooks.set_repo_url("https://github.com/me/fork.git", root=tmp_path)
    assert _notebooks.repository_url(tmp_path) == "https://github.com/me/fork"
    fixed = json.loads((tmp_path / "chapters" / "x" / "s.ipynb").read_text())
    assert _notebooks.install_cell_urls(fixed) == ["https://github.com/me/fork"]
    with pytest.raises(ValueError, match="url"):
        _notebooks.set_repo_url("not a url", root=tmp_path)


def _markdown(nb: dict) -> str:
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_follows_the_recipe(path):
    nb = load(path)
    text = _markdown(nb)
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert re.search(r"^# \d+\.\d+ ", text, re.M), "title '# N.M Title' missing"
    assert "you will be able to" in text.lower(), "learning objectives missing"
    assert "explore(" in code, "no interactive figure (nblib.widgets.explore)"
    exercises = re.findall(r"\{exercise\}", text)
    assert len(exercises) >= 3, f"{len(exercises)} exercises, at least 3 required"
    assert text.count("{exercise-meta}") == len(exercises), "every exercise needs an exercise-meta"
    assert text.count("{solution-start}") >= len(exercises), "every exercise needs a solution"
    assert text.count("{solution-start}") == text.count("{solution-end}"), "unbalanced solution"
    assert re.search(r"check\(\s*[\"']", code), "no code exercise with an nblib check"
    assert "{bibliography}" in text, "references section missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_figure_cell_has_alt_text(path):
    """Cells that draw a static figure carry alt text in their metadata (mystnb.image.alt)."""
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        # a figure made at the top level of the cell (not inside a function for explore)
        draws = re.search(r"^\S.*(plt\.(subplots|figure)\(|new_figure\()", source, re.M)
        if draws:
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
            assert alt.strip(), f"cell {i} of {path.name} draws a figure but has no alt text"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_solution_markers_stand_alone(path):
    """The student edition drops whole cells from solution-start to solution-end, so those
    markdown cells must hold nothing after the end marker."""
    for i, cell in enumerate(load(path)["cells"]):
        text = "".join(cell["source"]).strip()
        if cell["cell_type"] == "markdown" and "{solution-end}" in text:
            assert re.fullmatch(r"```\{solution-end\}\s*```", text), (
                f"cell {i} of {path.name}: put nothing but the solution-end marker in its cell"
            )


def test_autograded_exercises_have_checks():
    from nblib.exercises import available

    known = set(available())
    for path in NOTEBOOKS:
        text = _markdown(load(path))
        for label, body in re.findall(r":label:\s*(\S+)\s*\n(.*?)(?=:::|\Z)", text, re.S):
            if re.search(r":autograded:\s*true", body):
                assert label in known, f"{path.name}: {label} is autograded but has no check"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercise_references_are_not_doubled(path):
    """``{ref}`` to an exercise already renders as "Exercise 41": writing "Exercise {ref}`x`"
    shows "Exercise Exercise 41" on the website."""
    doubled = re.findall(r"\bExercises? \{ref\}`[^`]+`", _markdown(load(path)))
    assert not doubled, f"{path.name}: write {{ref}}`label` alone, not {doubled}"
