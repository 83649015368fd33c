"""FBI's route checks and claim flattening, from FBI's documented examples."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
from fbi_support import DEV_ENV, forget_fbi, load_fbi

from veloxapi.requests import Request

pytestmark = pytest.mark.anyio


@pytest.fixture
def fbi(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    yield load_fbi(monkeypatch, **DEV_ENV)["endpoint_security"]
    forget_fbi()


def request(url: str = "/endpoint", json: object = None, path_params: Any = None) -> Request:
    parts = urlsplit(url)
    scope = {
        "type": "http",
        "method": "GET",
        "path": parts.path,
        "query_string": parts.query.encode(),
        "headers": [],
        "path_params": path_params or {},
    }
    body = b"" if json is None else __import__("json").dumps(json).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def env(
    fbi: ModuleType,
    *,
    scopes: list[str] | None = None,
    claims: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    return fbi.ProtectedScopeEnvironment(
        scopes=scopes or [],
        claims={"patient_id": "12345"} if claims is None else claims,
        request=request(**kwargs),
    )


async def test_key_present_and_combinations(fbi: ModuleType) -> None:
    e = env(fbi)
    assert await fbi.key_present("patient_id")(e)
    assert not await fbi.key_present("clinician")(e)
    assert await fbi.or_(fbi.key_present("clinician_id"), fbi.key_present("patient_id"))(e)
    assert not await fbi.or_(fbi.key_present("clinician_id"), fbi.key_present("system_id"))(e)
    assert await fbi.and_(fbi.key_present("patient_id"), fbi.key_present("patient_id"))(e)
    assert not await fbi.and_(fbi.key_present("patient_id"), fbi.key_present("clinician_id"))(e)
    assert await fbi.key_present("nothing")(env(fbi, claims={"nothing": None}))


async def test_key_contains_value(fbi: ModuleType) -> None:
    e = env(fbi)
    assert await fbi.key_contains_value("patient_id", "12345")(e) is True
    assert await fbi.key_contains_value("clinician_id", "12345")(e) is False
    assert await fbi.key_contains_value("patient_id", "123456")(e) is False
    in_list = env(fbi, claims={"patient_id": ["12345"]})
    assert await fbi.key_contains_value("patient_id", "12345")(in_list) is False  # equality only


async def test_key_contains_value_in_list(fbi: ModuleType) -> None:
    e = env(fbi)
    assert await fbi.key_contains_value_in_list("patient_id", ["12345", "67890"])(e) is True
    assert await fbi.key_contains_value_in_list("clinician_id", ["12345", "67890"])(e) is False
    assert await fbi.key_contains_value_in_list("patient_id", ["123456", "78901"])(e) is False


@pytest.mark.parametrize(
    ("scopes", "required", "expected"),
    [
        (["read:user"], ["write:user"], False),
        (["read:user", "write:user"], ["write:users"], False),
        (["read:user", "write:user", "read:patient"], ["read:user", "write:patient"], False),
        (["read:user", "write:user"], "read:patient", False),
        (["read:user", "write:user"], ["write:user"], True),
        (["read:user", "write:user"], ["read:user", "write:user"], True),
        (["read:user", "write:user", "read:patient"], "read:user", True),
        ([], "read:user", False),
    ],
)
async def test_scopes_present(
    fbi: ModuleType, scopes: list[str], required: str | list[str], expected: bool
) -> None:
    assert await fbi.scopes_present(required_scopes=required)(env(fbi, scopes=scopes)) is expected


def test_scopes_present_needs_a_scope(fbi: ModuleType) -> None:
    from veloxapi.batteries.settings import ConfigurationError

    with pytest.raises(ConfigurationError):
        fbi.scopes_present([])


async def test_match_keys(fbi: ModuleType) -> None:
    assert await fbi.match_keys()(env(fbi)) is True
    assert await fbi.match_keys(patient_id="patient_id")(env(fbi)) is False
    matching = env(fbi, path_params={"patient_id": "12345"})
    assert await fbi.match_keys(patient_id="patient_id")(matching) is True
    wrong = env(fbi, claims={"patient_id": "WRONG"}, path_params={"patient_id": "12345"})
    assert await fbi.match_keys(patient_id="patient_id")(wrong) is False
    path = {"route_param_1": "claim_2_value"}
    not_in_list = env(fbi, claims={"claim_field_1": ["claim_1_value"]}, path_params=path)
    assert await fbi.match_keys(route_param_1="claim_field_1")(not_in_list) is False
    in_list = env(fbi, claims={"claim_field_1": ["a", "claim_2_value"]}, path_params=path)
    assert await fbi.match_keys(route_param_1="claim_field_1")(in_list) is True
    a_dict = env(fbi, claims={"claim_field_1": {"claim_2_value": None}}, path_params=path)
    assert await fbi.match_keys(route_param_1="claim_field_1")(a_dict) is False


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/dhos/v1/patient?arg1=val1", True),
        ("/dhos/v1/patient?arg1=val1&arg2=val2", True),
        ("/dhos/v1/patient?arg1=VAL1", True),
        ("/dhos/v1/patient?arg1=val2", False),
        ("/dhos/v1/patient", False),
    ],
)
async def test_argument_present(fbi: ModuleType, url: str, expected: bool) -> None:
    check = fbi.argument_present(argument="arg1", expected_value="val1")
    assert await check(env(fbi, url=url)) is expected


async def test_argument_not_present(fbi: ModuleType) -> None:
    assert await fbi.argument_not_present(argument="arg1")(env(fbi, url="/p?arg2=val1")) is True
    assert await fbi.argument_not_present(argument="arg2")(env(fbi, url="/p?arg2=val1")) is False


async def test_environment_checks_in_development(fbi: ModuleType) -> None:
    assert await fbi.production_only_route()(env(fbi)) is False
    assert await fbi.non_production_only_route()(env(fbi)) is True


@pytest.mark.parametrize("environment", ["PRODUCTION", "UAT"])
async def test_environment_checks_in_production(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    fbi = load_fbi(monkeypatch, **{**DEV_ENV, "ENVIRONMENT": environment})["endpoint_security"]
    assert await fbi.production_only_route()(env(fbi)) is True
    assert await fbi.non_production_only_route()(env(fbi)) is False
    forget_fbi()


@pytest.mark.parametrize(
    ("claim", "field", "expected"),
    [
        ("12345", "12345", True),
        ("abcde", "12345", False),
        ("12345", None, False),
        (None, "12345", False),
        (None, None, False),
    ],
)
async def test_field_in_path_matches_jwt_claim(
    fbi: ModuleType, claim: str | None, field: str | None, expected: bool
) -> None:
    e = env(fbi, claims={"patient_id": claim}, path_params={"patient_uuid": field})
    check = fbi.field_in_path_matches_jwt_claim(
        path_field_name="patient_uuid", jwt_claim_name="patient_id"
    )
    assert await check(e) is expected


@pytest.mark.parametrize(
    ("claim", "field", "expected"),
    [
        ("12345", "12345", True),
        ("abcde", "12345", False),
        ("12345", None, False),
        (None, "12345", False),
        (None, None, False),
    ],
)
async def test_field_in_body_matches_jwt_claim(
    fbi: ModuleType, claim: str | None, field: str | None, expected: bool
) -> None:
    e = env(fbi, claims={"patient_id": claim}, json={"patient_uuid": field})
    check = fbi.field_in_body_matches_jwt_claim(
        body_field_name="patient_uuid", jwt_claim_name="patient_id"
    )
    assert await check(e) is expected


async def test_own_fbi_style_checks_see_scopes_claims_and_request(fbi: ModuleType) -> None:
    async def clinician_on_ward(e: Any) -> bool:
        return "read:ward" in e.scopes and e.claims.get("ward") == e.request.query_params["ward"]

    e = env(fbi, scopes=["read:ward"], claims={"ward": "W1"}, url="/p?ward=W1")
    assert await fbi.and_(clinician_on_ward, fbi.key_present("ward"))(e) is True
