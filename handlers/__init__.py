"""One module per Slack surface, each exposing ``register(app, router, services)``."""

from handlers import account, agreements, alert, help, home, link, order, quote

HANDLER_MODULES = (link, help, agreements, account, order, quote, alert, home)
