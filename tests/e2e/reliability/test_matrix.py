"""The hostile-input matrix against real uvicorn, in every configuration.

``test_hostile_case`` sends each case and checks, after it: the answer is the
documented one and not a 5xx, the app sent no 5xx and let no exception escape,
the server logged no traceback, no body carries internal text, no response
stream was left open, the answer came in bounded time, and the server still
serves. Known gaps excuse exactly the checks they break (see
``reliability_cases.py``); those left belong to the server and the command
line, and ``test_the_engine_leaves_no_gap`` keeps it that way.
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


@pytest.mark.parametrize(("config", "case"), PAIRS)
def test_hostile_case(server_for: ServerFor, config: str, case: object) -> None:
    result = run_case(server_for(config), case)  # type: ignore[arg-type]
    assert result.unexcused() == [], result.outcome


def test_the_engine_leaves_no_gap() -> None:
    """Every hostile case the engine answers is answered as documented, with no excuse."""
    excused = [
        f"{config}-{case.id}"
        for case in CASES
        for config in case.configs
        if (gap := case.gap_in(config)) is not None and gap.owner == "engine"
    ]
    assert excused == []
