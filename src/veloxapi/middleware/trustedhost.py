"""Rejecting requests whose Host header is not allowed (Starlette's ``TrustedHostMiddleware``)."""

from starlette.middleware.trustedhost import TrustedHostMiddleware as TrustedHostMiddleware

__all__ = ["TrustedHostMiddleware"]
