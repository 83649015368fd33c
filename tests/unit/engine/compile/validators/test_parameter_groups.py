"""Pydantic models read as groups of query/header/cookie/form parameters, form and file
edge cases, alias choices and JSON bodies that aren't objects."""

from typing import Annotated, Literal

import pytest
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, Json

from veloxapi import Body, Cookie, FastAPI, File, Form, Header, Path, Query, UploadFile
from veloxapi.testclient import TestClient

EMPTY_FILE_INPUT = (
    b"--b\r\n"
    b'Content-Disposition: form-data; name="file"; filename=""\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n"
    b"\r\n--b--\r\n"
)


class Filters(BaseModel):
    term: str
    tags: list[str] = Field(default_factory=list)


def test_optional_query_model_is_none_until_one_of_its_fields_is_sent() -> None:
    app = FastAPI()

    @app.get("/")
    def read(filters: Annotated[Filters | None, Query()] = None, limit: int = 10) -> object:
        return filters

    client = TestClient(app)
    assert client.get("/", params={"limit": "5"}).json() is None
    assert client.get("/", params={"term": "", "tags": ["a", "b"]}).json() == {
        "term": "",
        "tags": ["a", "b"],
    }
    response = client.get("/", params={"tags": "a"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "term"]


def test_required_nullable_model_reports_the_whole_group_missing() -> None:
    app = FastAPI()

    @app.get("/")
    def read(filters: Annotated[Filters | None, Query()]) -> object:
        return filters  # pragma: no cover

    response = TestClient(app).get("/")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "missing", "loc": ["query"], "msg": "Field required", "input": None}
    ]


@pytest.mark.parametrize("extra", ["ignore", "allow", "forbid"])
def test_unknown_keys_reach_the_model_for_its_extra_setting(extra: str) -> None:
    class Model(BaseModel):
        model_config = ConfigDict(extra=extra)  # type: ignore[typeddict-item]
        term: str = "default"

    app = FastAPI()

    @app.get("/")
    def read(model: Annotated[Model, Query()]) -> object:
        return model

    response = TestClient(app).get("/", params=[("other", "1"), ("other", "2")])
    if extra == "forbid":
        assert response.status_code == 422
        assert response.json()["detail"][0]["type"] == "extra_forbidden"
        assert response.json()["detail"][0]["loc"] == ["query", "other"]
    else:
        assert response.status_code == 200
        expected = {"term": "default", "other": ["1", "2"]} if extra == "allow" else {}
        assert response.json() == {"term": "default", **expected}


def test_header_model_reads_and_reports_hyphenated_names() -> None:
    class Headers(BaseModel):
        x_user_id: int

    app = FastAPI()

    @app.get("/")
    def read(headers: Annotated[Headers, Header()]) -> object:
        return headers

    client = TestClient(app)
    assert client.get("/", headers={"x-user-id": "1", "x_user_id": "2"}).json() == {"x_user_id": 1}
    response = client.get("/", headers={"x_user_id": "2"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "x-user-id"]


def test_cookie_model_uses_alias_choices() -> None:
    class Cookies(BaseModel):
        session: int = Field(validation_alias=AliasChoices("sid", "legacy_sid"))

    app = FastAPI()

    @app.get("/")
    def read(cookies: Annotated[Cookies | None, Cookie()] = None) -> object:
        return cookies

    client = TestClient(app)
    assert client.get("/", headers={"cookie": "legacy_sid=3"}).json() == {"session": 3}
    response = client.get("/", headers={"cookie": "legacy_sid=bad"})
    assert response.json()["detail"][0]["loc"] == ["cookie", "legacy_sid"]


class TextForm(BaseModel):
    kind: Literal["text"]
    value: str


class ListForm(BaseModel):
    kind: Literal["list"]
    value: list[str]


def test_form_union_members_each_see_their_own_shape() -> None:
    app = FastAPI()

    @app.post("/")
    def read(data: Annotated[TextForm | ListForm | None, Form()] = None) -> object:
        return data

    client = TestClient(app)
    assert client.post("/").json() is None
    assert client.post("/", data={"unknown": "x"}).json() is None
    assert client.post("/", data={"kind": "list", "value": "one"}).json() == {
        "kind": "list",
        "value": ["one"],
    }
    assert client.post("/", data={"kind": "text", "value": "one"}).json() == {
        "kind": "text",
        "value": "one",
    }
    response = client.post("/", data={"kind": "text", "value": ""})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "TextForm", "value"]


def test_form_union_member_keeps_alias_choices_after_the_one_used_as_extras() -> None:
    app = FastAPI()

    class Aliased(BaseModel):
        model_config = ConfigDict(extra="forbid")
        kind: Literal["aliased"]
        value: str = Field(validation_alias=AliasChoices("primary", "secondary"))

    @app.post("/")
    def read(data: Annotated[Aliased | ListForm, Form()]) -> object:
        return data

    client = TestClient(app)
    response = client.post("/", data={"kind": "aliased", "primary": "", "secondary": "hi"})
    assert response.json() == {"kind": "aliased", "value": "hi"}  # an empty choice is unsent
    response = client.post("/", data={"kind": "aliased", "primary": "hi", "secondary": ""})
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(e["type"] == "extra_forbidden" and e["loc"][-1] == "secondary" for e in errors)


@pytest.mark.parametrize(("mode", "chosen"), [("smart", "Detailed"), ("left_to_right", "Simple")])
def test_form_union_mode_given_by_a_field_beside_the_declaration(
    mode: Literal["smart", "left_to_right"], chosen: str
) -> None:
    app = FastAPI()

    class Simple(BaseModel):
        value: str

    class Detailed(BaseModel):
        value: str
        count: int

    @app.post("/")
    def read(data: Annotated[Simple | Detailed, Field(union_mode=mode), Form()]) -> str:
        return type(data).__name__

    assert TestClient(app).post("/", data={"value": "x", "count": "2"}).json() == chosen


def test_file_input_with_nothing_selected_counts_as_absent() -> None:
    app = FastAPI()

    @app.post("/")
    def read(file: Annotated[bytes | None, File()] = None) -> object:
        return None if file is None else len(file)

    client = TestClient(app)
    headers = {"content-type": "multipart/form-data; boundary=b"}
    assert client.post("/", content=EMPTY_FILE_INPUT, headers=headers).json() is None
    assert client.post("/", files={"file": ("empty.txt", b"")}).json() == 0


def test_file_input_with_nothing_selected_still_sends_an_optional_form_model() -> None:
    app = FastAPI()

    class Attachment(BaseModel):
        file: UploadFile

    @app.post("/")
    def read(attachment: Annotated[Attachment | None, Form()] = None) -> object:
        return None if attachment is None else attachment.file.filename

    client = TestClient(app)
    assert client.post("/").json() is None
    assert client.post("/", files={"file": ("empty.txt", b"")}).json() == "empty.txt"
    headers = {"content-type": "multipart/form-data; boundary=b"}
    response = client.post("/", content=EMPTY_FILE_INPUT, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_uploads_read_as_bytes_stay_readable() -> None:
    app = FastAPI()

    @app.post("/")
    async def read(
        data: Annotated[bytes, File(alias="file")],
        upload: Annotated[UploadFile, File(alias="file")],
    ) -> object:
        return [data.decode(), (await upload.read()).decode()]

    assert TestClient(app).post("/", files={"file": ("a.txt", b"abc")}).json() == ["abc", "abc"]


@pytest.mark.parametrize("template", ["/{item_id}", "/{id}"])
def test_path_alias_choices_follow_the_route_template(template: str) -> None:
    app = FastAPI()

    @app.get(template)
    def read(value: Annotated[int, Path(validation_alias=AliasChoices("item_id", "id"))]) -> int:
        return value

    client = TestClient(app)
    assert client.get("/7").json() == 7
    response = client.get("/x")
    assert response.json()["detail"][0]["loc"] == ["path", template.strip("/{}")]


def test_json_typed_parameter_is_one_value() -> None:
    app = FastAPI()

    @app.get("/")
    def read(items: Annotated[Json[list[int]], Query()]) -> list[int]:
        return items

    assert TestClient(app).get("/", params={"items": "[1, 2]"}).json() == [1, 2]


def test_embedded_body_that_is_not_an_object_misses_every_field() -> None:
    app = FastAPI()

    @app.post("/")
    def read(a: Annotated[int, Body()] = 1, b: Annotated[int, Body()] = 2) -> object:
        return [a, b]

    client = TestClient(app)
    assert client.post("/").json() == [1, 2]
    response = client.post("/", content="null", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "a"], ["body", "b"]]


def test_plain_field_declaration_keeps_the_inferred_source() -> None:
    app = FastAPI()

    @app.post("/")
    def read(
        numbers: Annotated[list[int], Field(alias="nums", min_length=1)],
        count: Annotated[int, Field(gt=0)] = 1,
    ) -> object:
        return [numbers, count]

    client = TestClient(app)
    assert client.post("/", params={"count": "3"}, json=[4]).json() == [[4], 3]
    response = client.post("/", json=[])
    assert response.json()["detail"][0]["loc"] == ["body"]
