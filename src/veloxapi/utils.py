"""Helpers FastAPI users import from ``fastapi.utils``."""

from veloxapi.exception_handlers import is_body_allowed_for_status_code
from veloxapi.routing import generate_unique_id

__all__ = ["generate_unique_id", "is_body_allowed_for_status_code"]
