"""The OpenAPI body of forms mixing Pydantic models with other form parameters."""

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from veloxapi import Depends, FastAPI, File, Form
from veloxapi.testclient import TestClient


def _form_schema(app: FastAPI, media_type: str = "application/x-www-form-urlencoded") -> Any:
    document = app.openapi()
    ref = document["paths"]["/"]["post"]["requestBody"]["content"][media_type]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_models_of_one_parameter_name_in_a_dependency_are_both_described() -> None:
    app = FastAPI()

    class First(BaseModel):
        first: int

    class Second(BaseModel):
        second: int

    def dependency(data: Annotated[First, Form()]) -> First:
        return data

    @app.post("/")
    def submit(
        data: Annotated[Second, Form()], first: Annotated[First, Depends(dependency)]
    ) -> list[Any]:
        return [first, data]

    response = TestClient(app).post("/", data={"first": "1", "second": "2"})
    assert response.json() == [{"first": 1}, {"second": 2}]
    assert _form_schema(app)["allOf"] == [
        {"$ref": "#/components/schemas/Second"},
        {"$ref": "#/components/schemas/First"},
    ]


def test_a_field_sent_under_a_taken_name_adds_a_condition() -> None:
    app = FastAPI()

    class Profile(BaseModel):
        name: str

    @app.post("/")
    def submit(
        profile: Annotated[Profile, Form()],
        files: Annotated[list[bytes], File()],
        last: Annotated[bytes, File(alias="files")],
    ) -> int:
        return len(files)

    schema = _form_schema(app, "multipart/form-data")
    assert schema["properties"]["files"]["type"] == "array"
    assert schema["required"] == ["files"]
    assert schema["allOf"][0] == {"$ref": "#/components/schemas/Profile"}
    condition = schema["allOf"][1]["properties"]["files"]
    assert (condition["type"], condition["title"]) == ("string", "Last")


def test_a_model_also_read_by_field_name_is_described_inline_for_the_form() -> None:
    app = FastAPI()

    class First(BaseModel):
        model_config = ConfigDict(populate_by_name=True)
        value: int = Field(alias="first")
        shared: int = 10

    class Second(BaseModel):
        other: int

    @app.post("/")
    def submit(first: Annotated[First, Form()], second: Annotated[Second, Form()]) -> int:
        return first.value

    assert TestClient(app).post("/", data={"value": "1", "other": "2"}).json() == 1
    component = app.openapi()["components"]["schemas"]["First"]
    assert _form_schema(app)["allOf"] == [
        {
            **component,
            "required": [],
            "allOf": [{"anyOf": [{"required": ["first"]}, {"required": ["value"]}]}],
        },
        {"$ref": "#/components/schemas/Second"},
    ]


def test_an_absent_optional_model_has_none_of_the_names_it_reads() -> None:
    app = FastAPI()

    class Filters(BaseModel):
        model_config = ConfigDict(populate_by_name=True)
        tag: str = Field(validation_alias=AliasChoices("tag", "label"))
        size: int = Field(alias="page_size")

    @app.post("/")
    def submit(
        token: Annotated[str, Form()], filters: Annotated[Filters | None, Form()] = None
    ) -> str:
        return token

    absent = _form_schema(app)["allOf"][0]["anyOf"][0]
    names = ["label", "page_size", "size", "tag"]
    assert absent == {"not": {"anyOf": [{"required": [name]} for name in names]}}
