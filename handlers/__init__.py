"""One module per Slack surface, each exposing ``register(app, router, services)``."""

from handlers import account, agreements, help, link
from handlers import order

HANDLER_MODULES = (link, help, agreements, account)
HANDLER_MODULES += (order,)
