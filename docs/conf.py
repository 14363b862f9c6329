"""Sphinx configuration of salesflow's documentation site (MyST Markdown, furo).

Build it with ``sphinx-build -W -b html docs docs/_build/html`` (the ``docs``
extra installs what it needs); CI builds it with warnings as errors.
"""

from __future__ import annotations

import salesflow

project = "salesflow"
author = "salesflow maintainers"
copyright = "salesflow maintainers"
release = salesflow.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "processes", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True

html_theme = "furo"
html_title = f"salesflow {release}"
