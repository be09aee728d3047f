"""Accessibility fixes for markup that Sphinx extensions and the theme generate.

``tests/test_site_accessibility.py`` runs axe-core on every page; these are the
workarounds for what it found in other projects' markup. (The book's own colours are
in ``_static/accessibility.css``; the theme's search and colour-mode buttons are
overridden in ``_templates/search-button-field.html`` and ``_templates/theme-switcher.html``.)

1. Bibliography entries. docutils writes each citation as
   ``<div role="doc-biblioentry">`` inside a ``<div role="list">``. DPUB-ARIA 1.1
   deprecated ``doc-biblioentry`` (w3c/dpub-aria#22; axe-core#2759): a list may only
   own ``listitem`` children, so axe reports the citation list as a critical
   ``aria-required-children`` violation, and each entry as a deprecated role. The
   role is ``listitem`` here. docutils 0.21 to 0.23 still write the old role
   (``_html_base.HTMLTranslator.visit_citation``).

2. Table-of-contents expanders. pydata-sphinx-theme 0.17 gives each collapsible
   sidebar entry a ``<summary>`` holding only a decorative chevron, so it has no
   accessible name (axe ``summary-name``, serious; described, and worked around the
   same way, in pytorch/pytorch_sphinx_theme#234). Each gets a visually hidden
   "Sections of <entry title>". pydata-sphinx-theme 0.24 still writes the bare summary.

3. Hidden code cells. myst-nb (1.4) writes ``<summary aria-label="Toggle hidden content">``
   around the visible prompt "Show code cell source": the visible label is not part of
   that name (WCAG 2.5.3, axe ``label-content-name-mismatch``, serious). Without the
   aria-label the summary is named by the prompt on show, and ``<details>`` already
   tells assistive technology whether it is open. (No upstream issue found.)
"""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from docutils import nodes
from sphinx.application import Sphinx

OLD_ROLE = 'role="doc-biblioentry"'
NEW_ROLE = 'role="listitem"'
HIDDEN_CELL_LABEL = ' aria-label="Toggle hidden content"'


def visit_citation(self: Any, node: nodes.citation) -> None:
    """The translator's own ``visit_citation``, with ``listitem`` for the deprecated role."""
    type(self).visit_citation(self, node)
    self.body[-1] = self.body[-1].replace(OLD_ROLE, NEW_ROLE)


def depart_citation(self: Any, node: nodes.citation) -> None:
    type(self).depart_citation(self, node)


def name_hidden_cells_by_their_prompt(app: Sphinx) -> None:
    """Re-register myst-nb's hidden-cell visitor without its aria-label (after every setup)."""
    try:
        from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
    except ImportError:  # myst-nb renamed them; tests/test_site_accessibility.py would tell
        return

    def visit(self: Any, node: Any) -> None:
        start = len(self.body)
        visit_HideCellInput(self, node)
        self.body[start:] = [part.replace(HIDDEN_CELL_LABEL, "") for part in self.body[start:]]

    app.add_node(HideCodeCellNode, override=True, html=(visit, depart_HideCellInput))


def label_summaries(soup: BeautifulSoup) -> BeautifulSoup:
    """Give every ``<summary>`` without text a hidden label naming the entry it expands.

    Idempotent: pydata-sphinx-theme caches the soup it returns, and a page may ask twice.
    """
    for summary in soup.select("li.has-children > details > summary"):
        if summary.get_text(strip=True):
            continue  # a caption inside the summary already names it
        link = summary.find_parent("li").find("a", recursive=False)
        title = " ".join(link.get_text().split()) if link else ""
        label = soup.new_tag("span", attrs={"class": "visually-hidden"})
        label.string = f"Sections of {title}" if title else "Sections"
        summary.append(label)
    return soup


def label_toctree_expanders(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Wrap the theme's ``generate_toctree_html`` so the sidebar's expanders are named."""
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "labels_summaries", False):
        return

    def generate_labelled(kind: str, *args: Any, **kwargs: Any) -> Any:
        result = generate(kind, *args, **kwargs)
        return label_summaries(result) if isinstance(result, BeautifulSoup) else result

    generate_labelled.labels_summaries = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_labelled


def setup(app: Sphinx) -> dict[str, Any]:
    # override=True: replace (for HTML builders) the handlers docutils' translator has.
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("builder-inited", name_hidden_cells_by_their_prompt)
    # After pydata-sphinx-theme puts generate_toctree_html into the context (priority 500).
    app.connect("html-page-context", label_toctree_expanders, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
