"""Sphinx configuration of salesflow's documentation site (MyST Markdown, furo).

Build it with ``sphinx-build -W -b html docs docs/_build/html`` (the ``docs``
extra installs what it needs); CI builds it with warnings as errors.
"""

from __future__ import annotations

import statemachine

import salesflow

_MACHINE_NAMES = frozenset(dir(statemachine.StateMachine))

project = "salesflow"
author = "salesflow maintainers"
copyright = "salesflow maintainers"
release = salesflow.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "processes", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True

html_theme = "furo"
html_title = f"salesflow {release}"


def _skip_foreign(
    app: object, what: str, name: str, obj: object, skip: bool, options: object
) -> bool | None:
    """Leave out members inherited from python-statemachine (documented there)."""
    target = getattr(obj, "fget", obj)
    module = getattr(target, "__module__", None) or ""
    if module.startswith("salesflow"):
        return None
    if module.startswith("statemachine") or (what == "class" and name in _MACHINE_NAMES):
        return True
    return None


def setup(app: object) -> None:
    """Connect the member filter."""
    app.connect("autodoc-skip-member", _skip_foreign)  # type: ignore[attr-defined]
