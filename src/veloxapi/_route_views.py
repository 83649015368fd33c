"""What FastAPI's routes expose to libraries, as views of what veloxapi analysed.

``route.dependant`` is the FastAPI-shaped tree of the endpoint (made on first
access); ``route.body_field``, ``route._embed_body_fields`` and
``route.response_field`` describe the request body and the response model as
FastAPI's internals do. Libraries edit ``route.dependant`` (fastapi-pagination
adds a dependency, fastapi-jsonrpc moves parameters): the route compiles its
plan from the edited tree, and its OpenAPI operation describes it, from the
next compilation on — the first request, a change of dependency overrides, or
a call of ``route.get_route_handler()``, which is how libraries apply edits.
"""

from __future__ import annotations

from typing import Any

from pydantic.fields import FieldInfo

from veloxapi._compat import ModelField
from veloxapi._engine.compile import analysis
from veloxapi.dependencies._views import analysed_of, view_of
from veloxapi.dependencies.models import Dependant
from veloxapi.dependencies.utils import (
    _get_body_field,
    _get_flat_body_params,
    _should_embed_body_fields,
)

_UNSET: Any = object()


class RouteViews:
    """Mixin for routes holding an analysed endpoint in ``_analysed``."""

    _analysed: analysis.Dependant
    _view: Dependant | None = None
    _body_field: Any = _UNSET
    _embed: Any = _UNSET
    _response_field: Any = _UNSET
    unique_id: str
    response_model: Any = None

    def _views_changed(self) -> None:
        """Forget what was compiled from the tree (the plan); overridden by the route."""

    @property
    def dependant(self) -> Dependant:
        """The endpoint's dependency tree, FastAPI-shaped; edits apply from the next compile."""
        if self._view is None:
            self._view = view_of(self._analysed)
        return self._view

    @dependant.setter
    def dependant(self, value: Dependant) -> None:
        self._view = value
        self._body_field = self._embed = _UNSET
        self._views_changed()

    def planned_dependant(self) -> analysis.Dependant:
        """The tree to compile and describe: the analysed one, or the view as edited."""
        return self._analysed if self._view is None else analysed_of(self._view)

    @property
    def _embed_body_fields(self) -> bool:
        if self._embed is _UNSET:
            self._embed = _should_embed_body_fields(_get_flat_body_params(self.dependant))
        return bool(self._embed)

    @_embed_body_fields.setter
    def _embed_body_fields(self, value: bool) -> None:
        self._embed = value

    @property
    def body_field(self) -> ModelField | None:
        """One field describing the request body (None without one)."""
        if self._body_field is _UNSET:
            self._body_field = _get_body_field(
                body_params=_get_flat_body_params(self.dependant),
                name=self.unique_id,
                embed_body_fields=self._embed_body_fields,
            )
        return self._body_field  # type: ignore[no-any-return]

    @body_field.setter
    def body_field(self, value: ModelField | None) -> None:
        self._body_field = value

    @property
    def response_field(self) -> ModelField | None:
        """The response model as a field (None without one)."""
        if self._response_field is _UNSET:
            model = self.response_model
            self._response_field = (
                None
                if not model  # a falsy model such as {} is no model, as in FastAPI
                else ModelField(
                    field_info=FieldInfo(annotation=model),
                    name=f"Response_{self.unique_id}",
                    mode="serialization",
                )
            )
        return self._response_field  # type: ignore[no-any-return]

    @response_field.setter
    def response_field(self, value: ModelField | None) -> None:
        self._response_field = value
