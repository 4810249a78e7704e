"""News and corporate actions of one company.

GET /news?symbol=AAPL                      NewsResource[], newest first (seeded per security on
                                           first read, then what /_sandbox/news published)
GET /news/corporate-actions?symbol=AAPL    CorporateActionResource[], newest first (what
                                           /_sandbox/corporate-actions published)

``symbol`` is required (422 without it); a symbol the sandbox does not list is the spec's 409
("Failed to fetch news/corporate actions for the company"). ``NewsResource.Date`` is epoch
seconds (int64); ``CorporateActionResource.Date`` a date-time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sandbox.api.errors import conflict
from sandbox.api.resources import iso
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.news import CorporateAction, NewsStory, seeded_stories
from sandbox.securities import Security
from sandbox.state import SandboxState


def stories_of(state: SandboxState, seed: int, security: Security) -> list[NewsStory]:
    """The security's news, oldest first, seeded on first read."""
    if security.id not in state.news:
        state.news[security.id] = seeded_stories(
            seed, security, int(time.time()), lambda: state.next_id("news")
        )
    return state.news[security.id]


def news_resource(story: NewsStory) -> dict[str, Any]:
    return {
        "NewsId": story.id,
        "Key": f"{story.symbol}-{story.id}",
        "Date": story.date,
        "Source": story.source,
        "Header": story.header,
        "Attachment": story.attachment,
        "Content": story.content,
    }


def corporate_action_resource(action: CorporateAction) -> dict[str, Any]:
    moment = iso(datetime.fromtimestamp(action.date, UTC))
    return {
        "Id": action.id,
        "CorporateActionEventId": action.id,
        "Completed": action.completed,
        "CompleteDate": moment,
        "UniqueId": action.unique_id,
        "SecurityId": action.security_id,
        "Date": moment,
        "Type": action.type,
        "IsCancel": action.is_cancel,
        "Data": dict(action.data),
    }


def _security(call: ApiCall, what: str) -> Security:
    symbol = call.query_str("symbol", required=True)
    security = call.sb.state.security(symbol)
    if security is None:
        raise conflict(f"Failed to fetch {what} for the company '{symbol}'.")
    return security


async def get_news(call: ApiCall) -> Any:
    security = _security(call, "news")
    stories = stories_of(call.sb.state, call.sb.config.seed, security)
    return [news_resource(s) for s in sorted(stories, key=lambda s: (s.date, s.id), reverse=True)]


async def get_corporate_actions(call: ApiCall) -> Any:
    security = _security(call, "corporate actions")
    actions = [a for a in call.sb.state.corporate_actions.values() if a.security_id == security.id]
    return [corporate_action_resource(a) for a in sorted(actions, key=lambda a: a.id, reverse=True)]


ENDPOINTS = (
    Endpoint("GET", "/news", get_news, bucket="securities"),
    Endpoint("GET", "/news/corporate-actions", get_corporate_actions, bucket="securities"),
)
