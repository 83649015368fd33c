"""Production batteries: each a module usable on its own, all wired by :func:`augment_app`.

Modules: ``logging``, ``request_id``, ``metrics``, ``health``, ``security_headers``,
``cors``, ``deprecation``, ``errors``, ``ratelimit``, ``cache``, ``auth``; their
settings come from ``VELOX_<BATTERY>_*`` environment variables (see ``settings``),
shared connections from ``VELOX_REDIS_URL`` (see ``connections``), and each is one
entry of the registry in ``kit``. Only the names below are imported here, so
optional dependencies load on use.
"""

from veloxapi.batteries.app import Batteries, augment_app
from veloxapi.batteries.request_id import get_request_id
from veloxapi.batteries.settings import ConfigurationError

__all__ = ["Batteries", "ConfigurationError", "augment_app", "get_request_id"]
