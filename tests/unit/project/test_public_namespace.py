"""``veloxapi``'s top-level names change only on purpose: edit this list with the change."""

from __future__ import annotations

import veloxapi

PUBLIC = [
    "APIRouter",
    "BackgroundTasks",
    "Body",
    "Cookie",
    "Depends",
    "FastAPI",
    "File",
    "Form",
    "HTTPException",
    "Header",
    "Path",
    "Query",
    "Request",
    "Response",
    "Security",
    "UploadFile",
    "VeloxAPI",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
    "status",
]


def test_all_is_the_agreed_list_in_order() -> None:
    assert veloxapi.__all__ == PUBLIC


def test_every_public_name_resolves() -> None:
    missing = [name for name in PUBLIC if not hasattr(veloxapi, name)]
    assert missing == []


def test_star_import_gives_exactly_the_public_names() -> None:
    namespace: dict[str, object] = {}
    exec("from veloxapi import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(PUBLIC)
