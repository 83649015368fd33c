"""Routing guide: an app, a router with a prefix and tags, path operations."""

from veloxapi import APIRouter, HTTPException, VeloxAPI, status

app = VeloxAPI(title="Library")
books = APIRouter(prefix="/books", tags=["books"])

BOOKS = {1: "Dune", 2: "Solaris"}


@books.get("/")
async def list_books() -> list[str]:
    return list(BOOKS.values())


@books.get("/{book_id}")
async def get_book(book_id: int) -> dict[str, str]:
    if book_id not in BOOKS:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Book not found")
    return {"title": BOOKS[book_id]}


@books.post("/", status_code=status.HTTP_201_CREATED)
async def add_book(title: str) -> dict[str, int]:
    book_id = max(BOOKS) + 1
    BOOKS[book_id] = title
    return {"id": book_id}


app.include_router(books)
