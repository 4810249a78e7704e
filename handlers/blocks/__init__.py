"""Block Kit builders (slack_sdk.models.blocks), no I/O.

One module per surface: ``common`` (errors, linking, status, help) here, and feature modules
beside it. Each builder returns the keyword arguments of a message: ``{"text": ..., "blocks": [...]}``
with ``text`` as the notification/fallback text.
"""

from handlers.blocks.account import *  # noqa: F403
from handlers.blocks.account import __all__ as _account_all
from handlers.blocks.agreements import *  # noqa: F403
from handlers.blocks.agreements import __all__ as _agreements_all
from handlers.blocks.alert import *  # noqa: F403
from handlers.blocks.alert import __all__ as _alert_all
from handlers.blocks.common import *  # noqa: F403
from handlers.blocks.common import __all__ as _common_all
from handlers.blocks.home import *  # noqa: F403
from handlers.blocks.home import __all__ as _home_all
from handlers.blocks.order import *  # noqa: F403
from handlers.blocks.order import __all__ as _order_all
from handlers.blocks.quote import *  # noqa: F403
from handlers.blocks.quote import __all__ as _quote_all

__all__ = list(_common_all)
__all__ += _agreements_all
__all__ += _account_all
__all__ += _quote_all
__all__ += _order_all
__all__ += _alert_all
__all__ += _home_all
