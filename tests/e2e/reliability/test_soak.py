"""The short soak of CI: 10 s of mixed traffic, 40 % of it invalid, with the batteries on.

Every request must get the answer its kind calls for (no 5xx, no transport
error, no timeout), the app must let nothing escape, and the server's memory
must not grow past a generous bound once warm. Error rate, p99 latency and the
RSS slope are printed; ``make soak`` runs the long form (see
``docs/hardening.md``).
"""

from __future__ import annotations

import asyncio
import json

import pytest
from reliability_server import ServerFor
from reliability_soak import soak

pytestmark = pytest.mark.timeout(60)

DURATION = 10.0
CONCURRENCY = 8
RSS_GROWTH_BOUND_MIB = 16.0
"""After the warm-up, over a few seconds: a leak of a few hundred bytes a request exceeds it."""


def test_short_soak_has_no_error_and_flat_memory(server_for: ServerFor) -> None:
    server = server_for("batteries")
    before = server.wait_idle()
    report = asyncio.run(soak(server, duration=DURATION, concurrency=CONCURRENCY))
    after = server.wait_idle()
    print(json.dumps(report.summary()))
    assert report.total > 0
    assert dict(report.errors) == {}
    assert 0.3 < report.invalid_share < 0.5
    assert after["errors"] == before["errors"]
    server_errors = {
        code: count - before["statuses"].get(code, 0)
        for code, count in after["statuses"].items()
        if code.startswith("5") and count != before["statuses"].get(code, 0)
    }
    assert server_errors == {}
    assert report.rss_growth_mib() < RSS_GROWTH_BOUND_MIB
