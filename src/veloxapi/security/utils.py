"""Parsing of the ``Authorization`` header."""

from __future__ import annotations


def get_authorization_scheme_param(authorization_header_value: str | None) -> tuple[str, str]:
    """Split ``"<scheme> <credentials>"`` at the first space; credentials are trimmed.

    A missing or empty header gives ``("", "")``; a header with no space gives
    the whole value as the scheme and ``""`` as the credentials. The value is split
    as it is: HTTP servers already strip the whitespace around header values, and a
    value that still starts with a space has an empty scheme.
    """
    if not authorization_header_value:
        return "", ""
    scheme, _, param = authorization_header_value.partition(" ")
    return scheme, param.strip()


__all__ = ["get_authorization_scheme_param"]
