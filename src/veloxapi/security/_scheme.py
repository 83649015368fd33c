"""The rule every built-in scheme follows when credentials are missing or unusable.

``auto_error=True`` (the default) answers 401 with ``WWW-Authenticate: <challenge>``;
``auto_error=False`` lets the dependency give ``None`` so the route can decide.
"""

from __future__ import annotations

from typing import ClassVar

from starlette.requests import HTTPConnection

from veloxapi.exceptions import HTTPException
from veloxapi.security._errors import not_authenticated
from veloxapi.security.base import SecurityBase


class CredentialScheme(SecurityBase):
    """Base of the built-in schemes: a name, ``auto_error`` and the 401 they answer.

    ``_challenge`` is the ``WWW-Authenticate`` value of that 401.
    """

    _challenge: ClassVar[str]
    auto_error: bool

    def _name_scheme(self, scheme_name: str | None, auto_error: bool) -> None:
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def make_not_authenticated_error(self) -> HTTPException:
        """The error for missing or unusable credentials; override to answer differently."""
        return not_authenticated(self._challenge)

    def _raise_if_required(self) -> None:
        if self.auto_error:
            raise self.make_not_authenticated_error()

    def _authorization(self, request: HTTPConnection) -> str | None:
        """The raw ``Authorization`` header; when it is missing or empty, the 401 rule."""
        authorization = request.headers.get("Authorization")
        if authorization:
            return authorization
        self._raise_if_required()
        return None
