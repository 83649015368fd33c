"""``app.py`` with the request-body timeout turned off, to see what that timeout costs."""

import app as defaults

from veloxapi import VeloxAPI

app = VeloxAPI(request_body_timeout=None)
app.get("/items/{item_id}")(defaults.read_item)
app.post("/orders")(defaults.create_order)
