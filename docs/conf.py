"""Sphinx configuration for the veloxapi documentation site (``make docs``).

The site builds offline: no intersphinx inventories, no remote assets. The API
reference pages are generated at build time from the package itself by
``_ext/reference.py``, so they cover every public module of the checkout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

# The FBI migration modules read their settings when imported, as FastAPI Batteries
# Included does; the reference imports every module, so the build gives them a throwaway
# issuer (never a real key: nothing is signed or verified while the docs are built).
os.environ.setdefault("HS_KEY", "docs-build-only-" * 4)
os.environ.setdefault("HS_ISSUER", "https://docs.invalid/")
os.environ.setdefault("ACCEPTED_API_KEY", "docs-build-only-api-key")

project = "veloxapi"
author = "the veloxapi developers"
copyright = "veloxapi developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "reference",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "README.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_typehints = "description"
autodoc_member_order = "bysource"
# A docstring inherited from SQLAlchemy or Starlette cites their manuals, not ours.
autodoc_inherit_docstrings = False
# Each member is documented where it is defined; a module's re-exports are listed on its page.
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
# A code block that is not quite the language it claims still renders; it is no broken link.
suppress_warnings = ["misc.highlighting_failure"]

html_theme = "furo"
html_title = "veloxapi"
html_static_path: list[str] = []
# Everything the pages need ships with the theme: nothing is fetched when they are read.
html_theme_options = {"navigation_with_keys": True}
