"""The in-process driver against the hand-written floor app: every scenario answers as expected.

This validates the scenarios' expected answers, the ASGI driver (lifespan, HTTP bodies
in chunks, WebSocket sessions) and the floor app together, with no mocks.
"""

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from bench.asgi_client import make_call, start_lifespan
from bench.http_mode import write_wrk_script
from bench.inprocess import timed_loop, verify_answer
from bench.load import load_app
from bench.scenarios import BY_NAME, SCENARIOS, Scenario


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_floor_answers_every_scenario(scenario: Scenario) -> None:
    async def answer() -> str | None:
        app = load_app("floor", scenario.app)
        state, shutdown = await start_lifespan(app)
        status, body = await make_call(app, scenario, state)()
        await shutdown()
        return verify_answer(scenario, status, body)

    assert asyncio.run(answer()) is None


def test_a_wrong_answer_is_reported() -> None:
    scenario = BY_NAME["dependencies"]
    wrong = replace(scenario, headers=(("authorization", "Bearer nope"),))

    async def answer() -> str | None:
        app = load_app("floor", "main")
        state, _ = await start_lifespan(app)
        status, body = await make_call(app, wrong, state)()
        return verify_answer(wrong, status, body)

    problem = asyncio.run(answer())
    assert problem is not None and "expected status 200, got 401" in problem


def test_timed_loop_counts_requests_and_rejects_bad_statuses() -> None:
    async def loop(expected: int) -> tuple[int, float]:
        app = load_app("floor", "main")
        state, _ = await start_lifespan(app)
        return await timed_loop(make_call(app, BY_NAME["plain_dict"], state), 0.05, expected)

    count, elapsed = asyncio.run(loop(200))
    assert count > 0 and elapsed >= 0.05
    with pytest.raises(RuntimeError, match="status 200"):
        asyncio.run(loop(201))


def test_wrk_script_sends_method_headers_and_body(tmp_path: Path) -> None:
    script = write_wrk_script(BY_NAME["nested_body"], tmp_path).read_text()
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["content-type"] = "application/json"' in script
    body_file = tmp_path / "nested_body.body"
    assert body_file.read_bytes() == BY_NAME["nested_body"].body
    assert str(body_file) in script
