"""Settings for the batteries: environment variables in, one clear error out.

Every battery has a settings class derived from :class:`BatterySettings` that
reads ``VELOX_<BATTERY>_<FIELD>`` environment variables. :func:`load_settings`
builds one and, instead of Pydantic's error, returns the problems as lines that
name the environment variable to fix; :class:`ConfigurationError` carries all
problems of all batteries so start-up fails once, with the whole list.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, ValidationError

from veloxapi.exceptions import FastAPIError

try:
    from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "The veloxapi batteries read their settings with pydantic-settings: "
        'pip install "veloxapi[settings]"'
    ) from exc

SettingsT = TypeVar("SettingsT", bound=BaseSettings)

_SECRET_WORDS = (
    "secret",
    "password",
    "passwd",
    "passphrase",
    "token",
    "key",
    "dsn",
    "url",
)
_HIDDEN = "(value hidden)"


class ConfigurationError(FastAPIError):
    """One or more batteries are misconfigured; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        header = f"{count} configuration problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))


class BatterySettings(BaseSettings):
    """Base of the battery settings: environment-driven, frozen, typo-proof.

    Keyword arguments given in code win over the environment. Unknown keyword
    arguments are errors, and so are unknown variables under the battery's
    prefix (a misspelt ``VELOX_METRICS_TOKN`` would otherwise be ignored).
    """

    model_config = SettingsConfigDict(extra="forbid", frozen=True)


def env_prefix(settings_cls: type[BaseSettings]) -> str:
    return str(settings_cls.model_config.get("env_prefix", "")).upper()


def env_name(settings_cls: type[BaseSettings], field: str) -> str:
    """The environment variable that sets ``field`` of ``settings_cls``."""
    info = settings_cls.model_fields.get(field)
    if info is not None and isinstance(info.validation_alias, str):
        return info.validation_alias.upper()
    return f"{env_prefix(settings_cls)}{field}".upper()


def _secret_name(name: object) -> bool:
    """Whether a field or key name suggests its value is secret (``db_password``, ``apiKey``)."""
    return isinstance(name, str) and any(word in name.lower() for word in _SECRET_WORDS)


def _looks_secret(settings_cls: type[BaseSettings], loc: Sequence[object]) -> bool:
    """Whether the value at ``loc`` is secret: a SecretStr field, or a secret name on the way."""
    info = settings_cls.model_fields.get(str(loc[0]))
    if info is not None and "SecretStr" in repr(info.annotation):
        return True
    return any(_secret_name(part) for part in loc)


def redact(value: object) -> object:
    """``value`` with the values under secret-looking keys hidden, at every depth."""
    if isinstance(value, Mapping):
        return {key: _HIDDEN if _secret_name(key) else redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def _describe(settings_cls: type[BaseSettings], error: Any) -> str:
    loc = list(error["loc"])
    if not loc:
        return f"{settings_cls.__name__}: {error['msg']}"
    name = env_name(settings_cls, str(loc[0]))
    where = name if len(loc) == 1 else f"{name} (at {'.'.join(map(str, loc[1:]))})"
    if error["type"] == "missing":
        return f"{where} is required but not set"
    if error["type"] == "extra_forbidden":
        if len(loc) == 1:
            return f"{settings_cls.__name__}() got an unknown argument {loc[0]!r}"
        return f"{where}: {loc[-1]!r} is not a known field"
    hidden = _looks_secret(settings_cls, loc)
    shown = _HIDDEN if hidden else repr(redact(error["input"]))
    return f"{where}={shown}: {error['msg']}"


def _unknown_variables(settings_cls: type[BaseSettings]) -> list[str]:
    prefix = env_prefix(settings_cls)
    if not prefix:
        return []
    known = {env_name(settings_cls, field) for field in settings_cls.model_fields}
    stray = sorted(
        key for key in os.environ if key.upper().startswith(prefix) and key.upper() not in known
    )
    choices = ", ".join(sorted(known))
    return [f"{key} is not a known setting; known variables are: {choices}" for key in stray]


def build_settings(
    settings_cls: type[SettingsT], **overrides: Any
) -> tuple[SettingsT | None, list[str]]:
    """Build ``settings_cls``; return it, or ``None`` and every problem as a readable line."""
    problems = _unknown_variables(settings_cls)
    try:
        settings = settings_cls(**overrides)
    except ValidationError as exc:
        problems.extend(_describe(settings_cls, err) for err in exc.errors())
        return None, problems
    except SettingsError as exc:
        problems.append(f"{settings_cls.__name__}: {exc}")
        return None, problems
    return (None, problems) if problems else (settings, [])


def load_settings(settings_cls: type[SettingsT], **overrides: Any) -> SettingsT:
    """Build ``settings_cls`` from the environment or raise :class:`ConfigurationError`."""
    settings, problems = build_settings(settings_cls, **overrides)
    if settings is None:
        raise ConfigurationError(problems)
    return settings


def split_csv(value: object) -> object:
    """Before-validator: ``"a, b"`` from the environment becomes ``["a", "b"]``."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(split_csv)]
"""A settings field of strings, written comma-separated in the environment."""
