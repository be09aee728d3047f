"""Exercise metadata on the website, and a per-chapter exercise index.

The first line of an ``{exercise}``'s body is its metadata, written to read as it stands
(JupyterLab, Colab and any Markdown viewer show it as text; see ``nblib/_notebooks.py``)::

    **Difficulty:** ★★☆ practice · **Time:** ~20 min · **Objective:** ... · **Auto-graded:** yes

Here it is checked (a misspelled or missing line is a build warning, an error with ``-W``),
given the ``exercise-meta`` class, and collected, with the exercise's label, title and page,
into ``{exercise-index}``: a table of every exercise of the chapter (the folder of the page
holding the index) for instructors. The course tools (``nblib.course``) read the same line.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from nblib._notebooks import parse_exercise_meta

logger = logging.getLogger(__name__)


class exercise_index_node(nodes.General, nodes.Element):
    """Placeholder replaced by the chapter's exercise table once all pages are read."""


class ExerciseIndexDirective(SphinxDirective):
    """``{exercise-index}``: the table of exercises of every page in this page's folder."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        node = exercise_index_node()
        node["folder"] = self.env.docname.rsplit("/", 1)[0] if "/" in self.env.docname else ""
        return [node]


EXERCISE_NODES = ("exercise_node", "exercise_enumerable_node", "exercise_unenumerable_node")


def collect_metadata(app, doctree: nodes.document) -> None:
    """doctree-read: check and record each exercise's metadata line, the first of its body."""
    env = app.env
    store = env.__dict__.setdefault("mfnn_exercises", {})
    for exercise in doctree.findall(lambda n: type(n).__name__ in EXERCISE_NODES):
        label = exercise.get("label", "")
        first = next(iter(exercise.findall(nodes.paragraph)), None)
        try:
            meta = parse_exercise_meta(first.astext()) if first is not None else None
        except ValueError as error:
            logger.warning(f"exercise {label}: {error}", location=exercise)
            continue
        if meta is None:
            logger.warning(
                f"exercise {label} has no metadata line ('**Difficulty:** ★★☆ practice · ...') "
                "as the first line of its body",
                location=exercise,
            )
            continue
        first["classes"].append("exercise-meta")
        # The title node holds the word "Exercise" then the exercise's own title, a subtitle:
        # its astext() ran the two together ("ExerciseThe forward pass of any MLP").
        subtitle = next(iter(exercise.findall(nodes.subtitle)), None)
        store[label] = {
            "docname": env.docname,
            "title": subtitle.astext() if subtitle is not None else "",
            **meta,
        }


def purge(app, env, docname: str) -> None:
    store = env.__dict__.get("mfnn_exercises", {})
    for label in [k for k, v in store.items() if v["docname"] == docname]:
        del store[label]


def merge(app, env, docnames, other) -> None:
    env.__dict__.setdefault("mfnn_exercises", {}).update(other.__dict__.get("mfnn_exercises", {}))


def build_index(app, doctree: nodes.document, fromdocname: str) -> None:
    """doctree-resolved: replace each index placeholder by the chapter's table."""
    env = app.env
    store = env.__dict__.get("mfnn_exercises", {})
    order = {doc: i for i, doc in enumerate(_toc_order(env))}
    for node in list(doctree.findall(exercise_index_node)):
        folder = node["folder"]
        rows = [
            (label, info)
            for label, info in store.items()
            if info["docname"].startswith(folder + "/") and info["docname"] != fromdocname
        ]
        rows.sort(key=lambda r: (order.get(r[1]["docname"], 1e9), r[1]["docname"]))
        if not rows:
            node.replace_self(nodes.paragraph(text="This chapter has no exercises yet."))
            continue
        node.replace_self(_table(app, fromdocname, rows))


def _toc_order(env) -> list[str]:
    """Documents in reading order, following the table of contents from the root."""
    seen: list[str] = []

    def walk(doc: str) -> None:
        if doc in seen:
            return
        seen.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return seen


def _table(app, fromdocname: str, rows) -> nodes.table:
    headers = ["Exercise", "Section", "Difficulty", "Minutes", "Objective", "Auto-graded"]
    table = nodes.table(classes=["exercise-index"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in (22, 18, 12, 8, 30, 10):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += _row([nodes.Text(h) for h in headers])
    body = nodes.tbody()
    group += body
    builder = app.builder
    for label, info in rows:
        ref = nodes.reference("", _exercise_text(app, label, info), internal=True)
        ref["refuri"] = builder.get_relative_uri(fromdocname, info["docname"]) + "#" + label
        section = _numbered(app.env, info["docname"], app.env.titles[info["docname"]].astext())
        section_ref = nodes.reference("", section, internal=True)
        section_ref["refuri"] = builder.get_relative_uri(fromdocname, info["docname"])
        level = info["difficulty"]
        body += _row(
            [
                ref,
                section_ref,
                nodes.Text("★" * level + "☆" * (3 - level)),
                nodes.Text(str(info["minutes"])),
                nodes.Text(info["objective"]),
                nodes.Text("yes" if info["autograded"] else "no"),
            ]
        )
    return table


def _exercise_text(app, label: str, info: dict) -> str:
    """ "Exercise 3.3.2 (Title)", as the exercise's caption and the references to it read."""
    number = app.env.toc_fignumbers.get(info["docname"], {}).get("exercise", {}).get(label)
    word = app.config.numfig_format["exercise"] % ".".join(map(str, number)) if number else ""
    word = word or "Exercise"
    return f"{word} ({info['title']})" if info["title"] else word


def _numbered(env, docname: str, title: str) -> str:
    """A page title with its section number from the numbered table of contents."""
    number = env.toc_secnumbers.get(docname, {}).get("")
    return f"{'.'.join(map(str, number))} {title}" if number else title


def _row(cells: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        para = nodes.paragraph()
        para += cell
        entry += para
        row += entry
    return row


def setup(app):
    app.add_node(exercise_index_node)
    app.add_directive("exercise-index", ExerciseIndexDirective)
    app.connect("doctree-read", collect_metadata)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("doctree-resolved", build_index)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
