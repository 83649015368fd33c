"""``ErrorSettings``: the battery's configuration, exception maps included.

The two maps decide which exceptions become something other than a 500:

* ``status_map``: exception classes the application owns (its own, or a
  library's it chose to expose), answered with their status wherever raised.
  A class of Python, its standard library or Pydantic cannot be mapped to a
  4xx here: those are raised for server-side faults too (a ``ValueError`` from
  a config parser, pydantic's serialization error), and a 4xx would blame the
  client for them.
* ``input_status_map``: opt-in 4xx for exceptions raised while the request's
  input is parsed, i.e. inside a dependency marked with
  :func:`~veloxapi.batteries.errors.parses_input`. ``{ValueError: 400}`` lives
  here.

In the environment (``VELOX_ERRORS_STATUS_MAP`` / ``VELOX_ERRORS_INPUT_STATUS_MAP``)
a map is a JSON object whose keys are a built-in exception name (``ValueError``)
or a dotted path (``myapp.errors.OutOfStock``).
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator
from pydantic_settings import SettingsConfigDict

from veloxapi.batteries.settings import BatterySettings

_PLATFORM_PACKAGES = frozenset(sys.stdlib_module_names) | {"pydantic", "pydantic_core"}


def _import_exception_class(value: object) -> object:
    """Before-validator: ``"ValueError"`` or ``"pkg.mod.Class"`` (from the environment)."""
    if not isinstance(value, str):
        return value
    module_name, _, name = value.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name or "builtins"), name)
    except (ImportError, AttributeError):
        raise ValueError(
            f"cannot import {value!r}; write a built-in exception name (ValueError) "
            "or a dotted path (myapp.errors.OutOfStock)"
        ) from None


ExceptionClass = Annotated[type[Exception], BeforeValidator(_import_exception_class)]


def is_platform_exception(exc_class: type[BaseException]) -> bool:
    """Whether Python, its standard library or Pydantic defines ``exc_class``."""
    return exc_class.__module__.partition(".")[0] in _PLATFORM_PACKAGES


def _not_exception_itself(exc_class: type[Exception], field: str) -> list[str]:
    if exc_class is Exception:
        return [
            f"{field} cannot map Exception itself; name the exception classes you mean "
            "(unhandled exceptions already answer 500)"
        ]
    return []


def _status_map_problems(mapping: dict[type[Exception], int]) -> list[str]:
    problems: list[str] = []
    for exc_class, status in mapping.items():
        name = exc_class.__name__
        problems += _not_exception_itself(exc_class, "status_map")
        if not 400 <= status <= 599:
            problems.append(f"status_map[{name}] = {status} is not an error status; use 400 to 599")
        elif status < 500 and is_platform_exception(exc_class):
            problems.append(
                f"status_map[{name}] = {status}: {exc_class.__module__}.{name} is raised for "
                "server-side faults too, and a 4xx would blame the client for them; raise an "
                "exception class of your own (or an APIError subclass) for client errors, or "
                f"put {{{name}: {status}}} in input_status_map and mark the dependencies that "
                "parse input with @parses_input"
            )
    return problems


def _input_map_problems(mapping: dict[type[Exception], int]) -> list[str]:
    problems: list[str] = []
    for exc_class, status in mapping.items():
        problems += _not_exception_itself(exc_class, "input_status_map")
        if not 400 <= status <= 499:
            problems.append(
                f"input_status_map[{exc_class.__name__}] = {status} is not a client error "
                "status; use 400 to 499 (bad input is the client's error)"
            )
    return problems


class ErrorSettings(BatterySettings):
    """Configuration of the errors battery (environment prefix ``VELOX_ERRORS_``)."""

    model_config = SettingsConfigDict(env_prefix="VELOX_ERRORS_")

    problem_json: bool = False
    """Answer RFC 9457 ``application/problem+json`` bodies instead of the plain shape."""
    problem_type_base: str = ""
    """When set, problem ``type`` is this URL plus the error code; otherwise ``about:blank``."""
    uniform_http_errors: bool = True
    """Render ``HTTPException`` and request validation errors in the same shape."""
    client_error_level: Literal["DEBUG", "INFO", "WARNING"] = "INFO"
    """Log level for 4xx errors."""
    status_map: dict[ExceptionClass, int] = Field(default_factory=dict)
    """Application exception classes answered with a status wherever raised."""
    input_status_map: dict[ExceptionClass, int] = Field(default_factory=dict)
    """Exception classes answered with a 4xx when raised by a ``@parses_input`` dependency."""

    @field_validator("status_map")
    @classmethod
    def _check_status_map(cls, value: dict[type[Exception], int]) -> dict[type[Exception], int]:
        problems = _status_map_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("input_status_map")
    @classmethod
    def _check_input_map(cls, value: dict[type[Exception], int]) -> dict[type[Exception], int]:
        problems = _input_map_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value
