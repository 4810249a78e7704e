"""The trading REST API (ETNA Web API v1.0 subset), one module per resource family.

``sandbox.api.endpoints`` gathers them into routes. This package module imports nothing, so
the parts that only need the resource shapes (``resources``, ``enums``) can be imported
without pulling in the route handlers.
"""
