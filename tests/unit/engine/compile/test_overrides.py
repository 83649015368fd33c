"""dependency_overrides: replacing dependencies at run time, including sub-dependencies."""

from collections.abc import Iterator
from typing import Annotated, Any

from veloxapi import APIRouter, Depends, Header, VeloxAPI
from veloxapi.testclient import TestClient


def common_parameters(q: str | None = None, skip: int = 0, limit: int = 100) -> dict[str, Any]:
    return {"q": q, "skip": skip, "limit": limit}


def real_user() -> str:
    return "real"


def user_name(user: Annotated[str, Depends(real_user)]) -> str:
    return f"name:{user}"


def build_app() -> VeloxAPI:
    app = VeloxAPI()
    router = APIRouter(prefix="/r", dependencies=[Depends(real_user)])

    @app.get("/items")
    def items(commons: Annotated[dict[str, Any], Depends(common_parameters)]) -> dict[str, Any]:
        return {"in": "items", "params": commons}

    @app.get("/name")
    def name(value: Annotated[str, Depends(user_name)]) -> str:
        return value

    @router.get("/who")
    def who(user: Annotated[str, Depends(real_user)]) -> str:
        return user

    app.include_router(router)
    return app


def test_override_replaces_the_dependency_and_its_parameters() -> None:
    app = build_app()
    client = TestClient(app)
    assert client.get("/items?q=x&skip=1").json() == {
        "in": "items",
        "params": {"q": "x", "skip": 1, "limit": 100},
    }

    def override(q: str | None = None) -> dict[str, Any]:
        return {"q": q, "overridden": True}

    app.dependency_overrides[common_parameters] = override
    assert client.get("/items?q=y&skip=abc").json() == {
        "in": "items",
        "params": {"q": "y", "overridden": True},
    }
    app.dependency_overrides.clear()
    assert client.get("/items?skip=abc").status_code == 422
    assert client.get("/items").json()["params"] == {"q": None, "skip": 0, "limit": 100}


def test_override_of_a_sub_dependency() -> None:
    app = build_app()
    client = TestClient(app)
    assert client.get("/name").json() == "name:real"
    app.dependency_overrides[real_user] = lambda: "fake"
    assert client.get("/name").json() == "name:fake"
    assert client.get("/r/who").json() == "fake"
    del app.dependency_overrides[real_user]
    assert client.get("/name").json() == "name:real"
    assert client.get("/r/who").json() == "real"


def test_override_changed_between_requests_takes_effect() -> None:
    app = build_app()
    client = TestClient(app)
    app.dependency_overrides[real_user] = lambda: "first"
    assert client.get("/name").json() == "name:first"
    app.dependency_overrides[real_user] = lambda: "second"
    assert client.get("/name").json() == "name:second"


def test_override_can_require_new_parameters() -> None:
    app = build_app()
    client = TestClient(app)

    def header_user(x_user: Annotated[str, Header()]) -> str:
        return x_user

    app.dependency_overrides[real_user] = header_user
    assert client.get("/name", headers={"X-User": "h"}).json() == "name:h"
    response = client.get("/name")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "x-user"]


def test_override_with_yield_dependency_cleans_up() -> None:
    app = build_app()
    events: list[str] = []

    def yielding_user() -> Iterator[str]:
        events.append("enter")
        yield "y"
        events.append("exit")

    app.dependency_overrides[real_user] = yielding_user
    assert TestClient(app).get("/name").json() == "name:y"
    assert events == ["enter", "exit"]


def test_override_of_router_level_dependency_on_included_router() -> None:
    app = build_app()
    calls: list[str] = []

    def recording_user() -> str:
        calls.append("override")
        return "o"

    app.dependency_overrides[real_user] = recording_user
    assert TestClient(app).get("/r/who").json() == "o"
    assert calls == ["override"]


def test_overrides_are_per_app() -> None:
    app_a = build_app()
    app_b = build_app()
    app_a.dependency_overrides[real_user] = lambda: "a"
    assert TestClient(app_a).get("/name").json() == "name:a"
    assert TestClient(app_b).get("/name").json() == "name:real"


def test_override_of_a_security_dependency_receives_the_route_scopes() -> None:
    from veloxapi import Security
    from veloxapi.security import SecurityScopes

    def real_user(security_scopes: SecurityScopes) -> str:
        return "real"  # pragma: no cover

    def fake_user(security_scopes: SecurityScopes) -> str:
        return "fake:" + security_scopes.scope_str

    app = VeloxAPI()

    @app.get("/items")
    def items(user: Annotated[str, Security(real_user, scopes=["items:read"])]) -> str:
        return user

    app.dependency_overrides[real_user] = fake_user
    assert TestClient(app).get("/items").json() == "fake:items:read"
