"""HTTP routes of the inventory: open reads, token-protected and rate-limited writes.

* reads: paginated lists; a product's page is cached for 30 seconds (shared
  by every client) and invalidated when the product changes;
* writes: a bearer token with ``inventory:write`` (401 without one, 403 with
  a read-only one), then at most 60 writes a minute per user.
"""

# No `from __future__ import annotations` here: the routes are declared inside
# build_router and use names local to it (Writer, PageSize) in their annotations.

from typing import Annotated, Any

from veloxapi import APIRouter, Depends, Query, Request, Security, status
from veloxapi.batteries.auth import ValidatedToken
from veloxapi.batteries.cache import Cache, invalidate
from veloxapi.batteries.db import DBSession
from veloxapi.batteries.ratelimit import RateLimit

from ..security import WRITE, DemoAuth
from . import logic
from .schemas import (
    Page,
    ProductIn,
    ProductOut,
    ProductUpdate,
    StockChange,
    StockMovementOut,
    SupplierIn,
    SupplierOut,
    SupplierUpdate,
)

Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
PRODUCT_TTL = 30


def _product_tag(product_id: int) -> str:
    return f"product:{product_id}"


def build_router(security: DemoAuth, page_size: int) -> APIRouter:
    """The inventory's routes, writes guarded by ``security``."""

    async def writer(
        request: Request,
        token: Annotated[ValidatedToken, Security(security.auth, scopes=[WRITE])],
    ) -> ValidatedToken:
        request.state.token = token  # so the rate limit counts per user
        return token

    Writer = Annotated[ValidatedToken, Depends(writer)]
    # A sliding window: no burst of twice the rate across a minute boundary.
    write_limit = RateLimit(
        "60/minute", key="subject", name="inventory-writes", algorithm="sliding_window"
    )
    router = APIRouter()
    reads = APIRouter()
    writes = APIRouter(dependencies=[Depends(writer), Depends(write_limit)])
    PageSize = Annotated[int, Query(ge=1, le=100, description="Items per page")]
    default_limit: Any = page_size

    @reads.get("/suppliers", response_model=Page[SupplierOut], tags=["suppliers"])
    async def list_suppliers(
        session: DBSession, limit: PageSize = default_limit, offset: Offset = 0
    ) -> Page[Any]:
        return await logic.list_suppliers(session, limit, offset)

    @reads.get("/suppliers/{supplier_id}", response_model=SupplierOut, tags=["suppliers"])
    async def read_supplier(supplier_id: int, session: DBSession) -> Any:
        return await logic.get_supplier(session, supplier_id)

    @writes.post("/suppliers", response_model=SupplierOut, status_code=201, tags=["suppliers"])
    async def create_supplier(data: SupplierIn, session: DBSession, token: Writer) -> Any:
        return await logic.create_supplier(session, data)

    @writes.patch("/suppliers/{supplier_id}", response_model=SupplierOut, tags=["suppliers"])
    async def update_supplier(
        supplier_id: int, data: SupplierUpdate, session: DBSession, token: Writer
    ) -> Any:
        return await logic.update_supplier(session, supplier_id, data)

    @writes.delete("/suppliers/{supplier_id}", status_code=204, tags=["suppliers"])
    async def delete_supplier(supplier_id: int, session: DBSession, token: Writer) -> None:
        await logic.delete_supplier(session, supplier_id)

    @reads.get("/products", response_model=Page[ProductOut], tags=["products"])
    async def list_products(
        session: DBSession,
        limit: PageSize = default_limit,
        offset: Offset = 0,
        supplier_id: Annotated[int | None, Query(ge=1)] = None,
    ) -> Page[Any]:
        return await logic.list_products(session, limit, offset, supplier_id)

    @reads.get(
        "/products/{product_id}",
        response_model=ProductOut,
        tags=["products"],
        dependencies=[Depends(Cache(ttl=PRODUCT_TTL, shared=True, tags=["product:{product_id}"]))],
    )
    async def read_product(product_id: int, session: DBSession) -> Any:
        return await logic.get_product(session, product_id)

    @writes.post("/products", response_model=ProductOut, status_code=201, tags=["products"])
    async def create_product(data: ProductIn, session: DBSession, token: Writer) -> Any:
        return await logic.create_product(session, data)

    @writes.patch("/products/{product_id}", response_model=ProductOut, tags=["products"])
    async def update_product(
        product_id: int, data: ProductUpdate, session: DBSession, token: Writer, request: Request
    ) -> Any:
        product = await logic.update_product(session, product_id, data)
        await session.commit()  # stored before the cached copy is dropped
        await invalidate(request.app, tag=_product_tag(product_id))
        return product

    @writes.delete("/products/{product_id}", status_code=204, tags=["products"])
    async def delete_product(
        product_id: int, session: DBSession, token: Writer, request: Request
    ) -> None:
        await logic.delete_product(session, product_id)
        await session.commit()
        await invalidate(request.app, tag=_product_tag(product_id))

    @writes.post(
        "/products/{product_id}/stock",
        response_model=StockMovementOut,
        status_code=status.HTTP_201_CREATED,
        tags=["stock"],
    )
    async def move_stock(
        product_id: int, move: StockChange, session: DBSession, token: Writer, request: Request
    ) -> Any:
        movement = await logic.move_stock(session, product_id, move, token.subject or "unknown")
        await session.commit()
        await invalidate(request.app, tag=_product_tag(product_id))
        return movement

    @reads.get(
        "/products/{product_id}/stock",
        response_model=Page[StockMovementOut],
        tags=["stock"],
    )
    async def list_movements(
        product_id: int, session: DBSession, limit: PageSize = default_limit, offset: Offset = 0
    ) -> Page[Any]:
        return await logic.list_movements(session, product_id, limit, offset)

    router.include_router(reads)
    router.include_router(writes)
    return router
