"""The instruction tables: ratios net of the harness, version mismatches called out."""

from pathlib import Path

import pytest
from bench.instructions import END, START, merge, render
from bench.report import replace_block


def _data(versions: dict[str, dict[str, str]]) -> dict[str, object]:
    rows = [
        {"framework": "harness", "scenario": "plain_dict", "per_request": 20_000},
        {"framework": "veloxapi", "scenario": "plain_dict", "per_request": 70_000},
        {"framework": "fastapi", "scenario": "plain_dict", "per_request": 320_000},
        {"framework": "floor", "scenario": "plain_dict", "per_request": 45_000},
        {"framework": "fastapi", "scenario": "path_query", "error": "boom"},
    ]
    return {"measured_at": "2026-12-05T00:00:00+00:00", "versions": versions, "results": rows}


def test_ratios_subtract_the_harness_cost() -> None:
    text = render(_data({"veloxapi": {"pydantic": "2.14.4"}, "fastapi": {"pydantic": "2.14.4"}}))
    row = next(line for line in text.splitlines() if line.startswith("| `plain_dict`"))
    # FastAPI: (320k - 20k) / (70k - 20k) = 6.00; floor: (45k - 20k) / 50k = 0.50
    assert row == "| `plain_dict` | 20,000 | 45,000 | 70,000 | 320,000 | 0.50x | 6.00x |"
    assert "same versions in every venv" in text
    assert "fastapi / `path_query`: boom" in text


def test_different_versions_are_flagged() -> None:
    text = render(_data({"veloxapi": {"pydantic": "2.14.4"}, "fastapi": {"pydantic": "2.14.3"}}))
    assert "**Versions differ between venvs: pydantic.**" in text


def test_replace_block_keeps_the_rest(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{START}\nold\n{END}\nafter\n")
    replace_block(readme, "new", (START, END))
    assert readme.read_text() == f"before\n{START}\nnew\n{END}\nafter\n"
    (tmp_path / "bare.md").write_text("no markers")
    with pytest.raises(ValueError, match="instructions:start"):
        replace_block(tmp_path / "bare.md", "new", (START, END))


def test_batteries_columns_and_merge() -> None:

    old = _data({"veloxapi": {"pydantic": "2.14.4"}})
    new = {
        "measured_at": "2026-12-06T00:00:00+00:00",
        "versions": {"fastapi_addons": {"pydantic": "2.14.4"}},
        "results": [
            {"framework": "batteries", "scenario": "plain_dict", "per_request": 120_000},
            {"framework": "fastapi_addons", "scenario": "plain_dict", "per_request": 620_000},
        ],
    }
    text = render(merge(old, new))
    assert "veloxapi + batteries / veloxapi | FastAPI + add-ons / veloxapi + batteries |" in text
    row = next(line for line in text.splitlines() if line.startswith("| `plain_dict`"))
    # batteries: (120k - 20k) / (70k - 20k) = 2.00; add-ons: (620k - 20k) / (120k - 20k) = 6.00
    assert row.endswith("| 2.00x | 6.00x |")
    assert "2026-12-06" in text
