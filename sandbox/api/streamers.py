"""GET /streamers -> StreamerDataModel: where the quote WebSocket is, with a fresh SessionId.

See ``sandbox.streamer`` for the framing.
"""

from __future__ import annotations

from typing import Any

from sandbox.api.routing import ApiCall, Endpoint


async def get_streamers(call: ApiCall) -> Any:
    session = call.sb.hub.create_session(call.user.id)
    base = call.sb.issuer(call.request).replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    url = f"{base}streamer?SessionId={session.session_id}"
    return {
        "QuoteAddresses": [{"Url": url, "Type": "Quote", "SessionId": session.session_id}],
        "DataAddresses": [{"Url": url, "Type": "Data", "SessionId": session.session_id}],
    }


ENDPOINTS = (Endpoint("GET", "/streamers", get_streamers),)
