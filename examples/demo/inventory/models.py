"""Tables of the inventory: suppliers, products, stock movements."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from veloxapi.batteries.db import Base, IntegerPK, Timestamps


class Supplier(IntegerPK, Timestamps, Base):
    __tablename__ = "suppliers"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str] = mapped_column(String(254))


class Product(IntegerPK, Timestamps, Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    price_cents: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)


class StockMovement(IntegerPK, Timestamps, Base):
    __tablename__ = "stock_movements"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    change: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(100))
