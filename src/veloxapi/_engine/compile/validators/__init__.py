"""Validators built once per dependant and parameter source.

All query parameters of a dependant are validated by one generated Pydantic
model in one call, likewise its headers, cookies and path parameters; a
Pydantic model used as a group of parameters validates the same way. Errors
come back shaped as FastAPI shows them: ``loc`` starts with the source, and a
missing top-level value reports ``input: None``.

One module per idea: ``fields`` (shared pieces), ``params``, ``model_groups``,
``body`` and ``forms``.
"""

from veloxapi._engine.compile.validators.body import EmbeddedBodyValidator, SingleBodyValidator
from veloxapi._engine.compile.validators.fields import (
    ErrorList,
    lookup_names,
    missing_error,
    shape_errors,
)
from veloxapi._engine.compile.validators.forms import FormValidator, form_fields, read_upload_bytes
from veloxapi._engine.compile.validators.model_groups import ModelGroupValidator
from veloxapi._engine.compile.validators.params import ParamGroupValidator

__all__ = [
    "EmbeddedBodyValidator",
    "ErrorList",
    "FormValidator",
    "ModelGroupValidator",
    "ParamGroupValidator",
    "SingleBodyValidator",
    "form_fields",
    "lookup_names",
    "missing_error",
    "read_upload_bytes",
    "shape_errors",
]
