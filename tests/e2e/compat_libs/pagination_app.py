"""fastapi-pagination, unchanged: ``Page[...]`` routes, on the app and on an included router."""

import veloxapi.compat

veloxapi.compat.install()

from fastapi import APIRouter, FastAPI  # noqa: E402
from fastapi_pagination import Page, add_pagination, paginate  # noqa: E402
from fastapi_pagination.limit_offset import LimitOffsetPage  # noqa: E402
from fastapi_pagination.utils import disable_installed_extensions_check  # noqa: E402
from pydantic import BaseModel  # noqa: E402


class User(BaseModel):
    id: int
    name: str


disable_installed_extensions_check()  # SQLAlchemy is installed; these pages are lists

USERS = [User(id=i, name=f"user{i}") for i in range(1, 8)]

app = FastAPI()
router = APIRouter(prefix="/teams")


@app.get("/ready")
def ready() -> dict[str, bool]:
    return {"ready": True}


@app.get("/users")
def users(active: bool = True) -> Page[User]:
    return paginate(USERS if active else [])


@router.get("/{team}/members", response_model=LimitOffsetPage[User])
def members(team: str) -> LimitOffsetPage[User]:
    return paginate([u for u in USERS if u.id % 2 == (team == "odd")])


app.include_router(router)
add_pagination(app)
