"""``Cache``: the per-route opt-in marker, and the keys it implies.

On a VeloxAPI app ``Depends(Cache(...))`` is a marker: the cache battery
compiles a step around the endpoint in its place
(:mod:`veloxapi.batteries.cache.plan`). On a plain Starlette app the endpoint
calls the policy itself and the middleware
(:mod:`veloxapi.batteries.cache.middleware`) cooperates with it through a
:class:`CacheContext` in the ASGI scope. Either way the response is stored
together with its policy under
the request's URL, and later requests for that URL read the policy back first,
so they know which headers to key on before a response is looked up.
"""

# No `from __future__ import annotations`: the dependency signatures below are
# read at run time, and string annotations on a callable instance cannot be resolved.
import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode

from starlette.requests import Request

from veloxapi.batteries._stores import ThrottledWarning
from veloxapi.batteries.settings import ConfigurationError

logger = logging.getLogger("veloxapi.cache")
SCOPE_KEY = "veloxapi.cache"
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_not_installed = ThrottledWarning(logger, interval=3600.0)


@dataclass(frozen=True)
class Policy:
    """What a route asked for: how long, which headers vary, shared between users."""

    ttl: float
    vary: tuple[str, ...] = ()
    shared: bool = False

    def dump(self) -> bytes:
        return json.dumps({"ttl": self.ttl, "vary": self.vary, "shared": self.shared}).encode()

    def varying_also(self, names: Sequence[str]) -> "Policy":
        """This policy, also keyed on ``names`` (a response's own ``Vary``, RFC 9111 4.1)."""
        vary = tuple(sorted({*self.vary, *(name.strip().lower() for name in names)}))
        return Policy(self.ttl, vary, self.shared)

    @classmethod
    def load(cls, raw: bytes) -> "Policy | None":
        try:
            data = json.loads(raw)
            return cls(float(data["ttl"]), tuple(data["vary"]), bool(data["shared"]))
        except (ValueError, KeyError, TypeError):
            return None


@dataclass
class CacheContext:
    """Per request: set by the middleware, filled in by the route's ``Cache``."""

    policy: Policy | None = None
    tags: list[str] = field(default_factory=list)


def url_key(path: str, query_string: bytes, host: str = "") -> str:
    """``GET:<quoted path>?<query sorted by name>|<host>``: equal URLs give equal keys.

    The host comes last so invalidating a path (a key prefix) covers every host.
    """
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    pairs.sort(key=lambda pair: pair[0])  # stable: repeated names keep their order
    return f"GET:{path_key(path)}?{urlencode(pairs)}|{quote(host.lower(), safe=':[]')}"


def path_key(path: str) -> str:
    return quote(path, safe="/:@!$&'()*+,;=-._~")


def variant(policy: Policy, headers: dict[str, str], credential: str | None) -> str:
    """A digest of the request headers the policy varies on, and of the credentials."""
    parts = [f"{name}={headers.get(name, '')}" for name in policy.vary]
    if credential is not None and not policy.shared:
        parts.append("credential=" + credential)
    return hashlib.sha256("\n".join(parts).encode("latin-1", "replace")).hexdigest()[:32]


class Cache:
    """Opt a route in to response caching: ``dependencies=[Depends(Cache(ttl=60))]``.

    ``vary`` names request headers that change the response (``Accept-Language``).
    ``shared=True`` lets one cached response serve every user even when requests
    carry credentials; otherwise authenticated requests get per-credential entries
    (or none, per the settings). ``tags`` may use path parameters, e.g.
    ``"item:{item_id}"``, and name entries for :func:`invalidate`.
    """

    def __init__(
        self,
        ttl: float,
        *,
        vary: Sequence[str] = (),
        shared: bool = False,
        tags: Sequence[str] = (),
    ) -> None:
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl <= 0:
            raise ConfigurationError([f"Cache(ttl={ttl!r}): give a positive number of seconds"])
        bad = [name for name in vary if not _HEADER_NAME.match(name)]
        if isinstance(vary, str) or bad:
            raise ConfigurationError(
                [f"Cache(vary={vary!r}): give a list of header names, e.g. ['Accept-Language']"]
            )
        self.policy = Policy(float(ttl), tuple(sorted(n.lower() for n in vary)), shared)
        self.tags = (tags,) if isinstance(tags, str) else tuple(tags)

    async def __call__(self, request: Request) -> None:
        context = request.scope.get(SCOPE_KEY)
        if not isinstance(context, CacheContext):
            _not_installed.warn("Cache() is used but install_cache(app, ...) was not called")
            return
        context.policy = self.policy
        params = KeepMissing(request.path_params)
        context.tags = [tag.format_map(params) for tag in self.tags]


class KeepMissing(dict[str, object]):
    """Path parameters for ``str.format_map``: a name without a value stays ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
