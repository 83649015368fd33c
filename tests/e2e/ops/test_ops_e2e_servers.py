"""Operations batteries behind a real uvicorn: workers, Redis readiness, logs, bad settings."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
from ops_e2e_helpers import PrivateRedis, base_env, free_port, uvicorn_command, uvicorn_server
from prometheus_client.parser import text_string_to_metric_families

FACTORY = "ops_apps:starlette_app"


def request_count(metrics_text: str, route: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "velox_http_requests_total" and sample.labels["route"] == route
    )


def test_metrics_add_up_across_two_workers(tmp_path: Path) -> None:
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    env = base_env(PROMETHEUS_MULTIPROC_DIR=str(multiproc))
    with uvicorn_server(FACTORY, tmp_path / "server.log", env, workers=2) as server:
        pids: set[int] = set()
        sent = 0
        deadline = time.monotonic() + 60  # the second worker may still be starting
        while len(pids) < 2 and time.monotonic() < deadline:
            with httpx.Client() as client:  # a new connection each time: workers share it out
                pids.add(client.get(f"{server.url}/pid").json()["pid"])
            sent += 1
        assert len(pids) == 2, "both workers should have answered some requests"
        for _ in range(3):
            with httpx.Client() as client:
                scraped = client.get(f"{server.url}/metrics").text
                assert request_count(scraped, "/pid") == sent
        assert "worker processes appear to serve this app" not in server.log


def test_two_workers_without_a_multiprocess_directory_warn(tmp_path: Path) -> None:
    with uvicorn_server(FACTORY, tmp_path / "server.log", base_env(), workers=2) as server:
        deadline = time.monotonic() + 30
        while server.log.count("worker processes appear") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        log_text = server.log
    warnings = [line for line in log_text.splitlines() if "worker processes appear" in line]
    assert len(warnings) == 2  # one per worker, at start-up
    assert "2 worker processes" in warnings[0]
    assert "PROMETHEUS_MULTIPROC_DIR" in warnings[0]


def test_readiness_follows_redis_going_down_and_up(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    env = base_env(VELOX_HEALTH_REDIS_URL=private_redis.url, VELOX_HEALTH_TIMEOUT="1")
    with uvicorn_server(FACTORY, tmp_path / "server.log", env) as server:
        ready = httpx.get(f"{server.url}/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"ready": True, "failed": [], "checks": {"redis": {"ok": True}}}

        private_redis.stop()
        down = httpx.get(f"{server.url}/readyz")
        assert down.status_code == 503
        assert down.json()["failed"] == ["redis"]
        assert down.json()["checks"]["redis"]["ok"] is False
        assert httpx.get(f"{server.url}/running").json() == {"running": True}

        private_redis.start()
        recovered = httpx.get(f"{server.url}/readyz")
        assert recovered.status_code == 200
        assert recovered.json()["ready"] is True


def test_no_secret_reaches_the_logs(tmp_path: Path) -> None:
    secrets = {
        "authorization": "Bearer eyJhbGciOi.secret-jwt.sig",
        "cookie": "session=cookie-secret-42; theme=dark",
        "x-api-key": "api-key-secret-77",
    }
    with uvicorn_server(FACTORY, tmp_path / "server.log", base_env()) as server:
        response = httpx.post(
            f"{server.url}/login",
            headers={**secrets, "X-Request-ID": "login-1"},
            content="username=ada&password=pw-secret-99",
        )
        assert response.status_code == 200
        httpx.get(f"{server.url}/items/7", headers={"X-Request-ID": "item-7"})
        time.sleep(0.2)  # let the server flush its last lines
        log_text = server.log
    for secret in ("secret-jwt", "cookie-secret-42", "api-key-secret-77", "pw-secret-99"):
        assert secret not in log_text
    records = [json.loads(line) for line in log_text.splitlines() if line.startswith("{")]
    login_records = [r for r in records if r.get("request_id") == "login-1"]
    assert {r["logger"] for r in login_records} == {"ops.app", "veloxapi.access"}
    headers_record = next(r for r in login_records if r["message"] == "login headers")
    assert headers_record["headers"]["authorization"] == "[REDACTED]"
    assert headers_record["headers"]["x-request-id"] == "login-1"
    as_text = next(r for r in login_records if r["message"].startswith("login headers as"))
    assert "'authorization': '[REDACTED]'" in as_text["message"]
    assert "'x-request-id': 'login-1'" in as_text["message"]
    scope_line = next(r for r in login_records if r["message"].startswith("login scope"))
    assert "(b'cookie', '[REDACTED]')" in scope_line["message"]
    access = [r for r in records if r["logger"] == "veloxapi.access"]
    item_line = next(r for r in access if r["request_id"] == "item-7")
    assert item_line["route"] == "/items/{item_id}"
    assert item_line["status"] == 200
    assert item_line["client"].startswith("127.0.0.1:")
    assert not [r for r in records if r["logger"] == "uvicorn.access"]


def test_start_up_refuses_bad_settings(tmp_path: Path) -> None:
    env = base_env(
        VELOX_METRICS_PORT="eighty",
        VELOX_HEALTH_TIMEOUT="-3",
        VELOX_LOGGING_LEVEL="CHATTY",
        VELOX_HEALTH_REDIS_URL="redis://:hunter2@localhost:1/0x",
        VELOX_HEALTH_PAKAGE="typo",
    )
    result = subprocess.run(
        uvicorn_command(FACTORY, free_port()),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    output = result.stderr + result.stdout
    assert "ConfigurationError: 4 configuration problems:" in output
    assert "VELOX_LOGGING_LEVEL='CHATTY'" in output
    assert "VELOX_METRICS_PORT='eighty'" in output
    assert "VELOX_HEALTH_TIMEOUT='-3'" in output
    assert "VELOX_HEALTH_PAKAGE is not a known setting" in output
    assert "hunter2" not in output
