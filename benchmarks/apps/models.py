"""Pydantic models shared by every benchmark app (the same validation work for all)."""

from pydantic import BaseModel, Field


class Item(BaseModel):
    item_id: int
    name: str
    limit: int
    q: str
    tags: list[str]


class Address(BaseModel):
    street: str
    city: str
    zip_code: str = Field(pattern=r"^\d{5}$")


class Customer(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    email: str
    address: Address


class LineItem(BaseModel):
    sku: str
    quantity: int = Field(gt=0)
    unit_price: float = Field(ge=0)


class Order(BaseModel):
    order_id: int
    customer: Customer
    lines: list[LineItem]
    note: str | None = None


class User(BaseModel):
    id: int
    name: str
    scopes: list[str]


class Tag(BaseModel):
    id: int
    label: str


class Dimensions(BaseModel):
    width: float
    height: float
    depth: float


class Product(BaseModel):
    id: int
    name: str
    price: float
    in_stock: bool
    tags: list[Tag]
    dimensions: Dimensions


class RouteOut(BaseModel):
    route: int
    item_id: int
    verbose: bool
