"""Responses: response models and filtering, status codes, response classes, injected
Response, background tasks, 204 and response validation failures."""

import datetime
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from veloxapi import BackgroundTasks, Depends, Response, VeloxAPI, status
from veloxapi.exceptions import ResponseValidationError
from veloxapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    StreamingResponse,
)
from veloxapi.testclient import TestClient


class BaseUser(BaseModel):
    username: str
    email: str


class UserIn(BaseUser):
    password: str


class Item(BaseModel):
    name: str
    description: str | None = None
    price: float
    tax: float = 10.5
    tags: list[str] = []


class Aliased(BaseModel):
    item_name: str = Field(alias="itemName")


ITEMS: dict[str, dict[str, Any]] = {
    "foo": {"name": "Foo", "price": 50.2},
    "bar": {"name": "Bar", "description": None, "price": 62, "tax": 20.2},
    "baz": {"name": "Baz", "description": None, "price": 50.2, "tax": 10.5, "tags": []},
}
SECRET_USER = UserIn(username="ann", email="a@example.com", password="hunter2")


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = VeloxAPI()

    @app.get("/annotated")
    def annotated() -> BaseUser:
        return SECRET_USER

    @app.get("/declared", response_model=BaseUser)
    def declared() -> Any:
        return SECRET_USER

    @app.get("/dict-filtered", response_model=BaseUser)
    def dict_filtered() -> Any:
        return SECRET_USER.model_dump()

    @app.get("/list", response_model=list[BaseUser])
    def as_list() -> Any:
        return [SECRET_USER, SECRET_USER.model_dump()]

    @app.get("/unset/{key}", response_model=Item, response_model_exclude_unset=True)
    def unset(key: str) -> Any:
        return ITEMS[key]

    @app.get("/unset-model", response_model=Item, response_model_exclude_unset=True)
    def unset_model() -> Any:
        return Item(name="M", price=1)

    @app.get("/defaults/{key}", response_model=Item, response_model_exclude_defaults=True)
    def defaults(key: str) -> Any:
        return ITEMS[key]

    @app.get("/none/{key}", response_model=Item, response_model_exclude_none=True)
    def none(key: str) -> Any:
        return ITEMS[key]

    @app.get("/include", response_model=Item, response_model_include={"name", "price"})
    def include() -> Any:
        return ITEMS["bar"]

    @app.get("/exclude", response_model=Item, response_model_exclude={"tax", "tags"})
    def exclude() -> Any:
        return ITEMS["bar"]

    @app.get("/alias", response_model=Aliased)
    def alias() -> Any:
        return {"itemName": "x"}

    @app.get("/no-alias", response_model=Aliased, response_model_by_alias=False)
    def no_alias() -> Any:
        return {"itemName": "x"}

    @app.post("/created", status_code=status.HTTP_201_CREATED)
    def created() -> dict[str, str]:
        return {"created": "yes"}

    @app.get("/text", response_class=PlainTextResponse)
    def text() -> str:
        return "plain text"

    @app.get("/html", response_class=HTMLResponse)
    def html() -> str:
        return "<h1>hi</h1>"

    @app.get("/direct", response_model=BaseUser)
    def direct() -> Any:
        return JSONResponse({"anything": "goes"}, status_code=202, headers={"X-Direct": "1"})

    @app.get("/redirect")
    def redirect() -> RedirectResponse:
        return RedirectResponse("/text")

    @app.get("/encoded")
    def encoded() -> dict[str, Any]:
        return {"when": datetime.datetime(2024, 1, 2, 3, 4, 5), "set": {1}}

    @app.get("/invalid", response_model=Item)
    def invalid() -> Any:
        return {"name": "no price"}

    @app.get("/invalid-annotation")
    def invalid_annotation() -> int:
        return "not an int"  # type: ignore[return-value]

    @app.get("/none-return")
    def none_return() -> None:
        return None

    return TestClient(app)


def test_return_annotation_filters_a_subclass_instance(client: TestClient) -> None:
    assert client.get("/annotated").json() == {"username": "ann", "email": "a@example.com"}


def test_response_model_filters_extra_fields(client: TestClient) -> None:
    expected = {"username": "ann", "email": "a@example.com"}
    assert client.get("/declared").json() == expected
    assert client.get("/dict-filtered").json() == expected
    assert client.get("/list").json() == [expected, expected]


def test_response_model_exclude_unset(client: TestClient) -> None:
    assert client.get("/unset/foo").json() == {"name": "Foo", "price": 50.2}
    assert client.get("/unset/bar").json() == {
        "name": "Bar",
        "description": None,
        "price": 62.0,
        "tax": 20.2,
    }
    assert client.get("/unset-model").json() == {"name": "M", "price": 1.0}


def test_response_model_exclude_defaults(client: TestClient) -> None:
    assert client.get("/defaults/baz").json() == {"name": "Baz", "price": 50.2}


def test_response_model_exclude_none(client: TestClient) -> None:
    assert client.get("/none/bar").json() == {
        "name": "Bar",
        "price": 62.0,
        "tax": 20.2,
        "tags": [],
    }


def test_response_model_include_and_exclude(client: TestClient) -> None:
    assert client.get("/include").json() == {"name": "Bar", "price": 62.0}
    assert client.get("/exclude").json() == {"name": "Bar", "description": None, "price": 62.0}


def test_response_model_by_alias(client: TestClient) -> None:
    assert client.get("/alias").json() == {"itemName": "x"}
    assert client.get("/no-alias").json() == {"item_name": "x"}


def test_status_code_on_decorator(client: TestClient) -> None:
    response = client.post("/created")
    assert response.status_code == 201
    assert response.json() == {"created": "yes"}


def test_response_classes(client: TestClient) -> None:
    response = client.get("/text")
    assert response.text == "plain text"
    assert response.headers["content-type"].startswith("text/plain")
    response = client.get("/html")
    assert response.text == "<h1>hi</h1>"
    assert response.headers["content-type"].startswith("text/html")


def test_returned_response_bypasses_the_response_model(client: TestClient) -> None:
    response = client.get("/direct")
    assert response.status_code == 202
    assert response.json() == {"anything": "goes"}
    assert response.headers["x-direct"] == "1"


def test_redirect_response(client: TestClient) -> None:
    response = client.get("/redirect", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/text"


def test_non_json_values_are_encoded(client: TestClient) -> None:
    assert client.get("/encoded").json() == {"when": "2024-01-02T03:04:05", "set": [1]}


def test_json_content_type(client: TestClient) -> None:
    response = client.get("/none-return")
    assert response.headers["content-type"] == "application/json"
    assert response.json() is None


def test_invalid_response_raises_response_validation_error(client: TestClient) -> None:
    with pytest.raises(ResponseValidationError) as info:
        client.get("/invalid")
    errors = info.value.errors()
    assert errors[0]["type"] == "missing"
    assert errors[0]["loc"] == ("response", "price")


def test_invalid_response_is_a_500_for_the_client(client: TestClient) -> None:
    app = client.app
    quiet = TestClient(app, raise_server_exceptions=False)
    response = quiet.get("/invalid")
    assert response.status_code == 500
    assert "no price" not in response.text
    assert quiet.get("/invalid-annotation").status_code == 500


def test_injected_response_sets_headers_cookies_and_status() -> None:
    app = VeloxAPI()

    def dep(response: Response) -> None:
        response.headers["X-From-Dependency"] = "yes"

    @app.get("/")
    def endpoint(response: Response, _: Annotated[None, Depends(dep)]) -> dict[str, str]:
        response.headers["X-Custom"] = "value"
        response.set_cookie("session", "abc", httponly=True)
        response.status_code = status.HTTP_202_ACCEPTED
        return {"ok": "yes"}

    response = TestClient(app).get("/")
    assert response.status_code == 202
    assert response.json() == {"ok": "yes"}
    assert response.headers["x-custom"] == "value"
    assert response.headers["x-from-dependency"] == "yes"
    assert response.cookies["session"] == "abc"
    assert "HttpOnly" in response.headers["set-cookie"]


def test_injected_response_status_overrides_decorator_status() -> None:
    app = VeloxAPI()

    @app.put("/items/{item_id}", status_code=200)
    def upsert(item_id: str, response: Response) -> dict[str, str]:
        if item_id == "new":
            response.status_code = status.HTTP_201_CREATED
        return {"item_id": item_id}

    client = TestClient(app)
    assert client.put("/items/old").status_code == 200
    assert client.put("/items/new").status_code == 201


def test_injected_response_can_turn_204_into_400_with_body() -> None:
    app = VeloxAPI()

    @app.delete("/{id}", status_code=204, response_model=None)
    async def delete(id: int, response: Response) -> Any:
        response.status_code = 400
        return {"msg": "overwritten", "id": id}

    response = TestClient(app).delete("/1")
    assert response.status_code == 400
    assert response.json() == {"msg": "overwritten", "id": 1}


def test_status_204_has_no_body_and_no_content_length() -> None:
    app = VeloxAPI()

    @app.delete("/items/{item_id}", status_code=204)
    def delete_item(item_id: int) -> None:
        return None

    @app.get("/json-204", status_code=204, response_class=JSONResponse)
    async def json_204() -> None:
        pass

    client = TestClient(app)
    for response in (client.delete("/items/1"), client.get("/json-204")):
        assert response.status_code == 204
        assert response.content == b""
        assert "content-length" not in response.headers


def test_response_model_on_204_is_rejected_at_registration() -> None:
    app = VeloxAPI()
    with pytest.raises(AssertionError, match="204"):

        @app.get("/", status_code=204, response_model=Item)
        def endpoint() -> Any:
            return None  # pragma: no cover


def test_background_tasks_run_after_the_response_body() -> None:
    events: list[str] = []
    app = VeloxAPI()

    def write_log(message: str, suffix: str = "") -> None:
        events.append(f"task {message}{suffix}")

    async def async_task() -> None:
        events.append("async task")

    def dep(background_tasks: BackgroundTasks) -> None:
        background_tasks.add_task(write_log, "from dep")

    @app.post("/notify")
    def notify(
        background_tasks: BackgroundTasks, _: Annotated[None, Depends(dep)]
    ) -> StreamingResponse:
        background_tasks.add_task(write_log, "from endpoint", suffix="!")
        background_tasks.add_task(async_task)

        def body() -> Iterator[bytes]:
            events.append("body sent")
            yield b"done"

        return StreamingResponse(body())

    response = TestClient(app).post("/notify")
    assert response.text == "done"
    assert events == ["body sent", "task from dep", "task from endpoint!", "async task"]


def test_background_tasks_with_plain_return_value() -> None:
    events: list[str] = []
    app = VeloxAPI()

    @app.get("/")
    async def endpoint(tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(events.append, "ran")
        return {"queued": "yes"}

    assert TestClient(app).get("/").json() == {"queued": "yes"}
    assert events == ["ran"]


def test_default_response_class_on_app_and_router() -> None:
    from veloxapi import APIRouter

    app = VeloxAPI(default_response_class=PlainTextResponse)
    router = APIRouter(default_response_class=HTMLResponse)

    @app.get("/app")
    def app_level() -> str:
        return "app"

    @router.get("/router")
    def router_level() -> str:
        return "router"

    @router.get("/own", response_class=JSONResponse)
    def own() -> str:
        return "own"

    app.include_router(router)
    client = TestClient(app)
    assert client.get("/app").headers["content-type"].startswith("text/plain")
    assert client.get("/router").headers["content-type"].startswith("text/html")
    assert client.get("/own").json() == "own"


def test_response_model_reads_attributes_of_plain_objects() -> None:
    class Row:
        def __init__(self) -> None:
            self.username = "orm"
            self.email = "orm@example.com"
            self.password = "hidden"

    app = VeloxAPI()

    @app.get("/row", response_model=BaseUser)
    def row() -> Any:
        return Row()

    @app.get("/rows", response_model=list[BaseUser])
    def rows() -> Any:
        return [Row(), Row()]

    client = TestClient(app)
    expected = {"username": "orm", "email": "orm@example.com"}
    assert client.get("/row").json() == expected
    assert client.get("/rows").json() == [expected, expected]


def test_dataclass_return_value_is_serialized() -> None:
    import dataclasses

    @dataclasses.dataclass
    class Point:
        x: int
        y: int

    app = VeloxAPI()

    @app.get("/typed")
    def typed() -> Point:
        return Point(1, 2)

    @app.get("/untyped")
    def untyped():  # type: ignore[no-untyped-def]
        return Point(3, 4)

    client = TestClient(app)
    assert client.get("/typed").json() == {"x": 1, "y": 2}
    assert client.get("/untyped").json() == {"x": 3, "y": 4}


def test_response_model_exclude_unset_applies_to_nested_models() -> None:
    class Inner(BaseModel):
        a: int = 1
        b: int = 2

    class Outer(BaseModel):
        inner: Inner
        flag: bool = False

    app = VeloxAPI()

    @app.get("/", response_model=Outer, response_model_exclude_unset=True)
    def endpoint() -> Any:
        return Outer(inner=Inner(b=5))

    assert TestClient(app).get("/").json() == {"inner": {"b": 5}}


def test_optional_response_model_accepts_none() -> None:
    app = VeloxAPI()

    @app.get("/maybe/{flag}")
    def maybe(flag: bool) -> BaseUser | None:
        return SECRET_USER if flag else None

    client = TestClient(app)
    assert client.get("/maybe/false").json() is None
    assert client.get("/maybe/true").json() == {"username": "ann", "email": "a@example.com"}


def test_response_header_from_dependency_survives_an_http_exception() -> None:
    app = VeloxAPI()

    @app.get("/")
    def endpoint(response: Response) -> None:
        response.headers["X-Set-Before"] = "1"
        from veloxapi import HTTPException

        raise HTTPException(status_code=400, detail="bad", headers={"X-Own": "2"})

    response = TestClient(app).get("/")
    assert response.status_code == 400
    assert response.headers["x-own"] == "2"
    assert "x-set-before" not in response.headers


def test_background_tasks_run_when_the_endpoint_returns_its_own_response() -> None:
    events: list[str] = []
    app = VeloxAPI()

    @app.get("/")
    def endpoint(tasks: BackgroundTasks) -> PlainTextResponse:
        tasks.add_task(events.append, "task")
        return PlainTextResponse("own")

    assert TestClient(app).get("/").text == "own"
    assert events == ["task"]


@pytest.mark.filterwarnings("ignore:.*JSONResponse is deprecated")
@pytest.mark.parametrize("class_name", ["ORJSONResponse", "UJSONResponse"])
def test_alternative_json_response_classes_with_a_response_model(class_name: str) -> None:
    import veloxapi.responses

    response_class = getattr(veloxapi.responses, class_name)
    app = VeloxAPI()

    @app.get("/", response_model=BaseUser, response_class=response_class)
    def endpoint() -> Any:
        return SECRET_USER

    @app.get("/when", response_class=response_class)
    def when() -> dict[str, Any]:
        return {"at": datetime.date(2024, 5, 6)}

    client = TestClient(app)
    response = client.get("/")
    assert response.json() == {"username": "ann", "email": "a@example.com"}
    assert response.headers["content-type"] == "application/json"
    assert client.get("/when").json() == {"at": "2024-05-06"}
