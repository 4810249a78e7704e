"""The Slack surface: thin listeners over ``bot.core``, one module per surface.

Each surface module exposes ``register(app, surface)``; ``handlers.surfaces.register_all`` calls
them all. A surface's listeners are named module-level functions listed in one table
(``LISTENERS``) that ``register`` hands to ``handlers.kit.register_table``. ``kit`` holds the contexts, the ack and the one error boundary per kind of surface,
``errors`` the words for every error, ``notify`` how the bot posts on its own, ``parsing`` the
command grammar and ``blocks`` the Block Kit builders.
"""
