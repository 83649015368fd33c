"""The benchmark scenarios: one request (or WebSocket session) each, with its expected answer.

Standard library only: imported by the drivers inside every framework's venv and by
the orchestrator.
"""

import json
from dataclasses import dataclass, replace
from typing import Any

from apps import data

BOUNDARY = "velox-bench-boundary-7d1f"


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    app: str = "main"  # "main" or "many" (the 500-route app)
    kind: str = "http"  # "http" or "websocket"
    method: str = "GET"
    path: str = "/"
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    expected_status: int = 200
    expected_json: Any = None
    ws_text: str = ""
    over_http: bool = True  # also measured through uvicorn + wrk
    json_target: bool = False  # counts for the over-HTTP ">= 2.5x FastAPI" target

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


def _upload_body() -> bytes:
    content = (b"veloxapi-benchmark-" * (data.UPLOAD_SIZE // 19 + 1))[: data.UPLOAD_SIZE]
    head = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{data.UPLOAD_FILENAME}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


JSON = (("content-type", "application/json"),)
AUTH = (("authorization", "Bearer token-abc"),)
USER = data.TOKENS["token-abc"]


def _json_scenarios(prefix: str, suffix: str, style: str) -> list[Scenario]:
    return [
        Scenario(
            f"path_query{suffix}",
            f"GET path param + 2 constrained query params + response_model ({style})",
            path=f"{prefix}/items/42",
            query="q=widget&limit=25",
            expected_json=data.item_response(42, 25, "widget"),
            json_target=True,
        ),
        Scenario(
            f"nested_body{suffix}",
            f"POST nested Pydantic body echoed through response_model ({style})",
            method="POST",
            path=f"{prefix}/orders",
            headers=JSON,
            body=json.dumps(data.ORDER).encode(),
            expected_json=data.ORDER,
            json_target=True,
        ),
        Scenario(
            f"dependencies{suffix}",
            f"Two chained dependencies reading the Authorization header ({style})",
            path=f"{prefix}/me",
            headers=AUTH,
            expected_json=USER,
            json_target=True,
        ),
        Scenario(
            f"plain_dict{suffix}",
            f"Plain dict return, no response_model ({style})",
            path=f"{prefix}/plain",
            expected_json=data.PLAIN,
            json_target=True,
        ),
        Scenario(
            f"list_300{suffix}",
            f"300 nested items through response_model=list[Product] ({style})",
            path=f"{prefix}/products",
            expected_json=data.PRODUCTS,
            json_target=True,
        ),
    ]


LAST_ROUTE = data.MANY_ROUTES - 1

SCENARIOS: list[Scenario] = [
    *_json_scenarios("", "", "async def"),
    *[
        replace(s, over_http=False, json_target=False)
        for s in _json_scenarios("/sync", "_sync", "def")
    ],
    Scenario(
        "routes_500",
        "App with 500 parameterised routes, requesting the last one",
        app="many",
        path=f"/resource{LAST_ROUTE}/123",
        query="verbose=true",
        expected_json=data.route_response(LAST_ROUTE, 123, True),
        json_target=True,
    ),
    Scenario(
        "websocket_echo",
        "WebSocket session: connect, echo one text message, disconnect",
        kind="websocket",
        path="/ws",
        ws_text="hello, websocket",
    ),
    Scenario(
        "upload_1mib",
        "1 MiB multipart/form-data file upload (UploadFile, read fully)",
        method="POST",
        path="/upload",
        headers=(("content-type", f"multipart/form-data; boundary={BOUNDARY}"),),
        body=_upload_body(),
        expected_json={"filename": data.UPLOAD_FILENAME, "size": data.UPLOAD_SIZE},
    ),
]

BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


def check_response(scenario: Scenario, status: int, body: bytes) -> str | None:
    """None if (status, body) is the scenario's expected answer, else what was wrong."""
    if status != scenario.expected_status:
        return f"expected status {scenario.expected_status}, got {status}: {body[:300]!r}"
    try:
        payload = json.loads(body)
    except ValueError:
        return f"response body is not JSON: {body[:300]!r}"
    if payload != scenario.expected_json:
        return f"unexpected body: {body[:300]!r}"
    return None
