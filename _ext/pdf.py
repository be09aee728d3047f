"""The book's PDF (``make pdf``: Sphinx's LaTeX builder, then xelatex): figures as vector PDF.

The book's figures are SVG only (``nblib.plots.svg``), which LaTeX cannot include. This
converts each into a PDF with ``rsvg-convert`` (Debian's ``librsvg2-bin``): lines and text
stay vectors, and the text keeps its font (DejaVu Sans, as matplotlib drew it). myst-nb
picks the SVG of an output for LaTeX once ``nb_mime_priority_overrides`` ranks it (see
``_config.yml``); an explorer (``nblib.widgets``) shows as the PNG of its starting frame.

sphinx-jupyterbook-latex would load ``sphinx.ext.imgconverter`` instead (ImageMagick,
rasterizing); ``_config.yml`` turns that off (``jblatex_load_imgconverter: false``).
The website's builder takes SVG as it is: there this converter does nothing.

For LaTeX only, it also links references to exercises where sphinx-exercise put them
(:func:`exercise_links`) and numbers chapters and sections as the website does
(:func:`numbering_as_on_the_website`). Fonts and the bbm stand-in: ``_config.yml``
(``latex_elements``, ``latex_additional_files``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms.images import ImageConverter
from sphinx.util import logging, texescape

logger = logging.getLogger(__name__)

RSVG = "rsvg-convert"


class SvgToPdf(ImageConverter):
    """SVG to PDF with ``rsvg-convert``, for builders that cannot show SVG (LaTeX)."""

    conversion_rules = [("image/svg+xml", "application/pdf")]

    def is_available(self) -> bool:
        if shutil.which(RSVG):
            return True
        logger.warning(
            f"{RSVG} not found: the PDF's figures (SVG) cannot be converted. "
            "Install it: sudo apt-get install librsvg2-bin",
            type="pdf",
            subtype="svg",
        )
        return False

    def convert(self, _from: str, _to: str) -> bool:
        if Path(_to).is_file() and Path(_to).stat().st_mtime >= Path(_from).stat().st_mtime:
            return True  # converted by an earlier build (myst-nb names a figure by its hash)
        done = subprocess.run(
            [RSVG, "--format=pdf", f"--output={_to}", _from], capture_output=True, text=True
        )
        if done.returncode != 0:
            logger.warning(f"{RSVG} failed on {_from}: {done.stderr.strip()}", type="pdf")
            return False
        return True


def exercise_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved, LaTeX only: links to an exercise point at the label it has there.

    sphinx-exercise labels an exercise ``exercise:<label>`` in LaTeX, but a ``{ref}`` to it
    (and the exercise index, _ext/exercise_meta.py) links ``<docname>:<label>``, as Sphinx
    does: a dead link, and across pages an "Exercise ??". Each such link becomes a
    ``\\hyperref`` to ``exercise:<label>`` with the text the website shows ("Exercise 2.5.3").
    """
    if app.builder.format != "latex":
        return
    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for node in list(doctree.findall(nodes.reference)):  # number_reference is one too
        if type(node).__name__ == "exercise_latex_number_reference" or node.parent is None:
            continue  # sphinx-exercise links these right; or inside a link already replaced
        target = node.get("refid") or node.get("refuri", "").rpartition("#")[2]
        if not str(registry.get(target, {}).get("type", "")).startswith("exercise"):
            continue
        text = texescape.escape(node.astext())
        node.replace_self(nodes.raw("", rf"\hyperref[exercise:{target}]{{{text}}}", format="latex"))


def numbering_as_on_the_website(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved, LaTeX only: number the chapters and sections the website numbers.

    LaTeX would number every chapter, the preface's too, so "Linear algebra" would be
    Chapter 3 while its exercises say "Exercise 1.1.1", and every heading down to
    subsections, a chapter opening's own too (the website leaves those out,
    _ext/numbering.py). Before each document whose depth differs from the one before,
    ``secnumdepth`` becomes the depth of the document's own number: 0 for a chapter
    opening (its headings unnumbered), 1 for a section, -1 for the preface and the
    reference pages (unnumbered, and then they do not step the chapter counter either).
    """
    if app.builder.format != "latex":
        return
    depth_before = None
    for node in list(doctree.findall(addnodes.start_of_file)):
        number = app.env.toc_secnumbers.get(node["docname"], {}).get("", ())
        depth = len(number) - 1  # (1,): a chapter, 0; (1, 2): a section, 1; (): -1
        if depth != depth_before:
            node.insert(
                0, nodes.raw("", rf"\setcounter{{secnumdepth}}{{{depth}}}" + "\n", format="latex")
            )
            depth_before = depth


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", numbering_as_on_the_website)
    app.add_post_transform(SvgToPdf)
    app.connect("doctree-resolved", exercise_links, priority=900)  # after exercise_meta's index
    return {"parallel_read_safe": True, "parallel_write_safe": True}
