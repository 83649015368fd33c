"""The veloxapi app the server comparison serves: one GET and one POST endpoint."""

from pydantic import BaseModel

from veloxapi import VeloxAPI


class Order(BaseModel):
    id: int
    customer: str
    items: list[str]
    total: float


app = VeloxAPI()


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: str = "none", limit: int = 10) -> dict[str, object]:
    return {"id": item_id, "q": q, "limit": limit}


@app.post("/orders")
async def create_order(order: Order) -> Order:
    return order
