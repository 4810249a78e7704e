"""Trading accounts: list, bind, select, balances.

GET /users/{userId}/accounts                          UserAccountModel[]
PUT /accounts/{accountId}/users/{userId}?accessType=  UserToAccountRelationModel (caller needs
                                                      Owner/Full access to the account)
PUT /accounts/{accountId}/username/{username}?accessType=   same, naming the user by login
PUT /accounts/{accountId}/select                      200 {} (the user's default account)
GET /accounts/{accountId}/info                        flat {name: number} balances
"""

from __future__ import annotations

from typing import Any

from sandbox.api import resources
from sandbox.api.enums import ACCESS_TYPES
from sandbox.api.errors import invalid_parameter, not_found
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.state import Account, User


async def get_accounts(call: ApiCall) -> Any:
    user_id = call.user_id()
    state = call.sb.state
    return [resources.user_account(a, user_id, state) for a in state.accounts_of(user_id)]


async def bind_account(call: ApiCall) -> Any:
    account = call.account(write=True)
    raw_user = call.path_param("userId")
    target_id = call.user.id if raw_user == "@me" else (int(raw_user) if raw_user.isdigit() else None)
    if target_id is None:
        raise invalid_parameter("userId", f"The value '{raw_user}' is not valid.")
    target = call.sb.state.users.get(target_id)
    if target is None:
        raise not_found(f"User {target_id} was not found.")
    return _bind(call, account, target)


async def bind_account_by_username(call: ApiCall) -> Any:
    account = call.account(write=True)
    login = call.path_param("username")
    target = call.sb.state.user_by_login(login)
    if target is None:
        raise not_found(f"User '{login}' was not found.")
    return _bind(call, account, target)


def _bind(call: ApiCall, account: Account, target: User) -> Any:
    access = call.query_str("accessType", required=True)
    if access not in ACCESS_TYPES:
        raise invalid_parameter("accessType", f"Must be one of {', '.join(ACCESS_TYPES)}.")
    if account.users.get(target.id) != "Owner":
        account.users[target.id] = access
    return {"UserModel": resources.user_info(target), "AccountAccessType": account.users[target.id]}


async def select_account(call: ApiCall) -> Any:
    account = call.account()
    call.user.selected_account_id = account.id
    return {}


async def get_balances(call: ApiCall) -> Any:
    account = call.account()
    broker = call.sb.engine.broker
    pending = len(broker.open_orders(account.id))
    return broker.balances(account).as_map(account, pending)


ENDPOINTS = (
    Endpoint("GET", "/users/{userId}/accounts", get_accounts),
    Endpoint("PUT", "/accounts/{accountId}/users/{userId}", bind_account),
    Endpoint("PUT", "/accounts/{accountId}/username/{username}", bind_account_by_username),
    Endpoint("PUT", "/accounts/{accountId}/select", select_account),
    Endpoint("GET", "/accounts/{accountId}/info", get_balances),
)
