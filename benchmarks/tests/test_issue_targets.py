"""The engine and batteries issues' wall-clock targets, rendered from one run's medians."""

from typing import Any

from bench.issue_targets import render


def _ok(median: float) -> dict[str, Any]:
    return {"status": "ok", "median": median}


def _results() -> dict[str, Any]:
    inprocess = {
        "plain_dict": {
            "frameworks": {
                "veloxapi": _ok(1000.0),
                "batteries": _ok(700.0),
                "fastapi_addons": _ok(100.0),
                "floor": _ok(1200.0),
                "litestar": _ok(400.0),
            }
        },
        "list_300": {
            "frameworks": {
                "veloxapi": _ok(50.0),
                "batteries": _ok(45.0),
                "fastapi_addons": _ok(30.0),
                "floor": _ok(48.0),
                "litestar": {"status": "failed", "error": "boom"},
            }
        },
    }
    return {"inprocess": inprocess}


def _table(lines: list[str], title: str) -> list[str]:
    start = lines.index(title)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_ratios_below_their_goal_are_bold_and_the_floor_bounds_them() -> None:
    lines = render(_results())
    batteries = _table(lines, "all batteries on >= 0.6x bare veloxapi:")
    assert batteries[2] == "| `plain_dict` | 0.70x |"
    addons = _table(lines, "veloxapi + batteries >= 3x FastAPI + add-ons, JSON scenarios:")
    assert addons[0] == "| Scenario | in-process | floor / FastAPI + add-ons, in-process |"
    assert addons[2] == "| `plain_dict` | 7.00x | 12.00x |"
    # 45 / 30 = 1.5: missed, and the floor itself (48 / 30 = 1.6) could not reach 3x
    assert addons[3] == "| `list_300` | **1.50x** | **1.60x** |"


def test_ratios_are_rounded_down_and_missing_medians_are_dashes() -> None:
    lines = render(_results())
    floor = _table(lines, "veloxapi >= 0.9x the floor:")
    assert floor[2] == "| `plain_dict` | **0.83x** |"  # 1000 / 1200 = 0.8333
    litestar = _table(lines, "veloxapi >= 2x Litestar, HTTP scenarios:")
    assert "| `list_300` | — | — |" in litestar
    # batteries 0.70 (met); add-ons 7.00 (met) and 1.50; floor 0.83 (list_300 is not
    # among that target's scenarios); Litestar 2.50 (met), list_300 not measured
    assert lines[-1] == "Met in 3 of 5 measured ratios."
