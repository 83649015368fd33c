"""OpenAPI guide: metadata, tags, response models and documented error responses."""

from pydantic import BaseModel

from veloxapi import VeloxAPI

app = VeloxAPI(
    title="Weather",
    version="2.1.0",
    summary="Forecasts by city",
    openapi_tags=[{"name": "forecasts", "description": "Daily forecasts"}],
)


class Forecast(BaseModel):
    city: str
    celsius: float


class Problem(BaseModel):
    detail: str


@app.get(
    "/forecasts/{city}",
    tags=["forecasts"],
    response_model=Forecast,
    responses={404: {"model": Problem, "description": "Unknown city"}},
    summary="Tomorrow's forecast",
)
async def forecast(city: str) -> Forecast:
    return Forecast(city=city, celsius=21.5)


@app.get("/internal/reload", include_in_schema=False)
async def reload() -> dict[str, bool]:
    return {"reloaded": True}
