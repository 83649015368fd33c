"""A stand-in OTLP/HTTP collector: records what exporters POST to it, answers 200."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Export:
    path: str
    content_type: str
    size: int


@dataclass
class Collector:
    url: str
    exports: list[Export] = field(default_factory=list)

    def paths(self) -> set[str]:
        return {export.path for export in self.exports}


@contextmanager
def running_collector() -> Iterator[Collector]:
    """A collector on a free loopback port, stopped on exit."""
    received: list[Export] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            self.rfile.read(length)
            received.append(Export(self.path, self.headers.get("content-type", ""), length))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Collector(f"http://127.0.0.1:{server.server_address[1]}", received)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
