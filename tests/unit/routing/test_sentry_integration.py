"""Sentry's Starlette and FastAPI integrations capture a veloxapi app's errors.

Sentry patches Starlette's classes for the rest of the process, so each case runs
in its own interpreter; events go to an in-memory transport, never the network.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("sentry_sdk")

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import sentry_sdk
    from sentry_sdk.integrations.starlette import StarletteIntegration
    from sentry_sdk.transport import Transport

    events = []

    class Memory(Transport):
        def capture_envelope(self, envelope):
            for item in envelope.items:
                if item.type == "event":
                    event = item.payload.json
                    events.append(event["exception"]["values"][-1]["type"])
                elif item.type == "transaction":
                    events.append(item.type)

    integrations = [StarletteIntegration()]
    if sys.argv[1] == "compat":
        import veloxapi.compat

        veloxapi.compat.install()
        from sentry_sdk.integrations.fastapi import FastApiIntegration

        integrations.append(FastApiIntegration())
    sentry_sdk.init(
        dsn="https://public@example.invalid/1",
        transport=Memory,
        default_integrations=False,
        auto_enabling_integrations=False,
        integrations=integrations,
        traces_sample_rate=1.0,
    )
    from veloxapi import FastAPI, HTTPException
    from veloxapi.testclient import TestClient

    app = FastAPI()

    @app.get("/items/{value}")
    def read(value: int) -> int:
        if value == 2:
            raise ValueError("boom")
        if value == 3:
            raise HTTPException(503, "down for maintenance")
        return value

    client = TestClient(app, raise_server_exceptions=False)
    statuses = [client.get(f"/items/{v}").status_code for v in (1, 2, 3, 4)]
    sentry_sdk.flush()
    print(json.dumps({"statuses": statuses, "events": events}))
    """
)


@pytest.mark.parametrize("mode", ["veloxapi", "compat"])
def test_errors_and_server_error_responses_reach_sentry(mode: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["statuses"] == [200, 500, 503, 200]
    events = result["events"]
    # the unhandled error and the 503 are events; every request is a transaction
    assert sorted(e for e in events if e != "transaction") == ["HTTPException", "ValueError"]
    assert events.count("transaction") == 4
