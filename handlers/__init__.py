"""One module per Slack surface, each exposing ``register(app, router, services)``."""

from handlers import agreements, help, link

HANDLER_MODULES = (link, help, agreements)
