"""Helpers shared by the operations battery tests."""

from __future__ import annotations

import io
import json
from typing import Any


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
