"""One module per Slack surface, each exposing ``register(app, router, services)``."""

from handlers import help, link

HANDLER_MODULES = (link, help)
