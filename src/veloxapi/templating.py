"""Jinja2 template responses (Starlette's ``Jinja2Templates``)."""

try:
    import jinja2  # noqa: F401 - only checks that the optional dependency is present
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        'veloxapi.templating needs jinja2: pip install "veloxapi[standard]" (or jinja2)'
    ) from exc

from starlette.templating import Jinja2Templates as Jinja2Templates

__all__ = ["Jinja2Templates"]
