"""Helpers shared by the operations battery tests."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from veloxapi.batteries.request_id import request_id_var


class LogCapture:
    """Lines written by the veloxapi handler, parsed as JSON when they are JSON."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def access(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if r["logger"] == "veloxapi.access"]


def only_the_batterys_handler() -> None:
    """Take pytest's capturing handlers off the root logger, leaving the logging
    battery's: the access line is then rendered directly, as in production (the
    ``restore_root_logging`` fixture puts them back)."""
    root = logging.getLogger()
    root.handlers[:] = [handler for handler in root.handlers if handler.get_name() == "veloxapi"]


@contextmanager
def in_request(request_id: str) -> Iterator[None]:
    """As inside a request whose id is ``request_id`` (the outer layer sets it so)."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)
