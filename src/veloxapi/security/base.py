"""What every security scheme dependency has in common."""

from __future__ import annotations

from veloxapi.openapi.models import SecurityBase as SecuritySchemeModel


class SecurityBase:
    """A callable dependency that also describes itself as an OpenAPI security scheme.

    ``model`` is the entry written to ``components.securitySchemes`` under
    ``scheme_name``. The route engine recognises these objects with
    ``isinstance`` and lists them in the operation's ``security`` requirement.
    Custom schemes subclass this and set both attributes in ``__init__``.
    """

    model: SecuritySchemeModel
    scheme_name: str


__all__ = ["SecurityBase"]
