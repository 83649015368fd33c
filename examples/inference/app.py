"""Handwritten-digit recognition served with micro-batching and load shedding.

A random forest (scikit-learn, 100 trees) is trained at start-up on the 8x8
digits data set that scikit-learn ships in its wheel: nothing is downloaded.
``pip install "veloxapi[inference-demo,metrics,standard]"``, then::

    uvicorn --app-dir examples/inference app:app
    curl -X POST localhost:8000/predict -H 'content-type: application/json' \\
         -d '{"pixels": [0,0,5,13,9,1,0,0, ... 64 values from 0 to 16]}'

* ``POST /predict``: one image in, its digit out; concurrent requests are
  gathered into one ``predict_proba`` call (``@batched``), run in a thread;
* ``POST /predict/unbatched``: the same answer, one model call per request
  (for comparison: the benchmark in ``benchmarks/inference`` measures both);
* ``GET /model``: held-out accuracy and the mean batch size so far;
* ``GET /metrics``: Prometheus metrics, including the load-shedding bounds.

Settings (environment): ``DEMO_MAX_BATCH_SIZE`` (32), ``DEMO_MAX_WAIT_MS`` (5),
``DEMO_SHED`` (on), ``DEMO_MAX_IN_FLIGHT`` (64), ``DEMO_MAX_WAITING`` (64).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio.to_thread
import numpy as np
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from veloxapi import Depends, VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.inference import LoadShedder, batched

Pixel = Annotated[float, Field(ge=0, le=16)]


class DemoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_")

    max_batch_size: int = Field(default=32, ge=1)
    max_wait_ms: float = Field(default=5.0, ge=0)
    shed: bool = True
    max_in_flight: int = Field(default=64, ge=1)
    max_waiting: int = Field(default=64, ge=0)


class Image(BaseModel):
    pixels: list[Pixel] = Field(min_length=64, max_length=64, description="8x8, row by row")


class Prediction(BaseModel):
    digit: int
    probability: float


class Classifier:
    """The model, trained once when the app starts."""

    def __init__(self) -> None:
        self.forest: RandomForestClassifier | None = None
        self.accuracy = 0.0

    def train(self) -> None:
        features, labels = load_digits(return_X_y=True)
        split = train_test_split(features, labels, test_size=0.2, random_state=0, stratify=labels)
        train_x, test_x, train_y, test_y = split
        forest = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1)
        forest.fit(train_x, train_y)
        self.accuracy = float(forest.score(test_x, test_y))
        self.forest = forest

    def predict(self, images: list[list[float]]) -> list[Prediction]:
        if self.forest is None:
            raise RuntimeError("the model is not trained yet (the app has not started)")
        probabilities = self.forest.predict_proba(np.asarray(images, dtype=np.float64))
        best = probabilities.argmax(axis=1)
        return [
            Prediction(digit=int(self.forest.classes_[i]), probability=float(row[i]))
            for i, row in zip(best, probabilities, strict=True)
        ]


settings = DemoSettings()
classifier = Classifier()


@batched(max_batch_size=settings.max_batch_size, max_wait_ms=settings.max_wait_ms)
def predict_batch(images: list[list[float]]) -> list[Prediction]:
    return classifier.predict(images)


@asynccontextmanager
async def lifespan(app: VeloxAPI) -> AsyncIterator[None]:
    await anyio.to_thread.run_sync(classifier.train)
    yield


app = VeloxAPI(title="Digits", lifespan=lifespan)
batteries = augment_app(app, metrics=True)
registry = batteries.metrics.registry if batteries.metrics is not None else None


def shedding(name: str) -> list[Any]:
    if not settings.shed:
        return []
    shedder = LoadShedder(
        name,
        max_in_flight=settings.max_in_flight,
        max_waiting=settings.max_waiting,
        retry_after=1,
        registry=registry,
    )
    return [Depends(shedder)]


@app.post("/predict", dependencies=shedding("predict"))
async def predict(image: Image) -> Prediction:
    return await predict_batch(image.pixels)


@app.post("/predict/unbatched", dependencies=shedding("predict_unbatched"))
async def predict_unbatched(image: Image) -> Prediction:
    predictions = await anyio.to_thread.run_sync(classifier.predict, [image.pixels])
    return predictions[0]


@app.get("/model")
async def model_info() -> dict[str, float | int]:
    batches = predict_batch.batches
    return {
        "held_out_accuracy": classifier.accuracy,
        "batches": batches,
        "items": predict_batch.items,
        "mean_batch_size": predict_batch.items / batches if batches else 0.0,
    }
