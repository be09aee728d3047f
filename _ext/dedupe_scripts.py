"""Emit each ``<script>`` of a page once: a fix for inline scripts doubled by Sphinx 7.4.

Sphinx 7.4 stores an inline script added with ``app.add_js_file(None, body=...)``
after the builder started twice: once as given (file name ``None``, in the builder)
and once again from the registry as file name ``""`` (``StandaloneHTMLBuilder.prepare_writing``).
The two do not compare equal, so every page carries both. For sphinx-togglebutton's
``var togglebuttonSelector`` that is harmless; for sphinx-thebe 0.3.1's
``const THEBE_JS_URL = ...`` it is a ``SyntaxError`` (redeclared ``const``) on every
page, and the rest of that script never runs.

This extension drops the later copy of any script that has the same file name
(``None`` and ``""`` counting as the same), priority and attributes as an earlier one,
just before each page is rendered. Where nothing is doubled it changes nothing.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _key(script: Any) -> tuple:
    """What makes two script entries the same ``<script>`` tag."""
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {})
    priority = getattr(script, "priority", 500)
    return (filename, priority, tuple(sorted((k, str(v)) for k, v in attributes.items())))


def dedupe_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Remove repeated entries from the page's ``script_files``, keeping the first of each."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: the builder restores this same list after the page.
    scripts[:] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    # Late, after every extension has added its per-page scripts (MathJax, myst-nb, ...).
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
