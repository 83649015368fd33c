"""The app factory uvicorn imports in each worker and reload process.

``velox dev`` / ``velox run`` resolve the application once in the command's
own process (to report problems before anything starts), then hand uvicorn the
import string ``veloxapi.cli._loader:load_app`` with ``factory=True``. The
target travels in the ``VELOX_APP_TARGET`` environment variable, which worker
and reload subprocesses inherit, so each of them imports the same app the same
way, including ``--compat`` (the ``fastapi`` alias is installed in every
process before the user's module is imported).
"""

from __future__ import annotations

import json
import os
from typing import Any

from veloxapi.cli._discovery import AppTarget, import_app

TARGET_ENV = "VELOX_APP_TARGET"
LOADER = f"{__name__}:load_app"


def export_target(target: AppTarget, *, compat: bool) -> None:
    """Record the resolved target for the processes uvicorn starts."""
    os.environ[TARGET_ENV] = json.dumps(
        {
            "module": target.module,
            "attribute": target.attribute,
            "app_dir": target.app_dir,
            "compat": compat,
        }
    )


def load_app() -> Any:
    """uvicorn's factory: the app named by ``VELOX_APP_TARGET``."""
    raw = os.environ.get(TARGET_ENV)
    if not raw:
        raise RuntimeError(
            f"{TARGET_ENV} is not set: {LOADER} is started by 'velox dev' / 'velox run'"
        )
    data = json.loads(raw)
    target = AppTarget(module=data["module"], attribute=data["attribute"], app_dir=data["app_dir"])
    app, _ = import_app(target, compat=bool(data["compat"]))
    return app


__all__ = ["LOADER", "TARGET_ENV", "export_target", "load_app"]
