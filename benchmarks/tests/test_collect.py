"""Medians, ratios and the rotating order."""

from bench.collect import Series, Table, ratios, rotated


def test_median_of_samples_and_failed_series() -> None:
    table = Table("requests/s")
    table.get("s", "veloxapi").samples.extend([3.0, 1.0, 2.0])
    table.get("s", "fastapi").error = "ImportError: x"
    out = table.as_json("inprocess", {"s": "title"})["s"]
    assert out["frameworks"]["veloxapi"]["median"] == 2.0
    assert out["frameworks"]["fastapi"] == {
        "status": "failed",
        "error": "ImportError: x",
        "median": None,
        "samples": [],
    }
    assert out["ratios"] == {"veloxapi/fastapi": None}


def test_ratios_divide_veloxapi_by_each_other_framework() -> None:
    results = {
        "veloxapi": {"median": 10.0},
        "fastapi": {"median": 2.0},
        "floor": {"median": 20.0},
    }
    assert ratios(results) == {"veloxapi/fastapi": 5.0, "veloxapi/floor": 0.5}


def test_rotated_puts_each_framework_first_in_turn() -> None:
    names = ["a", "b", "c"]
    assert [rotated(names, turn)[0] for turn in range(4)] == ["a", "b", "c", "a"]
    assert sorted(rotated(names, 5)) == names


def test_series_failed_flag() -> None:
    assert not Series().failed
    assert Series(error="x").failed
