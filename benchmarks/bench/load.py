"""Import the benchmark app of one framework, inside that framework's virtualenv."""

import importlib
from typing import Any

FRAMEWORKS = (
    "veloxapi",
    "batteries",
    "fastapi",
    "fastapi_addons",
    "litestar",
    "fasterapi",
    "floor",
    "harness",
)
"""``batteries`` is veloxapi serving the same app with every battery switched on;
``fastapi_addons`` is FastAPI with the third-party add-ons for the same features."""
INSTRUCTIONS_ONLY = ("fasterapi", "harness")
"""Measured by instruction counts only (``bench.instructions``), not in the wall-clock run:
the harness is the driver's own cost; FasterAPI is a peer in its own style."""

_MODULES = {
    "veloxapi": "apps.fastapi_style",
    "batteries": "apps.fastapi_style",
    "fastapi": "apps.fastapi_style",
    "fastapi_addons": "apps.fastapi_style",
    "litestar": "apps.litestar_app",
    "fasterapi": "apps.fasterapi_app",
    "floor": "apps.floor_asgi",
    "harness": "apps.harness",
}


def _install_veloxapi_alias() -> None:
    import veloxapi.compat

    veloxapi.compat.install()
    import fastapi

    aliased: Any = fastapi.FastAPI  # typed as FastAPI's own class by its stubs
    if aliased is not veloxapi.FastAPI:  # the alias may report FastAPI's own name
        raise RuntimeError(
            f"after veloxapi.compat.install(), `import fastapi` gives {fastapi.__name__!r}"
            f" ({fastapi.__file__}), not veloxapi; check veloxapi.compat"
        )


WITHOUT, AT = "~", "@"
"""Variants for ``bench.breakdown``: ``batteries~metrics`` is every battery but metrics;
``veloxapi@router`` is veloxapi's app entered at its router (see :func:`_entered_at`)."""
LAYERS = ("stack", "router", "route")


def load_app(framework: str, which: str) -> Any:
    """The ASGI app of `framework`: the main app ("main") or the 500-route app ("many")."""
    if AT in framework:
        base, layer = framework.split(AT, 1)
        if base != "veloxapi" or layer not in LAYERS:
            raise ValueError(f"unknown variant {framework!r}; layers: {', '.join(LAYERS)}")
        return _entered_at(load_app(base, which), layer)
    without = None
    if WITHOUT in framework:
        framework, without = framework.split(WITHOUT, 1)
        if framework != "batteries":
            raise ValueError(f"only batteries can go without one: {framework!r}")
    if framework not in _MODULES:
        raise ValueError(f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")
    if framework in ("veloxapi", "batteries"):
        _install_veloxapi_alias()
    module = importlib.import_module(_MODULES[framework])
    app = module.app if which == "main" else module.build_many_routes_app()
    if framework == "batteries":
        from apps.with_batteries import switch_on_batteries

        switch_on_batteries(app, without=without)
    if framework == "fastapi_addons":
        from apps.fastapi_addons import switch_on_addons

        switch_on_addons(app)
    return app


def _entered_at(app: Any, layer: str) -> Any:
    """``app`` entered below its own ``__call__``: at its middleware stack ("stack"), its
    router ("router"), or the route that serves the request ("route", found once, at the
    first request, as the router would find it). What the skipped layers put in the scope
    is put there here; lifespan goes through the whole app."""
    found: dict[str, Any] = {}

    async def entered(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await app(scope, receive, send)
            return
        scope["app"] = app
        if layer == "stack":
            await app.middleware_stack(scope, receive, send)
        elif layer == "router":
            await app.router.entry()(scope, receive, send)  # what the stack calls
        else:
            if not found:
                route, child = app.router._index.find(app.router.routes, scope)
                found.update(route=route, child=child)
            scope["router"] = app.router
            scope["route"] = found["route"]
            scope.update(found["child"])
            await found["route"].app(scope, receive, send)

    return entered
