"""Fixtures of the reliability suite: one uvicorn process per configuration, shared.

``server_for(config)`` starts ``reliability_app`` in that configuration the first
time it is asked for and keeps it for the rest of the session (per xdist worker),
so the matrix's cases run one after another against the same long-lived server,
as a real service would see them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from reliability_server import Server, ServerFor, running_server


@pytest.fixture(scope="session")
def server_for() -> Iterator[ServerFor]:
    servers: dict[str, Server] = {}
    with ExitStack() as stack:

        def get(config: str) -> Server:
            server = servers.get(config)
            if server is None or not server.alive():
                server = servers[config] = stack.enter_context(running_server(config))
            return server

        yield get
