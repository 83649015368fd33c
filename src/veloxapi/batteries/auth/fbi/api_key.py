"""FBI's API key dependency: ``X-Api-Key`` must carry ``ACCEPTED_API_KEY``.

::

    @router.post("/path", dependencies=[Security(get_api_key)])

No header is 401 ``No API key supplied``; another key is 403 ``Invalid API key
supplied``. The key is compared in constant time by the battery's
:class:`~veloxapi.batteries.auth.APIKeyVerifier`, which also refuses keys
shorter than 16 characters at start-up. ``ACCEPTED_API_KEY`` is read when this
module is first imported, as FBI does.
"""

# No ``from __future__ import annotations`` here: the dependency engine reads these
# signatures at run time.

from veloxapi import Security
from veloxapi.batteries.settings import ConfigurationError, load_settings
from veloxapi.exceptions import HTTPException
from veloxapi.security import APIKeyHeader

from ..apikeys import APIKeyVerifier
from .config import ApiKeySettings

api_key_header = APIKeyHeader(name="X-Api-Key", auto_error=False)
api_key_settings: ApiKeySettings = load_settings(ApiKeySettings)


def _verifier(settings: ApiKeySettings) -> APIKeyVerifier:
    try:
        return APIKeyVerifier([settings.ACCEPTED_API_KEY.get_secret_value()])
    except ConfigurationError as exc:
        raise ConfigurationError([f"ACCEPTED_API_KEY: {p}" for p in exc.problems]) from None


_accepted = _verifier(api_key_settings)


async def get_api_key(api_key: str | None = Security(api_key_header)) -> None:
    """Let the request through only with the accepted ``X-Api-Key``."""
    if api_key is None:
        raise HTTPException(401, detail="No API key supplied")
    if not _accepted.verify(api_key):
        raise HTTPException(403, detail="Invalid API key supplied")
