from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from veloxapi.openapi.constants import METHODS_WITH_BODY, REF_PREFIX, REF_TEMPLATE
from veloxapi.openapi.models import (
    APIKey,
    APIKeyIn,
    Components,
    Example,
    HTTPBearer,
    Info,
    OpenAPI,
    Operation,
    Parameter,
    ParameterInType,
    Schema,
    SecuritySchemeType,
    Server,
)


def dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Zoo",
        "version": "1.0",
        "x-logo": {"url": "https://example.com/logo.png"},
        "license": {"name": "MIT", "identifier": "MIT"},
    },
    "servers": [{"url": "https://prod.example.com", "description": "Production"}],
    "paths": {
        "/animals/{animal_id}": {
            "get": {
                "operationId": "get_animal",
                "parameters": [
                    {
                        "name": "animal_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "title": "Animal Id"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "Successful Response",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Animal"}}
                        },
                    }
                },
                "security": [{"APIKeyHeader": []}],
                "x-internal": True,
            }
        },
        "x-paths-note": {"kept": "as is"},
    },
    "webhooks": {"newAnimal": {"post": {"responses": {"200": {"description": "ok"}}}}},
    "components": {
        "schemas": {
            "Animal": {
                "type": "object",
                "title": "Animal",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "title": "Name"},
                    "tag": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Tag"},
                    "legs": {"type": "integer", "exclusiveMinimum": 0},
                    "anything": True,
                    "not_a_fish": {"not": {"const": "fish"}},
                    "kind": {"if": {"minLength": 1}, "then": {}, "else": {}},
                },
                "$defs": {"Color": {"enum": ["red", "blue"], "type": "string"}},
                "x-tags": ["zoo"],
            }
        },
        "securitySchemes": {
            "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "key"},
            "HTTPBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "OAuth2": {
                "type": "oauth2",
                "flows": {"password": {"tokenUrl": "token", "scopes": {"me": "Me"}}},
            },
            "OpenIdConnect": {"type": "openIdConnect", "openIdConnectUrl": "/openid"},
        },
    },
    "tags": [{"name": "animals", "externalDocs": {"url": "https://docs.example.com/animals"}}],
}


def test_document_round_trips_unchanged_including_extensions():
    assert dump(OpenAPI.model_validate(DOCUMENT)) == DOCUMENT


def test_keyword_fields_accept_python_names_and_dump_aliases():
    parameter = Parameter(name="q", in_=ParameterInType.query, schema_=Schema(type="string"))
    assert dump(parameter) == {"name": "q", "in": "query", "schema": {"type": "string"}}
    schema = Schema(ref="#/components/schemas/A", not_=Schema(type="null"))
    assert dump(schema) == {"$ref": "#/components/schemas/A", "not": {"type": "null"}}


@pytest.mark.parametrize("type_value", ["array", ["string", "null"], None])
def test_schema_type_accepts_names_lists_and_none(type_value):
    assert Schema(type=type_value).type == type_value


def test_schema_type_rejects_other_values():
    with pytest.raises(ValueError, match="2 validation errors for Schema"):
        Schema(type=True)  # type: ignore[arg-type]


def test_security_scheme_models_default_their_type():
    api_key = APIKey(**{"in": APIKeyIn.cookie}, name="session")
    assert api_key.type_ is SecuritySchemeType.apiKey
    assert dump(api_key) == {"type": "apiKey", "in": "cookie", "name": "session"}
    assert dump(HTTPBearer()) == {"type": "http", "scheme": "bearer"}


def test_required_fields_are_enforced():
    with pytest.raises(ValidationError):
        Info(title="No version")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Operation(parameters=[{"name": "q", "in": "body"}])


def test_server_url_may_be_relative_and_is_kept_verbatim():
    assert dump(Server(url="/api/v1")) == {"url": "/api/v1"}
    assert dump(Server(url="https://prod.example.com")) == {"url": "https://prod.example.com"}


def test_example_is_a_plain_dict():
    example: Example = {"summary": "A zebra", "value": {"name": "Zed"}}
    components = Components(examples={"zebra": example})
    assert dump(components) == {
        "examples": {"zebra": {"summary": "A zebra", "value": {"name": "Zed"}}}
    }


def test_constants():
    assert REF_PREFIX == "#/components/schemas/"
    assert REF_TEMPLATE.format(model="Item") == "#/components/schemas/Item"
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= METHODS_WITH_BODY
    assert "OPTIONS" not in METHODS_WITH_BODY


def test_numeric_keywords_keep_their_json_type():
    schema = dump(Schema(maximum=10, exclusiveMinimum=0, minimum=1.5, multipleOf=2))
    assert schema == {"maximum": 10, "exclusiveMinimum": 0, "minimum": 1.5, "multipleOf": 2}
    assert isinstance(schema["maximum"], int)
    assert isinstance(schema["minimum"], float)
