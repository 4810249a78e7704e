"""Price alerts of the calling user.

GET    /users/{userId}/pricealerts?pageSize&pageNumber&sortBy&isDesc  PagingResult[PriceAlertInfoModel]
POST   /users/{userId}/pricealerts              PriceAlertEditableModel -> PriceAlertInfoModel
GET    /users/{userId}/pricealerts/{alertId}    PriceAlertInfoModel
PUT    /users/{userId}/pricealerts/{alertId}    PriceAlertEditableModel -> PriceAlertInfoModel
DELETE /users/{userId}/pricealerts/{alertId}    200 {}

Body rules (422 naming the field): Operator (GTEQ|LTEQ), Field (Last|Bid|Ask) and
ExpirationDate (epoch, >= 0; 0 = never) are required, as the spec says; SecurityId must name a
listed security and Argument a number >= 0; State, if given, is a spec enum value (New re-arms a
fired alert, Stopped pauses it). Another user's alert answers 404.
"""

from __future__ import annotations

from typing import Any

from sandbox.api import resources
from sandbox.api.enums import ALERT_FIELDS, ALERT_OPERATORS, ALERT_STATES
from sandbox.api.errors import invalid_parameter, not_found
from sandbox.api.paging import page
from sandbox.api.positions import sort_items
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.api.validation import BodyReader
from sandbox.state import PriceAlert


def _read_alert(call: ApiCall, body: dict[str, Any]) -> dict[str, Any]:
    reader = BodyReader(body)
    values = {
        "operator": reader.enum("Operator", ALERT_OPERATORS, required=True),
        "field": reader.enum("Field", ALERT_FIELDS, required=True),
        "expiration_date": reader.integer("ExpirationDate", required=True, minimum=0),
        "security_id": reader.integer("SecurityId", required=True, minimum=0, maximum=2_147_483_647),
        "argument": reader.number("Argument", required=True, minimum=0),
        "state": reader.enum("State", ALERT_STATES),
    }
    if values["security_id"] is not None and values["security_id"] not in call.sb.state.securities:
        reader.problems.append(("SecurityId", f"Security {values['security_id']} does not exist."))
    reader.raise_if_invalid()
    return values


def _alert_of(call: ApiCall, user_id: int) -> PriceAlert:
    raw = call.path_param("alertId")
    if not raw.isdigit():
        raise invalid_parameter("alertId", f"The value '{raw}' is not valid.")
    alert = call.sb.state.alerts.get(int(raw))
    if alert is None or alert.user_id != user_id:
        raise not_found(f"Price alert {raw} was not found.")
    return alert


async def list_alerts(call: ApiCall) -> Any:
    user_id = call.user_id()
    page_size = call.query_int("pageSize", required=True, minimum=1)
    page_number = call.query_int("pageNumber", required=True)
    sort_by = call.query_str("sortBy", required=True)
    desc = call.query_bool("isDesc", required=True)
    items = [resources.price_alert(a) for a in call.sb.state.alerts.values() if a.user_id == user_id]
    items = sort_items(items, sort_by, desc)
    chunk, result = page(call.request, items, page_number, page_size)
    result["Result"] = chunk
    return result


async def create_alert(call: ApiCall) -> Any:
    user_id = call.user_id()
    values = _read_alert(call, await call.json_object())
    state = call.sb.state
    security = state.securities[values["security_id"]]
    alert = PriceAlert(
        id=state.next_id("alert"),
        user_id=user_id,
        security_id=security.id,
        symbol=security.symbol,
        operator=values["operator"],
        field=values["field"],
        argument=values["argument"],
        expiration_date=values["expiration_date"],
        state=values["state"] or "New",
    )
    state.alerts[alert.id] = alert
    return resources.price_alert(alert)


async def get_alert(call: ApiCall) -> Any:
    return resources.price_alert(_alert_of(call, call.user_id()))


async def modify_alert(call: ApiCall) -> Any:
    alert = _alert_of(call, call.user_id())
    values = _read_alert(call, await call.json_object())
    security = call.sb.state.securities[values["security_id"]]
    alert.security_id, alert.symbol = security.id, security.symbol
    alert.operator, alert.field = values["operator"], values["field"]
    alert.argument, alert.expiration_date = values["argument"], values["expiration_date"]
    if values["state"]:
        alert.state = values["state"]
    return resources.price_alert(alert)


async def delete_alert(call: ApiCall) -> Any:
    alert = _alert_of(call, call.user_id())
    del call.sb.state.alerts[alert.id]
    return {}


ENDPOINTS = (
    Endpoint("GET", "/users/{userId}/pricealerts", list_alerts, bucket="price_alerts"),
    Endpoint("POST", "/users/{userId}/pricealerts", create_alert, bucket="price_alerts"),
    Endpoint("GET", "/users/{userId}/pricealerts/{alertId}", get_alert, bucket="price_alerts"),
    Endpoint("PUT", "/users/{userId}/pricealerts/{alertId}", modify_alert, bucket="price_alerts"),
    Endpoint("DELETE", "/users/{userId}/pricealerts/{alertId}", delete_alert, bucket="price_alerts"),
)
