"""Middleware declarations (Starlette's ``Middleware``) and bundled middleware."""

from starlette.middleware import Middleware as Middleware

__all__ = ["Middleware"]
