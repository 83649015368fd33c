"""The hostile-input matrix against real uvicorn, in every configuration.

``test_hostile_case`` sends each case and checks, after it: the answer is the
documented one and not a 5xx, the app sent no 5xx and let no exception escape,
the server logged no traceback, no body carries internal text, no response
stream was left open, the answer came in bounded time, and the server still
serves. Known gaps excuse exactly the checks they break (see
``reliability_cases.py``); ``test_engine_gap_target`` asserts what the engine
is to answer once it closes each of its gaps, as a strict xfail, so the fix
shows up as an XPASS that must be acknowledged by updating the case.
"""

from __future__ import annotations

import pytest
from reliability_cases import CASES
from reliability_matrix import run_case
from reliability_server import ServerFor

pytestmark = pytest.mark.timeout(90)

PAIRS = [
    pytest.param(config, case, id=f"{config}-{case.id}")
    for case in CASES
    for config in case.configs
]
ENGINE_GAPS = [
    pytest.param(
        config,
        case,
        id=f"{config}-{case.id}",
        marks=pytest.mark.xfail(strict=True, reason=f"engine must still fix: {gap.what}"),
    )
    for case in CASES
    for config in case.configs
    if (gap := case.gap_in(config)) is not None and gap.owner == "engine"
]


@pytest.mark.parametrize(("config", "case"), PAIRS)
def test_hostile_case(server_for: ServerFor, config: str, case: object) -> None:
    result = run_case(server_for(config), case)  # type: ignore[arg-type]
    assert result.unexcused() == [], result.outcome


@pytest.mark.parametrize(("config", "case"), ENGINE_GAPS)
def test_engine_gap_target(server_for: ServerFor, config: str, case: object) -> None:
    result = run_case(server_for(config), case)  # type: ignore[arg-type]
    assert result.target_problems() == [], result.outcome
