"""A small bookshelf API written against veloxapi's public API.

Run it with ``make run`` and open http://127.0.0.1:8000/docs, or try:

    curl http://127.0.0.1:8000/books?limit=2
    curl http://127.0.0.1:8000/books/1
    curl -X POST http://127.0.0.1:8000/books -H 'x-api-key: demo-key' \\
         -H 'content-type: application/json' -d '{"title": "Dune", "author": "Frank Herbert"}'
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from veloxapi import APIRouter, Depends, Header, HTTPException, Query, VeloxAPI, status

DEMO_API_KEY = "demo-key"


class BookIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    year: int | None = Field(default=None, ge=0, le=2100)


class Book(BookIn):
    id: int


class Shelf:
    """In-memory storage; one instance per process, handed to endpoints by ``get_shelf``."""

    def __init__(self) -> None:
        self._books: dict[int, Book] = {}

    def add(self, book: BookIn) -> Book:
        stored = Book(id=len(self._books) + 1, **book.model_dump())
        self._books[stored.id] = stored
        return stored

    def get(self, book_id: int) -> Book | None:
        return self._books.get(book_id)

    def page(self, offset: int, limit: int, author: str | None) -> list[Book]:
        books = [b for b in self._books.values() if author is None or b.author == author]
        return books[offset : offset + limit]


_shelf = Shelf()
_shelf.add(BookIn(title="The Left Hand of Darkness", author="Ursula K. Le Guin", year=1969))
_shelf.add(BookIn(title="Solaris", author="Stanisław Lem", year=1961))


def get_shelf() -> Shelf:
    return _shelf


def require_api_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
    if x_api_key != DEMO_API_KEY:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Invalid API key")


ShelfDep = Annotated[Shelf, Depends(get_shelf)]

router = APIRouter(prefix="/books", tags=["books"])


@router.get("", response_model=list[Book])
def list_books(
    shelf: ShelfDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    author: Annotated[str | None, Query(max_length=100)] = None,
) -> list[Book]:
    return shelf.page(offset, limit, author)


@router.get("/{book_id}", response_model=Book)
def read_book(book_id: int, shelf: ShelfDep) -> Book:
    book = shelf.get(book_id)
    if book is None:
        raise HTTPException(status_code=404, detail=f"Book {book_id} not found")
    return book


@router.post(
    "",
    response_model=Book,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_api_key)],
)
def create_book(book: BookIn, shelf: ShelfDep) -> Book:
    return shelf.add(book)


app = VeloxAPI(title="Bookshelf", version="1.0.0")
app.include_router(router)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
