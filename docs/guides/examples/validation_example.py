"""Validation guide: path, query, header and body parameters with constraints."""

from typing import Annotated

from pydantic import BaseModel, Field

from veloxapi import Body, Header, Path, Query, VeloxAPI

app = VeloxAPI()


class Order(BaseModel):
    sku: str = Field(min_length=3, max_length=12)
    quantity: int = Field(gt=0, le=100)


@app.get("/stock/{sku}")
async def stock(
    sku: Annotated[str, Path(min_length=3)],
    warehouse: Annotated[str | None, Query(max_length=8)] = None,
    x_tenant: Annotated[str, Header()] = "public",
) -> dict[str, str | None]:
    return {"sku": sku, "warehouse": warehouse, "tenant": x_tenant}


@app.post("/orders")
async def place(order: Order, note: Annotated[str, Body(max_length=50)] = "") -> dict[str, object]:
    return {"sku": order.sku, "quantity": order.quantity, "note": note}
