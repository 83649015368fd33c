"""The README's battery cost figures, rendered from a saved result."""

from pathlib import Path

import pytest
from bench.battery_cost import MARKERS, collect, render, write_block


def _result(batteries: int) -> dict[str, object]:
    return {
        "requests": 100,
        "target": 0.6,
        "scenarios": {
            "path_query": {"veloxapi": 100_000, "batteries": batteries},
            "plain_dict": {"veloxapi": 50_000, "batteries": 75_000},
        },
    }


def test_rows_ratios_and_verdict() -> None:
    block = render(_result(200_000))
    assert "| path_query | 100,000 | 200,000 | 2.00x | 0.50x |" in block
    assert "| plain_dict | 50,000 | 75,000 | 1.50x | 0.67x |" in block
    assert ": not met." in block
    assert ": met." in render(_result(150_000))


def test_only_the_block_between_the_markers_changes(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{MARKERS[0]}\nold\n{MARKERS[1]}\nafter\n")
    write_block(readme, "new")
    assert readme.read_text() == f"before\n{MARKERS[0]}\nnew\n{MARKERS[1]}\nafter\n"


def test_a_readme_without_markers_is_refused(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="battery-cost:start"):
        write_block(readme, "new")
    assert readme.read_text() == "no markers\n"


def test_collected_from_the_instruction_results() -> None:

    rows = [
        {"framework": "veloxapi", "scenario": "plain_dict", "requests": 400, "per_request": 80},
        {"framework": "batteries", "scenario": "plain_dict", "requests": 400, "per_request": 120},
        {"framework": "veloxapi", "scenario": "path_query", "requests": 400, "per_request": 90},
        {"framework": "fastapi", "scenario": "path_query", "requests": 400, "per_request": 500},
    ]
    result = collect({"results": rows})
    assert result["scenarios"] == {"plain_dict": {"veloxapi": 80, "batteries": 120}}
    assert result["requests"] == 400
