"""Serving a directory of static files (Starlette's ``StaticFiles``)."""

from starlette.staticfiles import StaticFiles as StaticFiles

__all__ = ["StaticFiles"]
