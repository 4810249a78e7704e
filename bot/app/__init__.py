"""Composition: settings, wiring, the Slack app, the web app, webhooks, pollers, Socket Mode and the operational checks."""
