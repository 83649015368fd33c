"""The name and title each parameter is documented under, aliases and alias choices included."""

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from veloxapi import Cookie, FastAPI, Header, Path, Query


def _parameters(app: FastAPI, path: str) -> list[tuple[str, str, str]]:
    parameters: list[dict[str, Any]] = app.openapi()["paths"][path]["get"]["parameters"]
    return [(p["in"], p["name"], p["schema"]["title"]) for p in parameters]


def test_alias_choices_document_the_first_choice_and_title_from_it() -> None:
    app = FastAPI()

    @app.get("/")
    def read(
        value: Annotated[int, Query(alias="ignored", validation_alias=AliasChoices("first", "x"))],
        token: Annotated[
            int, Header(alias="ignored", validation_alias=AliasChoices("X-Token", "X-Key"))
        ],
        session: Annotated[
            int, Cookie(alias="ignored", validation_alias=AliasChoices("session", "old"))
        ],
        titled: Annotated[int, Query(validation_alias=AliasChoices("t", "u"), title="Mine")],
    ) -> int:
        return value

    assert _parameters(app, "/") == [
        ("query", "first", "First"),
        ("query", "t", "Mine"),
        ("header", "X-Token", "X-Token"),
        ("cookie", "session", "Session"),
    ]


def test_a_path_parameter_takes_the_choice_in_the_path_else_its_name() -> None:
    app = FastAPI()

    @app.get("/in/{second}")
    def in_path(
        value: Annotated[int, Path(validation_alias=AliasChoices("first", "second"))],
    ) -> int:
        return value

    @app.get("/out/{value}")
    def not_in_path(
        value: Annotated[int, Path(validation_alias=AliasChoices("first", "second"))],
    ) -> int:
        return value

    assert _parameters(app, "/in/{second}") == [("path", "second", "Second")]
    assert _parameters(app, "/out/{value}") == [("path", "value", "Value")]


def test_a_model_not_validated_by_alias_documents_its_field_names() -> None:
    app = FastAPI()

    class Model(BaseModel):
        model_config = ConfigDict(validate_by_alias=False)
        int_value: Annotated[int, Field(alias="legacy")]

    @app.get("/query")
    def read_query(data: Annotated[Model, Query()]) -> Model:
        return data

    @app.get("/header")
    def read_header(data: Annotated[Model, Header()]) -> Model:
        return data

    assert _parameters(app, "/query") == [("query", "int_value", "Int Value")]
    assert _parameters(app, "/header") == [("header", "int-value", "Int Value")]


def test_model_fields_with_alias_choices_document_the_first_choice() -> None:
    app = FastAPI()

    class Model(BaseModel):
        value: Annotated[int, Field(alias="ignored", validation_alias=AliasChoices("X-A", "X-B"))]
        items: list[str] = Field(["default"], validation_alias=AliasChoices("items", "tag"))

    @app.get("/")
    def read(data: Annotated[Model, Header()]) -> int:
        return data.value

    assert _parameters(app, "/") == [("header", "X-A", "X-A"), ("header", "items", "Items")]
