"""The inventory domain: suppliers, the products they supply, and stock movements."""

from . import models  # noqa: F401  (the tables exist once the domain is imported)
