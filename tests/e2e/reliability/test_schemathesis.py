"""Schemathesis, every check, against the demo API in each configuration.

The app's own ``/openapi.json`` is fetched over loopback from the running
server; the run is bounded (``DEFAULT_EXAMPLES`` per operation, fixed seed),
so it takes seconds. Every check runs, ``allow_header_conformance`` included:
a 405 lists every method its path supports in ``Allow``.
"""

from __future__ import annotations

import pytest
from reliability_app import CONFIGS
from reliability_fuzz import run_schemathesis
from reliability_server import ServerFor

pytestmark = pytest.mark.timeout(150)


@pytest.mark.parametrize("config", CONFIGS)
def test_every_check_passes(server_for: ServerFor, config: str) -> None:
    run = run_schemathesis(server_for(config))
    assert run.passed, run.output[-8000:]
    assert "unique failures" not in run.output
