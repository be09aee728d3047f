"""The student website must not lead to solutions.

Its launch buttons (Binder, Colab, JupyterHub, Thebe) open the repository branch that
``make student-branch`` fills with the student notebooks (the workflow publishes it), never
the book's own branch, whose notebooks hold the solutions; its downloads are the student
notebooks. The launch links are made here by sphinx-book-theme's own code from the student
``_config.yml`` (fast, no build); a built student website (``STUDENT_HTML``, default
``_build/html-student``) is checked link by link when there is one: the workflow's student job
builds it and runs this module on it. The student notebooks' own content is checked against
the book's solutions in tests/test_course.py, which makes them (slow).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from nblib import _notebooks, course

ROOT = Path(__file__).resolve().parent.parent
#: What a JupyterHub button would be made with (the book ships with it off).
TEST_HUB = "https://hub.example.edu"
STUDENT_HTML = Path(os.environ.get("STUDENT_HTML", ROOT / "_build" / "html-student"))
STUDENT_BRANCH_DIR = Path(os.environ.get("STUDENT_BRANCH_DIR", ROOT / "_build" / "student-branch"))


def makefile_student_branch() -> str:
    """The branch ``make book-student`` and ``make student-branch`` use (STUDENT_BRANCH)."""
    match = re.search(r"^STUDENT_BRANCH \?= (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert match, "the Makefile sets no STUDENT_BRANCH ?= ..."
    return match[1]


def launch_links(config: Path, notebook: str, jupyterhub_url: str = "") -> dict[str, str]:
    """The launch buttons sphinx-book-theme puts on the page of ``notebook`` (a path relative
    to the book), from the book's ``config``, as {button text: URL}."""
    from jupyter_book.config import get_final_config
    from sphinx_book_theme.header_buttons import update_context_with_repository_info
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    final, _ = get_final_config(
        user_yaml=config, sourcedir=config.parent, cli_config={"latex_individualpages": False}
    )
    options = final["html_theme_options"]
    if jupyterhub_url:
        options["launch_buttons"]["jupyterhub_url"] = jupyterhub_url
    pagename = notebook.removesuffix(".ipynb")
    app = SimpleNamespace(
        builder=None,
        config=_Config(html_theme_options=options, html_context={}),
        env=SimpleNamespace(
            doc2path=lambda name: str(config.parent / f"{name}.ipynb"),
            metadata={pagename: {"kernelspec": {"name": "python3"}}},
        ),
    )
    update_context_with_repository_info(app)  # github_user, github_repo, ... as in a build
    context = {"pagename": pagename, "sourcename": notebook, "header_buttons": []}
    context.update(app.config.html_context)
    add_launch_buttons(app, pagename, "page.html", context, None)
    (group,) = [b for b in context["header_buttons"] if b.get("label") == "launch-buttons"]
    links = {b["text"]: b["url"] for b in group["buttons"] if b["type"] == "link"}
    if context.get("use_thebe"):
        # Thebe starts a Binder of the theme's repository and branch (update_mode_thebe_config)
        links["Thebe"] = f"thebe:{options['repository_url']}@{options['repository_branch']}"
    return links


class _Config(SimpleNamespace):
    """Sphinx's config as the theme reads it: ``config["key"]`` and ``config.key``."""

    def __getitem__(self, key):
        return getattr(self, key)


def branch_and_path(url: str) -> tuple[str, str]:
    """The repository branch and the notebook path a Binder, Colab, nbgitpuller or GitHub
    link opens."""
    if url.startswith("thebe:"):  # Thebe: the repository and branch of its Binder
        return url.rsplit("@", 1)[1], ""
    parts = urlsplit(url)
    if parts.netloc == "github.com":  # /<org>/<repo>/(blob|tree|raw)/<branch>/<path>
        pieces = parts.path.split("/")
        return pieces[4], "/".join(pieces[5:])
    if parts.path.endswith("/hub/user-redirect/git-pull"):  # nbgitpuller: ?repo=&branch=&urlpath=
        query = parse_qs(parts.query)
        urlpath = query["urlpath"][0]  # lab/tree/<clone folder>/<path>
        return query["branch"][0], urlpath.split("/", 3)[3]
    if "/v2/gh/" in parts.path:  # Binder: /v2/gh/<org>/<repo>/<branch>?urlpath=lab/tree/<path>
        urlpath = parse_qs(parts.query)["urlpath"][0]
        return parts.path.split("/")[5], urlpath.split("/", 2)[2]
    if "/github/" in parts.path:  # Colab: /github/<org>/<repo>/blob/<branch>/<path>
        pieces = parts.path.split("/")
        return pieces[5], "/".join(pieces[6:])
    raise AssertionError(f"not a launch link this test knows: {url}")


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory) -> Path:
    """The chapter notebooks, laid out as ``make student`` lays out their student editions:
    only the configuration and the paths matter to the tests that use them."""
    folder = tmp_path_factory.mktemp("student")
    for path in _notebooks.chapter_notebooks():
        (folder / path.parent.name).mkdir(exist_ok=True)
        shutil.copy(path, folder / path.parent.name / path.name)
    return folder


@pytest.fixture(scope="module")
def student_source(stand_ins, tmp_path_factory) -> Path:
    """``book_source`` as ``make book-student`` runs it."""
    out = tmp_path_factory.mktemp("src") / "student-src"
    return course.book_source(stand_ins, out, branch=makefile_student_branch())


def test_the_student_config_differs_from_the_book_only_in_its_branch(student_source):
    book = yaml.safe_load((ROOT / "_config.yml").read_text())
    student = yaml.safe_load((student_source / "_config.yml").read_text())
    assert book["repository"]["branch"] != makefile_student_branch(), (
        "the book's own branch is the student branch: the student site would need another"
    )
    assert student["repository"]["branch"] == makefile_student_branch()
    book["repository"]["branch"] = makefile_student_branch()
    assert student == book, "the student _config.yml changed more than repository.branch"


def test_make_and_the_workflow_agree_on_the_student_branch():
    branch = makefile_student_branch()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("book-student", "student-branch"):
        recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M)
        assert recipe and "--branch $(STUDENT_BRANCH)" in recipe[1].replace("\\\n\t", ""), (
            f"make {target} does not pass --branch $(STUDENT_BRANCH)"
        )
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text()
    pushed = re.findall(r"git push \S+ \S+ HEAD:(\S+)", workflow)
    assert pushed == [branch], f"the workflow pushes {pushed}, the site's buttons open {branch}"


def test_every_launch_link_of_the_student_site_opens_the_student_branch(student_source):
    """Every notebook page's Binder, Colab, JupyterHub and Thebe buttons, as the theme makes
    them: the student branch, at the path where that branch holds the page's notebook."""
    branch = makefile_student_branch()
    notebooks = sorted(student_source.rglob("*.ipynb"))
    assert len(notebooks) == len(_notebooks.chapter_notebooks())
    seen = set()
    for path in notebooks:
        relative = path.relative_to(student_source).as_posix()
        links = launch_links(student_source / "_config.yml", relative, jupyterhub_url=TEST_HUB)
        seen |= set(links)
        for text, url in links.items():
            linked_branch, linked_path = branch_and_path(url)
            assert linked_branch == branch, f"{relative}: the {text} button opens {url}"
            assert linked_path in ("", relative), f"{relative}: the {text} button opens {url}"
    assert seen == {"Binder", "Colab", "JupyterHub", "Thebe"}, f"buttons made: {seen}"


def test_the_book_itself_launches_its_own_branch():
    """The same code on the book's _config.yml opens the book's branch: the check above
    tells the two apart."""
    book_branch = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["branch"]
    notebook = _notebooks.chapter_notebooks()[0].relative_to(ROOT).as_posix()
    links = launch_links(ROOT / "_config.yml", notebook)
    assert {branch_and_path(url)[0] for url in links.values()} == {book_branch}


def test_one_setting_turns_on_the_jupyterhub_button(student_source, tmp_path):
    """``launch_buttons.jupyterhub_url`` in _config.yml, and nothing else, adds an nbgitpuller
    link: it clones the repository's (student) branch into the hub and opens the notebook."""
    text = (student_source / "_config.yml").read_text()
    assert re.search(r'^  jupyterhub_url: ""$', text, re.M), "_config.yml lost its jupyterhub_url"
    config = tmp_path / "_config.yml"
    config.write_text(text.replace('jupyterhub_url: ""', f"jupyterhub_url: {TEST_HUB}"))
    notebook = _notebooks.chapter_notebooks()[0].relative_to(ROOT).as_posix()
    assert "JupyterHub" not in launch_links(student_source / "_config.yml", notebook)
    url = launch_links(config, notebook)["JupyterHub"]
    parts, settings = urlsplit(url), yaml.safe_load(text)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}" == TEST_HUB
    assert parts.path == "/hub/user-redirect/git-pull", url
    assert query["repo"] == [settings["repository"]["url"]], url
    assert branch_and_path(url) == (makefile_student_branch(), notebook), url


def test_the_student_branch_refuses_a_notebook_with_solutions(stand_ins, tmp_path):
    """The stand-ins are the book's notebooks, solutions included: the branch is not made."""
    with pytest.raises(ValueError, match="notebooks with solutions in the student branch"):
        course.student_branch(stand_ins, tmp_path / "branch", branch=makefile_student_branch())


# --- a built student website, when there is one ------------------------------------------------

LAUNCH_HOSTS = ("mybinder.org", "colab.research.google.com", "/hub/user-redirect/git-pull")


def _has_solution(nb: dict) -> bool:
    return bool(_notebooks.solution_blocks(nb)) or any(
        _notebooks.source(c).startswith(_notebooks.SOLUTION_MAGIC) for c in nb["cells"]
    )


@pytest.mark.skipif(
    not (STUDENT_HTML / "index.html").exists(),
    reason=f"no student website in {STUDENT_HTML} (`make book-student`; the workflow builds one)",
)
def test_the_built_student_site_links_to_no_solution():
    """Every launch link and Thebe setting on the built site names the student branch, and
    every notebook a reader can download from it has no solution."""
    branch = makefile_student_branch()
    pages = sorted(STUDENT_HTML.rglob("*.html"))
    launches, downloads = [], []
    for page in pages:
        html = page.read_text()
        for href in re.findall(r'href="([^"]+)"', html):
            if any(host in href for host in LAUNCH_HOSTS) or re.search(
                r"github\.com/[^/]+/[^/]+/(blob|tree|raw)/", href
            ):
                launches.append((page, href))
                linked_branch = branch_and_path(href)[0]
                assert linked_branch == branch, f"{page.relative_to(STUDENT_HTML)} links {href}"
            elif href.endswith(".ipynb"):
                downloads.append((page.parent / href).resolve())
        for ref in re.findall(r'binderOptions:\s*\{[^}]*ref:\s*"([^"]+)"', html):
            assert ref == branch, f"{page.relative_to(STUDENT_HTML)}: Thebe starts {ref}"
    assert launches, "the built student website has no launch link at all"
    assert downloads, "the built student website offers no notebook download"
    leaks = [str(p) for p in set(downloads) if _has_solution(json.loads(p.read_text()))]
    assert not leaks, f"downloads with solutions on the student website: {leaks}"


@pytest.mark.skipif(
    not STUDENT_BRANCH_DIR.is_dir(),
    reason=f"no student branch in {STUDENT_BRANCH_DIR} (`make student-branch`; the workflow makes one)",
)
def test_the_student_branch_to_publish_holds_every_notebook_and_no_solution():
    """What the workflow is about to push: a notebook at every path a launch link names, none
    with a solution, and the Binder environment."""
    for path in _notebooks.chapter_notebooks():
        relative = path.relative_to(ROOT)
        published = STUDENT_BRANCH_DIR / relative
        assert published.is_file(), f"the student branch has no {relative}"
        assert not _has_solution(json.loads(published.read_text())), f"{relative} has solutions"
    config = yaml.safe_load((STUDENT_BRANCH_DIR / "_config.yml").read_text())
    assert config["repository"]["branch"] == makefile_student_branch()
    assert (STUDENT_BRANCH_DIR / ".binder" / "requirements.txt").is_file()
