"""Redirecting plain HTTP/WS requests to HTTPS/WSS (Starlette's ``HTTPSRedirectMiddleware``)."""

from starlette.middleware.httpsredirect import HTTPSRedirectMiddleware as HTTPSRedirectMiddleware

__all__ = ["HTTPSRedirectMiddleware"]
