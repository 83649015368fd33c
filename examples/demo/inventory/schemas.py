"""What the API accepts and answers for the inventory."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

T = TypeVar("T")

Sku = Field(min_length=3, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9-]*$")


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, how many there are in all, and where the page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


class SupplierIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr


class SupplierUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    email: EmailStr | None = None


class SupplierOut(SupplierIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    updated_at: datetime


class ProductIn(BaseModel):
    sku: str = Sku
    name: str = Field(min_length=1, max_length=200)
    price_cents: int = Field(ge=0, le=100_000_000)
    supplier_id: int = Field(ge=1)


class ProductUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    price_cents: int | None = Field(default=None, ge=0, le=100_000_000)
    supplier_id: int | None = Field(default=None, ge=1)


class ProductOut(ProductIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    quantity: int
    created_at: datetime
    updated_at: datetime


class StockChange(BaseModel):
    change: int = Field(ge=-1_000_000, le=1_000_000, description="Units in (+) or out (-)")
    reason: str = Field(min_length=1, max_length=200)

    @field_validator("change")
    @classmethod
    def _moves_something(cls, value: int) -> int:
        if value == 0:
            raise ValueError("a stock movement changes the quantity; 0 changes nothing")
        return value


class StockMovementOut(StockChange):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    recorded_by: str
    created_at: datetime
