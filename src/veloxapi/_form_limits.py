"""FastAPI's module path for the form-limits type (``fastapi._form_limits._FormLimits``)."""

from veloxapi._request_limits import FormLimits as _FormLimits

__all__ = ["_FormLimits"]
