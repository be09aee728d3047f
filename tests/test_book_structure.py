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


TITLED = [*NOTEBOOKS, *sorted(ROOT.glob("chapters/*/index.md"))]


@pytest.mark.parametrize("path", TITLED, ids=[str(p.relative_to(ROOT)) for p in TITLED])
def test_titles_carry_no_typed_section_number(path):
    """_toc.yml numbers the chapters and sections (and, from them, the exercises and
    equations): a number typed into the title would show twice, "3.3 3.3 Adaptive methods"."""
    text = _markdown(load(path)) if path.suffix == ".ipynb" else path.read_text()
    title = text.lstrip().splitlines()[0]
    assert not re.match(r"#\s+\d+(\.\d+)*\.?\s", title), (
        f"{path.relative_to(ROOT)}: {title!r} types its section number; write '# Title'"
    )


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
    assert re.match(r"# \S", text), "the first cell must open with the title, '# Title'"
    assert "you will be able to" in text.lower(), "learning objectives missing"
    assert "explore(" in code, "no interactive figure (nblib.widgets.explore)"
    exercises = re.findall(r"\{exercise\}", text)
    assert len(exercises) >= 3, f"{len(exercises)} exercises, at least 3 required"
    metas = re.findall(r"^\*\*Difficulty:\*\*", text, re.M)
    assert len(metas) == len(exercises), "every exercise needs its metadata line"
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
            assert re.fullmatch(r"(%[^\n]*\n)?```\{solution-end\}\s*```", text), (
                f"cell {i} of {path.name}: put nothing but the solution-end marker in its cell"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_laid_out_for_learners(path):
    """Solutions folded and run apart, Colab cell hidden, metadata a kernel leaves alone."""
    nb = load(path)
    expected = _notebooks.learner_layout(nb)
    wrong = [
        i for i, (a, b) in enumerate(zip(nb["cells"], expected["cells"], strict=True)) if a != b
    ]
    assert nb["metadata"] == expected["metadata"], f"{path.name}: run `make tidy` (metadata)"
    assert not wrong, f"{path.name}: cells {wrong} are not in the learner layout; run `make tidy`"


def test_learner_layout_folds_solutions_and_is_idempotent():
    def cell(kind, text, tags=()):
        return {"cell_type": kind, "metadata": {"tags": list(tags)}, "source": text}

    nb = {
        "metadata": {"kernelspec": {"name": "python3"}, "extra": 1},
        "cells": [
            cell("code", 'install = "nblib"', ["colab-install", "remove-cell"]),
            cell("markdown", "::::{exercise} E\n:label: e\n::::"),
            cell("code", "def f():\n    raise NotImplementedError"),
            cell("markdown", "```{solution-start} e\n:class: dropdown\n```\nThe idea."),
            cell("code", "def f():\n    return 1"),
            cell("markdown", "```{solution-end}\n```"),
        ],
    }
    laid = _notebooks.learner_layout(nb)
    assert _notebooks.learner_layout(laid) == laid
    assert laid["metadata"]["extra"] == 1 and laid["metadata"]["kernelspec"]["display_name"]
    install, exercise, stub, start, reference, end = laid["cells"]
    assert install["source"][0].startswith("# @title") and install["metadata"]["cellView"] == "form"
    assert exercise == nb["cells"][1] and stub == nb["cells"][2]  # the learner's cells untouched
    assert start["source"][0] == _notebooks.SOLUTION_HEADER + "\n"
    assert reference["source"][0] == "%%solution\n"
    assert reference["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert end["source"][0] == _notebooks.SOLUTION_FOOTER + "\n"
    assert all(c["metadata"]["jupyter"]["source_hidden"] for c in (install, start, end))


def test_autograded_exercises_have_checks():
    from nblib.exercises import available

    known = set(available())
    for path in NOTEBOOKS:
        text = _markdown(load(path))
        for label, body in re.findall(r":label:\s*(\S+)\s*\n(.*?)(?=:::|\Z)", text, re.S):
            if re.search(r"\*\*Auto-graded:\*\* yes", body):
                assert label in known, f"{path.name}: {label} is autograded but has no check"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercise_references_are_not_doubled(path):
    """``{ref}`` to an exercise already renders as "Exercise 3.3.2": writing "Exercise {ref}`x`"
    shows "Exercise Exercise 3.3.2" on the website."""
    doubled = re.findall(r"\bExercises? \{ref\}`[^`]+`", _markdown(load(path)))
    assert not doubled, f"{path.name}: write {{ref}}`label` alone, not {doubled}"


#: The longest figure-drawing cell left in the reading flow. An ordinary figure cell of the book
#: (one or two panels, labels, ``plt.show()``) takes 6-20 lines; 25 lines of code fill about half
#: a laptop screen on the website, so a longer one pushes the prose and the figure apart.
MAX_VISIBLE_FIGURE_LINES = 25
#: Tags under which myst-nb does not show a cell's code in the page (hide-input: behind a toggle).
HIDES_CODE = {"hide-input", "remove-input", "remove-cell"}
#: A cell draws if it calls a matplotlib plotting method, an nblib.plots figure helper or explore.
DRAWS = re.compile(
    r"\b(plt|fig|ax\w*)(\[[^\]]*\])?\.(plot|scatter|bar|barh|hist|imshow|contourf?|fill|"
    r"fill_between|semilog[xy]|loglog|errorbar|step|ax[hv]line|axline|ax[hv]span|annotate|text|"
    r"add_subplot|subplots|figure|plot_surface)\("
    r"|\bplots\.(new_figure|contour|scatter_classes)\(|\bexplore\("
)


def long_visible_figure_cells(nb: dict) -> list[str]:
    """Code cells shown in the page that draw and are longer than MAX_VISIBLE_FIGURE_LINES.

    Cells inside a solution are skipped: the solution is a collapsed drop-down already.
    """
    found, in_solution = [], False
    for i, cell in enumerate(nb["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            in_solution = ("{solution-start}" in source or in_solution) and (
                "{solution-end}" not in source
            )
            continue
        if cell["cell_type"] != "code" or in_solution:
            continue
        if HIDES_CODE & set(cell.get("metadata", {}).get("tags", [])):
            continue
        lines = len(source.splitlines())
        if lines > MAX_VISIBLE_FIGURE_LINES and DRAWS.search(source):
            found.append(f"cell {i} ({lines} lines)")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_long_figure_code_is_collapsed(path):
    """A page reads as prose, formulas, the code that teaches and figures: long figure code
    carries ``hide-input`` (a "Show code" toggle on the website; the notebook keeps it)."""
    long_cells = long_visible_figure_cells(load(path))
    assert not long_cells, (
        f"{path.name}: {long_cells} draw a figure in more than {MAX_VISIBLE_FIGURE_LINES} visible "
        "lines; tag them `hide-input`, or move the code that teaches into a cell of its own"
    )


def test_long_figure_code_rule_flags_what_it_should():
    plot = ["fig, ax = plots.new_figure()\n"] + [f"ax.plot(x, y + {k})\n" for k in range(30)]
    compute = [f"y{k} = np.sin({k})\n" for k in range(30)]

    def cell(source, tags=(), kind="code"):
        return {"cell_type": kind, "metadata": {"tags": list(tags)}, "source": source}

    nb = {
        "cells": [
            cell(plot),  # 0: flagged
            cell(plot, ["hide-input"]),
            cell(compute),  # long, but draws nothing
            cell(plot[:20]),  # draws, but short
            cell(["```{solution-start} x\n", "```\n"], kind="markdown"),
            cell(plot),  # inside a solution
            cell(["```{solution-end}\n", "```"], kind="markdown"),
            cell(["# NBVAL_IGNORE_OUTPUT\n", "explore(show, lr=[0.1, 1.0])\n", *compute]),  # 7
        ]
    }
    assert long_visible_figure_cells(nb) == ["cell 0 (31 lines)", "cell 7 (32 lines)"]


# --- glossary and notation --------------------------------------------------------------
#: A {term} role: {term}`text` or {term}`text <Term>`; Sphinx looks the term up ignoring case.
TERM_ROLE = re.compile(r"(?<!`)\{term\}`([^`]*)`")  # not `{term}` quoted in inline code


def glossary_entries(text: str) -> list[str]:
    """The terms of the ```{glossary} block of a page: its unindented lines (a definition is
    indented under its term; a line starting with ':' is an option such as :sorted:)."""
    block = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```", text, re.S | re.M)
    assert block, "no ```{glossary} block found"
    return [
        " ".join(line.split())
        for line in block.group(1).splitlines()
        if line.strip() and not line[0].isspace() and not line.startswith(":")
    ]


def term_targets(text: str) -> list[str]:
    """The glossary term each {term} role of ``text`` names, as written."""
    found = []
    for body in TERM_ROLE.findall(text):
        explicit = re.fullmatch(r"(.*?)\s*<([^<>]+)>\s*", body, re.S)
        found.append(" ".join((explicit.group(2) if explicit else body).split()))
    return found


def chapter_sources() -> dict[str, str]:
    """Chapter page -> its Markdown (notebooks' markdown cells, and each chapter's index.md)."""
    pages = {str(p.relative_to(ROOT)): _markdown(load(p)) for p in NOTEBOOKS}
    for index in sorted((ROOT / "chapters").glob("*/index.md")):
        pages[str(index.relative_to(ROOT))] = index.read_text()
    return pages


def book_sources() -> dict[str, str]:
    """Every page of the book: the chapters and the Markdown pages of the table of contents."""
    pages = chapter_sources()
    for name in _notebooks.toc_files():
        md = ROOT / f"{name}.md"
        if md.exists():
            pages.setdefault(str(md.relative_to(ROOT)), md.read_text())
    return pages


def test_every_notebook_cell_has_an_id():
    """nbformat 4.5 requires cell ids; a notebook without them validates only with a warning
    today and will not load in future nbformat releases."""
    missing = {
        str(path.relative_to(ROOT)): n
        for path in sorted((ROOT / "chapters").glob("*/*.ipynb"))
        if (n := sum("id" not in cell for cell in json.loads(path.read_text())["cells"]))
    }
    assert not missing, f"notebooks with cells lacking an id (cells per notebook): {missing}"


def test_glossary_and_term_parsers_find_what_they_should():
    """The two parsers the glossary tests rely on, on a known text: a silent miss in either
    would let every check below pass."""
    page = (
        "# G\n\n```{glossary}\n:sorted:\n\nKL divergence\n  A divergence.\n\nentropy\n  $H$.\n```\n"
    )
    assert glossary_entries(page) == ["KL divergence", "entropy"]
    text = "the {term}`KL <KL divergence>` and {term}`Entropy`, not `{term}` nor {ref}`x`"
    assert term_targets(text) == ["KL divergence", "Entropy"]


def test_glossary_terms_are_unique():
    terms = glossary_entries((ROOT / "glossary.md").read_text())
    assert len(terms) >= 60, f"glossary.md defines only {len(terms)} terms"
    seen: dict[str, str] = {}
    doubled = [t for t in terms if seen.setdefault(t.lower(), t) != t or terms.count(t) > 1]
    assert not doubled, f"glossary terms defined twice (case is ignored): {sorted(set(doubled))}"


def test_every_glossary_term_is_linked_from_a_chapter():
    """A glossary entry no chapter links is one a reader never reaches from the text."""
    terms = glossary_entries((ROOT / "glossary.md").read_text())
    linked = {t.lower() for text in chapter_sources().values() for t in term_targets(text)}
    never = [t for t in terms if t.lower() not in linked]
    assert not never, (
        f"glossary terms no chapter links with {{term}}: {never}; link each at its first use "
        "in a chapter, or drop it from glossary.md"
    )


def test_every_term_link_names_a_glossary_entry():
    """Sphinx (-n) warns about an unknown term too, but without saying which page to fix."""
    terms = {t.lower() for t in glossary_entries((ROOT / "glossary.md").read_text())}
    unknown = {
        page: bad
        for page, text in book_sources().items()
        if (bad := sorted({t for t in term_targets(text) if t.lower() not in terms}))
    }
    assert not unknown, f"{{term}} links to no entry of glossary.md: {unknown}"


def term_links_in_math_or_headings(text: str) -> list[str]:
    """The lines of ``text`` with a {term} in a heading or inside $...$ / $$...$$ math."""
    bad = [
        f"display math: {m[:60]!r}" for m in re.findall(r"\$\$.*?\$\$", text, re.S) if "{term}" in m
    ]
    for line in re.sub(r"\$\$.*?\$\$", "", text, flags=re.S).splitlines():
        if line.startswith("#") and "{term}" in line:
            bad.append(f"heading: {line!r}")
        # odd pieces between unescaped dollars are inline math
        pieces = re.split(r"(?<!\\)\$", re.sub(r"`[^`]*`", "", line))
        if any("{term}" in piece for piece in pieces[1::2]):
            bad.append(f"inline math: {line!r}")
    return bad


def test_term_links_stay_out_of_headings_and_math():
    """A {term} in a heading repeats in every table of contents; in math it is not a role at all."""
    assert term_links_in_math_or_headings("# A {term}`x`\n$a$ {term}`y` $b {term}`z`$") == [
        "heading: '# A {term}`x`'",
        "inline math: '$a$ {term}`y` $b {term}`z`$'",
    ]
    misplaced = {
        page: bad
        for page, text in chapter_sources().items()
        if (bad := term_links_in_math_or_headings(text))
    }
    assert not misplaced, f"{{term}} links in headings or math: {misplaced}"


def test_notation_page_points_at_sections_that_exist():
    """Every symbol row of notation.md says where it is introduced, with a {doc} link to a page
    of the table of contents."""
    text = (ROOT / "notation.md").read_text()
    in_toc = set(_notebooks.toc_files())
    rows = [ln for ln in text.splitlines() if ln.startswith("| $") and ln.count("|") == 4]
    assert len(rows) >= 40, f"notation.md lists only {len(rows)} symbols in its tables"
    missing = [row for row in rows if not re.search(r"\{doc\}`[^`]+`\s*\|$", row)]
    assert not missing, f"notation.md rows without a {{doc}} link to where they start: {missing}"
    targets = re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", text)
    dangling = sorted({t for t in targets if t.strip() not in in_toc})
    assert not dangling, f"notation.md links to pages not in _toc.yml: {dangling}"


def test_exercise_meta_line_round_trips_and_rejects_misspellings():
    line = _notebooks.exercise_meta_line(3, 45, "Prove it · then code it", False)
    assert line.startswith("**Difficulty:** ★★★ challenge · **Time:** ~45 min")
    assert _notebooks.parse_exercise_meta(line) == {
        "difficulty": 3,
        "minutes": 45,
        "objective": "Prove it · then code it",
        "autograded": False,
    }
    assert _notebooks.parse_exercise_meta("Write a function.") is None
    for wrong in (
        line.replace("★★★", "★★"),  # three stars, filled or not
        line.replace("challenge", "practice"),  # stars and word disagree
        line.replace("~45 min", "45 minutes"),
        line.replace("no", "maybe"),
    ):
        with pytest.raises(ValueError, match="Difficulty|difficulty"):
            _notebooks.parse_exercise_meta(wrong)
    with pytest.raises(ValueError, match="difficulty"):
        _notebooks.exercise_meta_line(4, 10, "x", True)


def notebook_as_script(nb: dict) -> str:
    """A notebook's code as one Python script, reference solutions included: ruff skips cells
    that start with a cell magic such as ``%%solution``, so this is how their code is linted."""
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = _notebooks.source(cell).removeprefix(_notebooks.SOLUTION_MAGIC + "\n")
        cells.append(re.sub(r"^(\s*)[%!].*$", r"\1pass", text, flags=re.M))  # other magics
    return "\n\n\n".join(cells) + "\n"


def test_reference_solutions_are_lint_clean(tmp_path):
    import shutil
    import subprocess
    import sys
    import tomllib

    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    scripts = []
    for path in NOTEBOOKS:
        script = tmp_path / f"{path.parent.name}--{path.stem}.py"
        script.write_text(notebook_as_script(load(path)))
        scripts.append(script)
    # The notebooks' own rule set (pyproject.toml: per-file-ignores of chapters/**/*.ipynb),
    # and I001: in a notebook the imports sit in their cell, not at the top of a script.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    ignored = config["per-file-ignores"]["chapters/**/*.ipynb"] + ["I001"]
    run = subprocess.run(
        [ruff, "check", "--config", str(ROOT / "pyproject.toml"), "--output-format", "concise",
         "--extend-ignore", ",".join(ignored), *map(str, scripts)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-1000:]
