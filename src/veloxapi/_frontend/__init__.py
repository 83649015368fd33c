"""Built single-page frontends served by an API router at low priority.

``install`` registers one (``router.frontend(...)``), ``files`` serves its
build directory, ``route`` is the route that answers for it and ``priority``
keeps API routes, 405s and slash redirects ahead of every frontend.
"""
