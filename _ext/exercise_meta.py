"""Instructor metadata for sphinx-exercise exercises, and a per-chapter exercise index.

Inside an ``{exercise}`` write ::

    ```{exercise-meta}
    :difficulty: 2
    :minutes: 10
    :objective: Compute the output shape of a batched dense layer
    :autograded: true
    ```

It renders as a line of badges under the exercise title and is collected, with the
exercise's label, title and page, into ``{exercise-index}``: a table of every exercise
of the chapter (the folder of the page holding the index) for instructors.

The same options are read by ``tools/edition.py`` when it builds the student edition
and the autograder, so there is one source of truth: the chapter notebook.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

DIFFICULTY = {1: "quick check", 2: "practice", 3: "challenge"}


def _difficulty(value: str) -> int:
    level = directives.positive_int(value)
    if level not in DIFFICULTY:
        raise ValueError(f"difficulty must be 1, 2 or 3, got {level}")
    return level


def _boolean(value: str) -> bool:
    text = (value or "").strip().lower()
    if text not in ("true", "false"):
        raise ValueError(f"autograded must be true or false, got {value!r}")
    return text == "true"


class exercise_meta_node(nodes.General, nodes.Element):
    """Placeholder holding the metadata until the enclosing exercise is known."""


class exercise_index_node(nodes.General, nodes.Element):
    """Placeholder replaced by the chapter's exercise table once all pages are read."""


class ExerciseMetaDirective(SphinxDirective):
    has_content = False
    option_spec = {
        "difficulty": _difficulty,
        "minutes": directives.positive_int,
        "objective": directives.unchanged_required,
        "autograded": _boolean,
    }

    def run(self) -> list[nodes.Node]:
        missing = [key for key in self.option_spec if key not in self.options]
        if missing:
            raise self.error(f"exercise-meta is missing option(s): {', '.join(missing)}")
        node = exercise_meta_node()
        node.update_all_atts(dict(self.options))
        node["meta"] = dict(self.options)
        self.set_source_info(node)
        return [node]


class ExerciseIndexDirective(SphinxDirective):
    """``{exercise-index}``: the table of exercises of every page in this page's folder."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        node = exercise_index_node()
        node["folder"] = self.env.docname.rsplit("/", 1)[0] if "/" in self.env.docname else ""
        return [node]


def _badges(meta: dict) -> nodes.paragraph:
    level = meta["difficulty"]
    stars = "★" * level + "☆" * (3 - level)
    para = nodes.paragraph(classes=["exercise-meta"])
    parts = [
        ("Difficulty", f"{stars} {DIFFICULTY[level]}"),
        ("Time", f"~{meta['minutes']} min"),
        ("Objective", meta["objective"]),
        ("Auto-graded", "yes" if meta["autograded"] else "no"),
    ]
    for i, (name, value) in enumerate(parts):
        if i:
            para += nodes.Text(" · ")
        para += nodes.strong(text=f"{name}: ")
        para += nodes.Text(value)
    return para


def _enclosing_exercise(node: nodes.Node) -> nodes.Element | None:
    parent = node.parent
    while parent is not None:
        if type(parent).__name__ in ("exercise_node", "exercise_enumerable_node"):
            return parent
        parent = parent.parent
    return None


def collect_metadata(app, doctree: nodes.document) -> None:
    """doctree-read: record each exercise's metadata and render its badges."""
    env = app.env
    store = env.__dict__.setdefault("mfnn_exercises", {})
    for node in list(doctree.findall(exercise_meta_node)):
        exercise = _enclosing_exercise(node)
        if exercise is None:
            logger.warning("exercise-meta must sit inside an exercise directive", location=node)
            node.replace_self([])
            continue
        label = exercise.get("label", "")
        title_node = next(iter(exercise.findall(nodes.title)), None)
        store[label] = {
            "docname": env.docname,
            "title": title_node.astext() if title_node is not None else label,
            **node["meta"],
        }
        node.replace_self(_badges(node["meta"]))


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
        ref = nodes.reference("", info["title"], internal=True)
        ref["refuri"] = builder.get_relative_uri(fromdocname, info["docname"]) + "#" + label
        section = app.env.titles[info["docname"]].astext()
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
    app.add_node(exercise_meta_node)
    app.add_node(exercise_index_node)
    app.add_directive("exercise-meta", ExerciseMetaDirective)
    app.add_directive("exercise-index", ExerciseIndexDirective)
    app.connect("doctree-read", collect_metadata)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("doctree-resolved", build_index)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
