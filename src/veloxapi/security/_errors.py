"""The error every security scheme raises when credentials are missing or unusable."""

from __future__ import annotations

from veloxapi.exceptions import HTTPException


def not_authenticated(challenge: str) -> HTTPException:
    """401 ``Not authenticated`` asking for credentials of the ``challenge`` scheme."""
    return HTTPException(
        status_code=401,
        detail="Not authenticated",
        headers={"WWW-Authenticate": challenge},
    )
