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


def load_app(framework: str, which: str) -> Any:
    """The ASGI app of `framework`: the main app ("main") or the 500-route app ("many")."""
    if framework not in _MODULES:
        raise ValueError(f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")
    if framework in ("veloxapi", "batteries"):
        _install_veloxapi_alias()
    module = importlib.import_module(_MODULES[framework])
    app = module.app if which == "main" else module.build_many_routes_app()
    if framework == "batteries":
        from apps.with_batteries import switch_on_batteries

        switch_on_batteries(app)
    if framework == "fastapi_addons":
        from apps.fastapi_addons import switch_on_addons

        switch_on_addons(app)
    return app
