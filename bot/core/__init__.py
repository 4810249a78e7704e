"""Use cases: what the bot can do, with no Slack imports (handlers are the Slack surface over it)."""
