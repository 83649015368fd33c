"""Response classes: Starlette's, the event-stream response, and two deprecated JSON ones.

``ORJSONResponse`` and ``UJSONResponse`` are deprecated: the default JSON
response is already serialized by Pydantic straight to bytes, which is as fast.
They still work, and warn when created.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from starlette.background import BackgroundTask
from starlette.responses import FileResponse as FileResponse
from starlette.responses import HTMLResponse as HTMLResponse
from starlette.responses import JSONResponse as JSONResponse
from starlette.responses import PlainTextResponse as PlainTextResponse
from starlette.responses import RedirectResponse as RedirectResponse
from starlette.responses import Response as Response
from starlette.responses import StreamingResponse as StreamingResponse

from veloxapi.exceptions import FastAPIDeprecationWarning
from veloxapi.sse import EventSourceResponse as EventSourceResponse


def _missing(package: str, extra: str) -> ImportError:
    return ImportError(f'{package} is not installed: pip install "veloxapi[{extra}]"')


class _DeprecatedJSONResponse(JSONResponse):
    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        warnings.warn(
            f"{type(self).__name__} is deprecated: the default JSONResponse serializes "
            "with Pydantic and is as fast. Use JSONResponse (or omit response_class).",
            FastAPIDeprecationWarning,
            stacklevel=2,
        )
        super().__init__(content, status_code, headers, media_type, background)


class ORJSONResponse(_DeprecatedJSONResponse):
    """JSON rendered by orjson (non-string keys allowed). Deprecated."""

    def render(self, content: Any) -> bytes:
        try:
            import orjson
        except ImportError as exc:
            raise _missing("orjson", "orjson") from exc
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)


class UJSONResponse(_DeprecatedJSONResponse):
    """JSON rendered by ujson. Deprecated."""

    def render(self, content: Any) -> bytes:
        try:
            import ujson
        except ImportError as exc:
            raise _missing("ujson", "ujson") from exc
        rendered: bytes = ujson.dumps(content, ensure_ascii=False).encode("utf-8")
        return rendered


__all__ = [
    "EventSourceResponse",
    "FileResponse",
    "HTMLResponse",
    "JSONResponse",
    "ORJSONResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Response",
    "StreamingResponse",
    "UJSONResponse",
]
