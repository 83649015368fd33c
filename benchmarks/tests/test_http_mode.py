"""The over-HTTP pipeline end to end: a real uvicorn serving the floor app, real wrk and
the WebSocket load generator (skipped when the bench venv or wrk is not installed)."""

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from bench import http_mode
from bench.envs import BENCH_DIR
from bench.scenarios import BY_NAME, SCENARIOS

pytestmark = [
    pytest.mark.skipif(
        not (BENCH_DIR / ".venv-fastapi" / "bin" / "python").exists(),
        reason="benchmarks/.venv-fastapi is missing: run `make -C benchmarks setup`",
    ),
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[http_mode.Server]:
    started = http_mode.start_server("floor", "main", tmp_path_factory.mktemp("server"))
    try:
        assert http_mode.wait_ready(started) is None
        yield started
    finally:
        http_mode.stop_server(started)


@pytest.mark.parametrize(
    "name", [s.name for s in SCENARIOS if s.app == "main" and s.kind == "http"]
)
def test_floor_answers_over_http(server: http_mode.Server, name: str) -> None:
    assert http_mode.check_over_http(server, BY_NAME[name]) is None


def test_wrk_measures_a_rate(server: http_mode.Server, tmp_path: Path) -> None:
    scenario = BY_NAME["nested_body"]
    script = http_mode.write_wrk_script(scenario, tmp_path)
    rate = http_mode.run_wrk(server, scenario, script, http_mode.WrkSettings(seconds=1))
    assert rate > 0


def test_wrk_fails_on_error_answers(server: http_mode.Server, tmp_path: Path) -> None:
    scenario = BY_NAME["dependencies"]
    unauthorized = replace(scenario, headers=())
    script = http_mode.write_wrk_script(unauthorized, tmp_path)
    with pytest.raises(RuntimeError, match="non-2xx"):
        http_mode.run_wrk(server, unauthorized, script, http_mode.WrkSettings(seconds=1))


def test_websocket_load_generator_measures_sessions(server: http_mode.Server) -> None:
    assert http_mode.run_ws_load(server, BY_NAME["websocket_echo"], seconds=1) > 0
