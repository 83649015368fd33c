"""Mounting a WSGI application (Starlette's ``WSGIMiddleware``).

Starlette deprecates this middleware and warns when it is imported; for new
code, ``a2wsgi.WSGIMiddleware`` is the maintained replacement.
"""

from starlette.middleware.wsgi import WSGIMiddleware as WSGIMiddleware

__all__ = ["WSGIMiddleware"]
