"""Parsing of the ``Authorization`` header."""

from __future__ import annotations


def get_authorization_scheme_param(authorization_header_value: str | None) -> tuple[str, str]:
    """Split ``"<scheme> <credentials>"`` into its two parts, whitespace trimmed.

    A missing or empty header gives ``("", "")``; a header with no space gives
    the whole value as the scheme and ``""`` as the credentials.
    """
    if not authorization_header_value:
        return "", ""
    scheme, _, param = authorization_header_value.strip().partition(" ")
    return scheme, param.strip()


__all__ = ["get_authorization_scheme_param"]
