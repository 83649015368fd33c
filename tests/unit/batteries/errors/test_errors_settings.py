"""The exception maps of ``ErrorSettings``: what may be mapped, and the errors when not."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from veloxapi import VeloxAPI
from veloxapi.batteries import ConfigurationError, augment_app
from veloxapi.batteries.errors import ErrorSettings, install_errors


class OutOfStock(ValueError):
    """An application's own error class (deriving from a built-in is fine)."""


class LedgerLocked(Exception):
    pass


RAISED: dict[str, Exception] = {
    "stock": OutOfStock("only 2 left"),
    "timeout": TimeoutError("upstream db-7.internal timed out"),
    "locked": LedgerLocked("ledger secret-lock held by job 9"),
    "value": ValueError("plain"),
}


async def raiser(request: Request) -> JSONResponse:
    raise RAISED[request.path_params["name"]]


def client(settings: ErrorSettings) -> TestClient:
    app = Starlette(routes=[Route("/{name}", raiser)])
    install_errors(app, settings)
    return TestClient(app)


def test_status_map_answers_application_classes_wherever_raised() -> None:
    settings = ErrorSettings(status_map={OutOfStock: 409, TimeoutError: 504, LedgerLocked: 503})
    http = client(settings)
    stock = http.get("/stock")
    assert (stock.status_code, stock.json()["detail"]) == (409, "only 2 left")
    assert http.get("/value").status_code == 500  # OutOfStock's base stays unmapped


@pytest.mark.parametrize(("name", "status"), [("timeout", 504), ("locked", 503)])
def test_mapped_server_errors_hide_their_text(name: str, status: int) -> None:
    settings = ErrorSettings(status_map={TimeoutError: 504, LedgerLocked: 503})
    response = client(settings).get(f"/{name}")
    assert response.status_code == status
    assert "internal" not in response.text
    assert "secret" not in response.text


@pytest.mark.parametrize(
    "exc_class",
    [ValueError, PermissionError, KeyError, json.JSONDecodeError, ValidationError],
)
def test_platform_exceptions_cannot_be_client_errors_everywhere(exc_class: type) -> None:
    with pytest.raises(ValidationError) as raised:
        ErrorSettings(status_map={exc_class: 400})
    message = str(raised.value)
    assert f"status_map[{exc_class.__name__}] = 400" in message
    assert "input_status_map" in message


def test_bad_maps_report_all_problems() -> None:
    with pytest.raises(ValidationError) as raised:
        ErrorSettings(
            status_map={TimeoutError: 200, Exception: 500, PermissionError: 403},
            input_status_map={ValueError: 500},
        )
    message = str(raised.value)
    assert "status_map[TimeoutError] = 200 is not an error status" in message
    assert "cannot map Exception itself" in message
    assert "status_map[PermissionError] = 403" in message
    assert "input_status_map[ValueError] = 500 is not a client error status" in message


def test_maps_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "VELOX_ERRORS_STATUS_MAP",
        json.dumps({"TimeoutError": 504, f"{__name__}.OutOfStock": 409}),
    )
    monkeypatch.setenv("VELOX_ERRORS_INPUT_STATUS_MAP", '{"ValueError": 400}')
    settings = ErrorSettings()
    assert settings.status_map == {TimeoutError: 504, OutOfStock: 409}
    assert settings.input_status_map == {ValueError: 400}


def test_environment_problems_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VELOX_ERRORS_STATUS_MAP", '{"nowhere.Missing": 500, "KeyError": 404}')
    with pytest.raises(ConfigurationError) as raised:
        augment_app(VeloxAPI(), errors=True)
    message = str(raised.value)
    assert "VELOX_ERRORS_STATUS_MAP" in message
    assert "cannot import 'nowhere.Missing'" in message


def test_maps_through_the_constructor_batteries() -> None:
    app = VeloxAPI(batteries={"errors": ErrorSettings(status_map={TimeoutError: 504})})

    @app.get("/slow")
    async def slow() -> None:
        raise TimeoutError("db-7.internal")

    response = TestClient(app).get("/slow")
    assert response.status_code == 504
    assert response.json()["detail"] == "Gateway Timeout"
