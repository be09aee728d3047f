"""Keep a chapter opening's own headings out of the section numbering.

The book numbers sections from the table of contents (``numbered`` in ``_toc.yml``), so that
exercises and equations are numbered per section ("Exercise 3.3.2", "(3.3.5)"). Sphinx
numbers a page's headings and the pages of its toctree in one sequence, and the toctree of
a chapter opening comes after its headings ("What you will be able to do", "Map of the
chapter", ...): left alone, those headings would take 1.1 to 1.4 and the first section would
be 1.5. So they leave the opening page's table of contents while Sphinx numbers it, and come
back unnumbered (they still list under "Contents" beside the page).

Titles carry no typed number any more, so a ``{doc}`` link that shows a page's title gets the
page's number put in front, "3.3 Adaptive methods: ...", as the sidebar and the heading read.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import docname_join
from sphinx.util.nodes import clean_astext


def _own_heading_lists(env, docname: str) -> list[nodes.bullet_list]:
    """The lists under a chapter opening's title that mix its headings with its toctree."""
    toc = env.tocs.get(docname)
    if docname == env.config.root_doc or toc is None:
        return []
    return [
        sub
        for item in toc.children
        for sub in item.children
        if isinstance(sub, nodes.bullet_list)
        and any(isinstance(entry, addnodes.toctree) for entry in sub.children)
    ]


def hide_own_headings(app, env) -> list[str]:
    """env-get-updated, before Sphinx numbers the sections: only the toctrees stay."""
    hidden = env.__dict__["mfnn_hidden_headings"] = []
    for docname in env.tocs:
        for sub in _own_heading_lists(env, docname):
            hidden.append((docname, sub, list(sub.children)))
            sub[:] = [entry for entry in sub.children if isinstance(entry, addnodes.toctree)]
    return []


def restore_own_headings(app, env) -> list[str]:
    """env-get-updated, after the numbering: the headings come back, marked unnumbered (a
    heading missing from the numbers would show its page's number)."""
    for docname, sub, children in env.__dict__.pop("mfnn_hidden_headings", []):
        secnumbers = env.toc_secnumbers.get(docname)
        for entry in children:
            if secnumbers is not None and not isinstance(entry, addnodes.toctree):
                for ref in entry.findall(nodes.reference):
                    secnumbers[ref["anchorname"]] = None
        sub[:] = children
    return []


class NumberDocLinks(SphinxPostTransform):
    """An implicit ``{doc}`` link's text: the target's section number, then its title."""

    default_priority = 5  # before ReferencesResolver (10) writes the title into the link

    def run(self, **kwargs) -> None:
        env = self.env
        for node in self.document.findall(addnodes.pending_xref):
            if node.get("reftype") != "doc" or node.get("refexplicit"):
                continue
            docname = docname_join(node.get("refdoc", env.docname), node["reftarget"])
            number = env.toc_secnumbers.get(docname, {}).get("")
            if not number or docname not in env.titles:
                continue
            caption = f"{'.'.join(map(str, number))} {clean_astext(env.titles[docname])}"
            node["refexplicit"] = True
            node[:] = [nodes.inline(caption, caption)]


def setup(app):
    # Around TocTreeCollector.get_updated_docs (priority 500), which numbers the sections.
    app.connect("env-get-updated", hide_own_headings, priority=400)
    app.connect("env-get-updated", restore_own_headings, priority=600)
    app.add_post_transform(NumberDocLinks)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
