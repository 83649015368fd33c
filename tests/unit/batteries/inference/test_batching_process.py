"""Batches run in the offload battery's process pool."""

from __future__ import annotations

import asyncio
import os

from batch_work import tag_with_pid

from veloxapi import VeloxAPI
from veloxapi.batteries import augment_app
from veloxapi.batteries.offload import OffloadSettings
from veloxapi.testclient import TestClient


def test_process_batches_run_in_a_worker_process_and_answer_each_caller() -> None:
    app = VeloxAPI()
    augment_app(app, offload=OffloadSettings(processes=1))

    @app.get("/tag")
    async def endpoint() -> list[list[int]]:
        results = await asyncio.gather(*(tag_with_pid(i) for i in range(4)))
        return [list(pair) for pair in results]

    with TestClient(app) as client:
        body = client.get("/tag").json()
    assert [value for value, _ in body] == [0, 3, 6, 9]
    pids = {pid for _, pid in body}
    assert len(pids) == 1 and os.getpid() not in pids
    assert tag_with_pid.batches == 1
