"""The ablation breakdown: the variants it measures answer correctly, and its arithmetic."""

import json
import os
import subprocess
import sys

import pytest
from apps.with_batteries import BATTERIES
from bench.breakdown import BATTERY_SCENARIOS, ENGINE, battery_rows, engine_rows, render
from bench.envs import BENCH_DIR, PROJECT_DIR
from bench.load import load_app


@pytest.mark.parametrize(
    ("framework", "scenario"),
    [
        ("veloxapi@stack", "dependencies"),
        ("veloxapi@router", "nested_body"),
        ("veloxapi@route", "path_query"),
        ("veloxapi@route", "routes_500"),
        ("batteries~rate_limit", "plain_dict"),
        ("batteries~logging", "dependencies"),
    ],
)
def test_a_variant_serves_the_scenarios_answer(framework: str, scenario: str) -> None:
    """In a process of its own (a variant changes the shared benchmark app), as
    ``bench.callgrind`` runs it; the driver checks the answer before timing."""
    found = subprocess.run(
        [sys.executable, "-m", "bench.inprocess", framework, scenario, "--seconds", "0.05"],
        capture_output=True,
        text=True,
        cwd=BENCH_DIR,
        env={**os.environ, "PYTHONPATH": f"{BENCH_DIR}{os.pathsep}{PROJECT_DIR / 'src'}"},
        check=False,
    )
    result = json.loads(found.stdout.strip().splitlines()[-1])
    assert result["ok"] is True, found.stderr[-2000:]
    assert result["rps"] > 0


@pytest.mark.parametrize("framework", ["fastapi@router", "veloxapi@handler", "veloxapi~errors"])
def test_an_unknown_variant_is_refused(framework: str) -> None:
    with pytest.raises(ValueError, match=r"variant|only batteries"):
        load_app(framework, "main")


def test_layers_are_differences_of_the_entered_counts() -> None:
    counts = dict.fromkeys((f"{fw} plain_dict" for fw in ENGINE), 0)
    counts.update(
        {
            "harness plain_dict": 20_000,
            "floor plain_dict": 36_000,
            "veloxapi plain_dict": 71_000,
            "veloxapi@stack plain_dict": 70_000,
            "veloxapi@router plain_dict": 63_000,
            "veloxapi@route plain_dict": 51_000,
        }
    )
    (row,) = engine_rows(counts)
    assert row == {
        "scenario": "plain_dict",
        "harness": 20_000,
        "floor": 16_000,
        "veloxapi": 51_000,
        "entry": 1_000,
        "exceptions": 7_000,
        "routing": 12_000,
        "route": 31_000,
    }
    assert "| `plain_dict` | 20.0k | 16.0k | 51.0k | 1.0k | 7.0k | 12.0k | 31.0k | 1.94x |" in (
        render({"measured_at": "now", "requests": 400, "counts": counts})
    )


def test_each_battery_costs_what_switching_it_off_saves_and_the_rest_is_shared() -> None:
    scenario = BATTERY_SCENARIOS[0]
    counts = {f"veloxapi {scenario}": 70_000, f"batteries {scenario}": 160_000}
    for index, name in enumerate(BATTERIES):
        counts[f"batteries~{name} {scenario}"] = 160_000 - 1_000 * (index + 1)
    costs = battery_rows(counts)[scenario]
    assert [costs[name] for name in BATTERIES] == [1_000 * (i + 1) for i in range(len(BATTERIES))]
    assert costs["all batteries over bare veloxapi"] == 90_000
    shared = 90_000 - sum(1_000 * (i + 1) for i in range(len(BATTERIES)))
    assert costs["shared outer layer and the rest"] == shared
