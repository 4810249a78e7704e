"""The domain's words and rules, each defined once: AutoShares ids, ticker symbols, order and
alert bounds, pending-order states, roles and team limits.

Every layer speaks this vocabulary (the grammar, the forms, the Block Kit builders through
``bot.core.views``, the use cases and storage), so it imports nothing of the project: the
import-linter contract "vocabulary-stands-alone" keeps it that way.
"""
