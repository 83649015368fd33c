"""What the inventory does, independent of HTTP: each function takes the session it works in.

Errors are the errors battery's (``NotFound`` 404, ``AlreadyExists`` 409,
``Unprocessable`` 422), so the routes stay thin. Nothing here commits: the
request's session commits when the route succeeds.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from veloxapi.batteries.errors import AlreadyExists, NotFound, Unprocessable

from .models import Product, StockMovement, Supplier
from .schemas import Page, ProductIn, ProductUpdate, StockChange, SupplierIn, SupplierUpdate

RowT = TypeVar("RowT", Supplier, Product, StockMovement)


async def _page(session: AsyncSession, query: Select[Any], limit: int, offset: int) -> Page[Any]:
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.limit(limit).offset(offset))
    return Page(items=list(rows), total=total or 0, limit=limit, offset=offset)


async def _flush(session: AsyncSession, conflict: str) -> None:
    """Write pending changes now, so a duplicate is a 409 here and not a failed commit."""
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise AlreadyExists(conflict) from exc


async def _get(session: AsyncSession, model: type[RowT], row_id: int) -> RowT:
    row = await session.get(model, row_id)
    if row is None:
        raise NotFound(f"{model.__name__.lower()} {row_id} does not exist")
    return row


# Suppliers


async def list_suppliers(session: AsyncSession, limit: int, offset: int) -> Page[Any]:
    return await _page(session, select(Supplier).order_by(Supplier.id), limit, offset)


async def get_supplier(session: AsyncSession, supplier_id: int) -> Supplier:
    return await _get(session, Supplier, supplier_id)


async def create_supplier(session: AsyncSession, data: SupplierIn) -> Supplier:
    supplier = Supplier(**data.model_dump())
    session.add(supplier)
    await _flush(session, f"a supplier named {data.name!r} already exists")
    return supplier


async def update_supplier(
    session: AsyncSession, supplier_id: int, data: SupplierUpdate
) -> Supplier:
    supplier = await get_supplier(session, supplier_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(supplier, field, value)
    await _flush(session, f"a supplier named {data.name!r} already exists")
    return supplier


async def delete_supplier(session: AsyncSession, supplier_id: int) -> None:
    supplier = await get_supplier(session, supplier_id)
    supplied = await session.scalar(
        select(func.count()).select_from(Product).where(Product.supplier_id == supplier_id)
    )
    if supplied:
        raise AlreadyExists(f"supplier {supplier_id} still supplies {supplied} product(s)")
    await session.delete(supplier)


# Products


async def list_products(
    session: AsyncSession, limit: int, offset: int, supplier_id: int | None
) -> Page[Any]:
    query = select(Product).order_by(Product.id)
    if supplier_id is not None:
        query = query.where(Product.supplier_id == supplier_id)
    return await _page(session, query, limit, offset)


async def get_product(session: AsyncSession, product_id: int) -> Product:
    return await _get(session, Product, product_id)


async def _require_supplier(session: AsyncSession, supplier_id: int) -> None:
    if await session.get(Supplier, supplier_id) is None:
        raise Unprocessable(f"supplier {supplier_id} does not exist")


async def create_product(session: AsyncSession, data: ProductIn) -> Product:
    await _require_supplier(session, data.supplier_id)
    product = Product(**data.model_dump(), quantity=0)
    session.add(product)
    await _flush(session, f"a product with SKU {data.sku!r} already exists")
    return product


async def update_product(session: AsyncSession, product_id: int, data: ProductUpdate) -> Product:
    product = await get_product(session, product_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("supplier_id") is not None:
        await _require_supplier(session, changes["supplier_id"])
    for field, value in changes.items():
        if value is not None:
            setattr(product, field, value)
    await _flush(session, "the product conflicts with another one")
    return product


async def delete_product(session: AsyncSession, product_id: int) -> None:
    await session.delete(await get_product(session, product_id))


# Stock


async def move_stock(
    session: AsyncSession, product_id: int, move: StockChange, user: str
) -> StockMovement:
    """Record a movement and change the quantity in one atomic UPDATE, never below zero.

    The condition sits in the UPDATE itself, so two concurrent withdrawals
    cannot both pass a check made before either writes (on either database).
    """
    changed = await session.execute(
        update(Product)
        .where(Product.id == product_id, Product.quantity + move.change >= 0)
        .values(quantity=Product.quantity + move.change)
        .returning(Product.quantity)
    )
    if changed.scalar_one_or_none() is None:
        product = await get_product(session, product_id)
        raise Unprocessable(
            f"only {product.quantity} unit(s) of {product.sku} in stock; "
            f"cannot remove {-move.change}"
        )
    movement = StockMovement(product_id=product_id, recorded_by=user, **move.model_dump())
    session.add(movement)
    await session.flush()
    return movement


async def list_movements(
    session: AsyncSession, product_id: int, limit: int, offset: int
) -> Page[Any]:
    await get_product(session, product_id)
    query = (
        select(StockMovement)
        .where(StockMovement.product_id == product_id)
        .order_by(StockMovement.id.desc())
    )
    return await _page(session, query, limit, offset)
