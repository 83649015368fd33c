"""The digits demo over real HTTP: real model answers, batching under concurrency, shedding."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

Demo = Callable[[dict[str, str]], str]


@pytest.fixture(scope="module")
def samples() -> list[tuple[list[float], int]]:
    """The first 40 images of the data set scikit-learn ships, with their labels."""
    datasets = pytest.importorskip("sklearn.datasets")
    features, labels = datasets.load_digits(return_X_y=True)
    return [
        (row.tolist(), int(label)) for row, label in zip(features[:40], labels[:40], strict=True)
    ]


@pytest.fixture(scope="module")
def base_url(demo: Demo) -> str:
    return demo({"DEMO_MAX_WAIT_MS": "20"})


async def post_all(url: str, images: list[list[float]]) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=30) as client:
        return await asyncio.gather(*(client.post(url, json={"pixels": px}) for px in images))


def test_the_trained_model_recognises_digits(
    base_url: str, samples: list[tuple[list[float], int]]
) -> None:
    info = httpx.get(base_url + "/model").json()
    assert info["held_out_accuracy"] > 0.9
    for route in ("/predict", "/predict/unbatched"):
        correct = 0
        for pixels, label in samples[:10]:
            body = httpx.post(base_url + route, json={"pixels": pixels}).json()
            assert 0 <= body["probability"] <= 1
            correct += body["digit"] == label
        assert correct >= 9


def test_concurrent_requests_are_batched_and_each_gets_its_own_answer(
    base_url: str, samples: list[tuple[list[float], int]]
) -> None:
    before = httpx.get(base_url + "/model").json()
    responses = asyncio.run(post_all(base_url + "/predict", [px for px, _ in samples]))
    after = httpx.get(base_url + "/model").json()
    assert all(r.status_code == 200 for r in responses)
    answers = [r.json()["digit"] for r in responses]
    assert sum(a == label for a, (_, label) in zip(answers, samples, strict=True)) >= 36
    batches = after["batches"] - before["batches"]
    assert after["items"] - before["items"] == len(samples)
    assert batches < len(samples)  # several requests shared a model call


@pytest.mark.parametrize("pixels", [[1.0] * 63, [17.0] * 64, ["x"] * 64])
def test_bad_images_are_a_422(base_url: str, pixels: list[object]) -> None:
    assert httpx.post(base_url + "/predict", json={"pixels": pixels}).status_code == 422


def test_beyond_the_bound_requests_get_503_with_retry_after(
    demo: Demo, samples: list[tuple[list[float], int]]
) -> None:
    url = demo({"DEMO_MAX_IN_FLIGHT": "1", "DEMO_MAX_WAITING": "0", "DEMO_MAX_WAIT_MS": "50"})
    images = [px for px, _ in samples[:20]]
    responses = asyncio.run(post_all(url + "/predict", images))
    statuses = [r.status_code for r in responses]
    assert 200 in statuses and 503 in statuses
    assert set(statuses) == {200, 503}
    assert all(r.headers["retry-after"] == "1" for r in responses if r.status_code == 503)
    metrics = httpx.get(url + "/metrics").text
    assert 'velox_load_limit{kind="in_flight",route="predict"} 1.0' in metrics
    assert 'velox_load_shed_total{route="predict"}' in metrics
