"""Block Kit builders (slack_sdk.models.blocks), no I/O: one module per surface.

``common`` (errors, linking, status, help), ``agreements``, ``account``, ``quote``, ``order``,
``alert``, ``home``, and ``numbers`` for figures. Each builder returns the keyword arguments of
a message, ``{"text": ..., "blocks": [...]}``, with ``text`` as the notification and fallback
text. They take plain values and the read-only views of ``bot.core.views``, never storage rows.
"""
