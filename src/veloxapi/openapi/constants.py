"""Constants shared by the OpenAPI generator and user code."""

from __future__ import annotations

METHODS_WITH_BODY = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"})
"""HTTP methods whose operations may declare a request body in the OpenAPI document."""

REF_PREFIX = "#/components/schemas/"
REF_TEMPLATE = "#/components/schemas/{model}"

__all__ = ["METHODS_WITH_BODY", "REF_PREFIX", "REF_TEMPLATE"]
