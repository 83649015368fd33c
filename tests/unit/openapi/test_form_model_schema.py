"""The OpenAPI body of a form model that declares no fields."""

from typing import Any

from pydantic import BaseModel

from veloxapi import FastAPI, Form
from veloxapi.testclient import TestClient


class Empty(BaseModel):
    pass


def _body_schema(app: FastAPI) -> dict[str, Any]:
    schemas: dict[str, Any] = app.openapi()["components"]["schemas"]
    return next(schema for name, schema in schemas.items() if name.startswith("Body_"))


def test_optional_model_without_fields_is_absent_for_any_form() -> None:
    app = FastAPI()

    @app.post("/")
    def submit(model: Empty | None = Form(default=None)) -> Empty | None:
        return model

    assert TestClient(app).post("/").status_code == 200
    present = {"anyOf": [{"$ref": "#/components/schemas/Empty"}], "title": "Model"}
    assert _body_schema(app)["allOf"] == [{"anyOf": [{}, present]}]


def test_required_model_without_fields_is_never_absent() -> None:
    app = FastAPI()

    @app.post("/")
    def submit(model: Empty | None = Form()) -> Empty | None:
        return model

    assert TestClient(app).post("/").status_code == 422
    present = {"anyOf": [{"$ref": "#/components/schemas/Empty"}], "title": "Model"}
    assert _body_schema(app)["allOf"] == [{"not": {}}, present]
