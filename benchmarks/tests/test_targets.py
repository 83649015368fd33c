"""The issue's targets, evaluated on ratios."""

from bench.targets import evaluate


def test_inprocess_needs_both_ratios_above_their_goals() -> None:
    met = evaluate("inprocess", "path_query", {"veloxapi/fastapi": 5.0, "veloxapi/litestar": 2.1})
    assert met["met"] is True
    short = evaluate("inprocess", "path_query", {"veloxapi/fastapi": 6.0, "veloxapi/litestar": 1.9})
    assert short["met"] is False


def test_a_missing_ratio_is_not_measured() -> None:
    result = evaluate(
        "inprocess", "plain_dict", {"veloxapi/fastapi": 9.0, "veloxapi/litestar": None}
    )
    assert result["met"] is None


def test_http_target_only_for_json_scenarios() -> None:
    assert evaluate("http", "plain_dict", {"veloxapi/fastapi": 2.5})["met"] is True
    upload = evaluate("http", "upload_1mib", {"veloxapi/fastapi": 9.0})
    assert upload["goals"] == {} and upload["met"] is None


def test_startup_measures_must_not_exceed_fastapi() -> None:
    assert evaluate("startup", "rss_mib", {"veloxapi/fastapi": 1.0})["met"] is True
    assert evaluate("startup", "openapi_s", {"veloxapi/fastapi": 1.2})["met"] is False
    assert evaluate("startup", "startup_s", {"veloxapi/fastapi": 0.5})["higher_is_better"] is False
