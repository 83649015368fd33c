"""A parameter declared over a ``Field()``: what the document inherits from the Field."""

from typing import Annotated, Any

from pydantic import Field

from veloxapi import Body, FastAPI, Query

Count = Annotated[
    int,
    Field(
        description="From Field",
        examples=[1],
        deprecated=True,
        json_schema_extra={"x-source": "field", "x-kept": True},
    ),
]


def _query_parameters(app: FastAPI) -> dict[str, Any]:
    parameters = app.openapi()["paths"]["/"]["get"]["parameters"]
    return {p["name"]: p for p in parameters}


def test_a_bare_declaration_inherits_examples_deprecation_and_extra() -> None:
    app = FastAPI()

    @app.get("/")
    def read(count: Annotated[Count, Query()]) -> int:
        return count

    parameter = _query_parameters(app)["count"]
    assert parameter["deprecated"] is True
    assert parameter["schema"] == {
        "type": "integer",
        "title": "Count",
        "description": "From Field",
        "deprecated": True,
        "examples": [1],
        "x-source": "field",
        "x-kept": True,
    }


def test_the_declaration_wins_and_its_extra_is_merged_over_the_fields() -> None:
    app = FastAPI()

    @app.get("/")
    def read(
        count: Annotated[
            Count, Query(examples=[2], deprecated=False, json_schema_extra={"x-source": "query"})
        ],
    ) -> int:
        return count

    parameter = _query_parameters(app)["count"]
    assert "deprecated" not in parameter
    assert parameter["schema"]["examples"] == [2]
    assert (parameter["schema"]["x-source"], parameter["schema"]["x-kept"]) == ("query", True)


def test_settings_given_as_none_drop_the_fields() -> None:
    app = FastAPI()

    @app.post("/")
    def read(
        count: Annotated[
            Count,
            Body(description=None, examples=None, deprecated=None, json_schema_extra=None),
        ],
        other: Annotated[int, Body()],
    ) -> int:
        return count

    body = app.openapi()["components"]["schemas"]["Body_read__post"]
    assert body["properties"]["count"] == {"type": "integer", "title": "Count"}


def test_json_schema_extra_not_given_is_unset_and_none_is_set() -> None:
    assert "json_schema_extra" not in Query()._attributes_set
    assert Query(json_schema_extra=None)._attributes_set["json_schema_extra"] is None
    assert Query().json_schema_extra is None
