"""The incoming HTTP request and the connection base class (Starlette's)."""

from starlette.requests import HTTPConnection as HTTPConnection
from starlette.requests import Request as Request

__all__ = ["HTTPConnection", "Request"]
