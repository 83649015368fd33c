"""The deprecated ORJSON/UJSON responses still render, and warn when created."""

from __future__ import annotations

import json

import pytest

from veloxapi.exceptions import FastAPIDeprecationWarning
from veloxapi.responses import JSONResponse, ORJSONResponse, UJSONResponse


def test_orjson_response_warns_and_accepts_non_string_keys() -> None:
    with pytest.warns(FastAPIDeprecationWarning, match="ORJSONResponse is deprecated"):
        response = ORJSONResponse({"a": "é", 1: [1.5, None]}, status_code=201)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert json.loads(bytes(response.body)) == {"a": "é", "1": [1.5, None]}


def test_ujson_response_warns_and_renders_json() -> None:
    with pytest.warns(FastAPIDeprecationWarning, match="UJSONResponse is deprecated"):
        response = UJSONResponse({"a": "é"}, headers={"x-a": "1"})
    assert response.headers["x-a"] == "1"
    assert json.loads(bytes(response.body)) == {"a": "é"}


def test_deprecated_responses_are_json_responses() -> None:
    assert issubclass(ORJSONResponse, JSONResponse)
    assert issubclass(UJSONResponse, JSONResponse)
