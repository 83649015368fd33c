"""Gzip compression of responses (Starlette's ``GZipMiddleware``)."""

from starlette.middleware.gzip import GZipMiddleware as GZipMiddleware

__all__ = ["GZipMiddleware"]
