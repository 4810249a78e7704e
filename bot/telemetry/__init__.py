"""Metrics and request context: what every layer may report, importing nothing of the bot."""
