"""The app the telemetry end-to-end test serves: no telemetry= at all, only the environment."""

from __future__ import annotations

from veloxapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict[str, int]:
    if item_id == 0:
        raise ValueError("item 0 is reserved")
    return {"item_id": item_id}
