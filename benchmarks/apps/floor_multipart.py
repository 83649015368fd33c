"""Streaming multipart/form-data parsing for the hand-written ASGI floor app.

Collects each part's Content-Disposition field name, filename and bytes with
python-multipart's push parser, fed chunk by chunk as the ASGI body arrives.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header


@dataclass
class Part:
    name: str = ""
    filename: str | None = None
    content: bytearray = field(default_factory=bytearray)


@dataclass
class _State:
    parts: list[Part] = field(default_factory=list)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)


def _callbacks(state: _State) -> dict[str, Any]:
    def on_part_begin() -> None:
        state.parts.append(Part())

    def on_part_data(data: bytes, start: int, end: int) -> None:
        state.parts[-1].content += data[start:end]

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state.header_field += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state.header_value += data[start:end]

    def on_header_end() -> None:
        if state.header_field.lower() == b"content-disposition":
            _, options = parse_options_header(bytes(state.header_value))
            state.parts[-1].name = options.get(b"name", b"").decode()
            filename = options.get(b"filename")
            state.parts[-1].filename = filename.decode() if filename is not None else None
        state.header_field.clear()
        state.header_value.clear()

    return {
        "on_part_begin": on_part_begin,
        "on_part_data": on_part_data,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
    }


async def parse_multipart(
    content_type: bytes, receive: Callable[[], Awaitable[dict[str, Any]]]
) -> list[Part] | None:
    """The parts of a multipart body read from `receive`, or None if it is not multipart."""
    media_type, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        return None
    state = _State()
    parser = MultipartParser(boundary, _callbacks(state))  # type: ignore[arg-type]
    more_body = True
    while more_body:
        message = await receive()
        parser.write(message.get("body", b""))
        more_body = message.get("more_body", False)
    parser.finalize()
    return state.parts
