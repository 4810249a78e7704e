"""The contract: spec/autoshares/openapi.yaml (Swagger 2.0, vendored) as JSON Schema validators.

Swagger 2.0 definitions are a draft-4 subset plus a few extras, handled here:
- ``$ref: '#/definitions/X'`` is resolved against a root document that embeds all definitions;
- ``readOnly``, ``example``, ``discriminator`` are annotations (ignored);
- ``x-nullable: true`` (none in this file today) widens the type with null;
- ``format`` int32/int64 ranges and date-time are checked with a custom format checker.
Strict mode additionally closes every object definition (``additionalProperties: false``) so a
misspelled PascalCase property fails, with a short list of documented extras allowed.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient, UserApi
from sandbox import SandboxConfig
from sandbox.server import RunningSandbox
from tests.conftest import CLIENT_TLS
from tests.sandbox.conftest import api_headers, exchange, get_code

#: The vendored AutoShares spec (spec/README.md says where it comes from). A missing file fails
#: every contract test: it is part of the repository, never a reason to skip.
SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "autoshares" / "openapi.yaml"

#: Properties the sandbox sends beyond a definition, each documented elsewhere.
DOCUMENTED_EXTRAS: dict[str, set[str]] = {
    # README: "items carry Id, Type, Title, Version, CanSkip"; signing needs the Id.
    "AgreementItemResource": {"Id", "Title", "Version"},
}


def _fix_swagger(node: Any) -> Any:
    """Swagger-only keywords -> JSON Schema draft 4."""
    if isinstance(node, dict):
        fixed = {k: _fix_swagger(v) for k, v in node.items() if k not in ("example", "discriminator")}
        if fixed.pop("x-nullable", False) and "type" in fixed:
            fixed["type"] = [fixed["type"], "null"]
        return fixed
    if isinstance(node, list):
        return [_fix_swagger(item) for item in node]
    return node


def _close_objects(definitions: dict[str, Any]) -> dict[str, Any]:
    closed = copy.deepcopy(definitions)
    for name, schema in closed.items():
        if (
            schema.get("type") == "object"
            and "properties" in schema
            and ("additionalProperties" not in schema)
        ):
            schema["additionalProperties"] = False
            for extra in DOCUMENTED_EXTRAS.get(name, ()):
                schema["properties"].setdefault(extra, {})
    return closed


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()

    @checker.checks("int32")
    def int32(value: object) -> bool:
        return not isinstance(value, int) or -(2**31) <= value < 2**31

    @checker.checks("int64")
    def int64(value: object) -> bool:
        return not isinstance(value, int) or -(2**63) <= value < 2**63

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError("date-time without a time zone")
        return True

    return checker


class Contract:
    """Validators for the spec's definitions and operation responses."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.paths: dict[str, Any] = spec["paths"]
        self.definitions = _fix_swagger(spec["definitions"])
        self._strict = _close_objects(self.definitions)
        self._checker = _format_checker()

    def operation(self, method: str, template: str) -> dict[str, Any]:
        """The spec's operation for e.g. ('GET', '/accounts/{accountId}/info')."""
        path = (
            template if template.startswith("/token") or template == "/logout" else ("/v{version}" + template)
        )
        return self.paths[path][method.lower()]

    def documented_statuses(self, method: str, template: str) -> set[int]:
        return {int(code) for code in self.operation(method, template)["responses"]}

    def response_schema(self, method: str, template: str, status: int = 200) -> dict[str, Any]:
        response = self.operation(method, template)["responses"][str(status)]
        return _fix_swagger(response["schema"])

    def errors(self, schema: dict[str, Any], body: Any, *, strict: bool = True) -> list[str]:
        root = dict(schema, definitions=self._strict if strict else self.definitions)
        validator = jsonschema.Draft4Validator(root, format_checker=self._checker)
        return [
            f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
            for error in validator.iter_errors(body)
        ]

    def check_response(self, method: str, template: str, response: httpx.Response) -> Any:
        """Assert the response's status is documented and its body fits the schema; return it."""
        assert response.status_code in self.documented_statuses(method, template), (
            response.status_code,
            response.text,
        )
        body = response.json()
        problems = self.errors(self.response_schema(method, template, response.status_code), body)
        assert not problems, f"{method} {template}: {problems[:5]}"
        return body

    def check_definition(self, name: str, body: Any) -> None:
        problems = self.errors({"$ref": f"#/definitions/{name}"}, body)
        assert not problems, f"{name}: {problems[:5]}"

    def operation_of(self, request: httpx.Request) -> tuple[str, dict[str, Any]]:
        """The spec template and operation a request was sent for (exactly one must fit; an
        integer path parameter fits digits (or ``@me``) only, so ``/equities/AAPL`` is by symbol,
        and a literal segment before a parameter, so ``/equities/lookup`` is the lookup)."""
        path = request.url.path
        found = []
        for template, operations in self.paths.items():
            operation = operations.get(request.method.lower())
            if operation is None:
                continue
            whole = {
                p["name"] for p in operation["parameters"] if p["in"] == "path" and p.get("type") == "integer"
            }
            pattern = re.sub(
                r"\\{([^/]+)\\}",
                lambda m, whole=whole: "(?:[0-9]+|@me)" if m[1] in whole else "[^/]+",
                re.escape(template),
            )
            if re.fullmatch(pattern, path):
                found.append((template, operation))
        fewest = min((t.count("{") for t, _ in found), default=0)  # a literal segment fits first
        found = [(t, op) for t, op in found if t.count("{") == fewest]
        assert len(found) == 1, (request.method, path, found)
        return found[0]

    def check_call(self, request: httpx.Request, response: httpx.Response) -> str:
        """Assert a call the client made is its spec operation (query parameter names, the
        required ones present, the body's schema, no body where none is declared) and that the
        answer's status is documented and its body fits that response's schema, where it has one.
        Returns the operation's id."""
        template, operation = self.operation_of(request)
        declared = {p["name"]: p for p in operation["parameters"]}
        queries = {n for n, p in declared.items() if p["in"] == "query"}
        required = {n for n in queries if declared[n].get("required")}
        sent = set(request.url.params)
        assert sent <= queries and required <= sent, (template, sent, queries)
        body = next((p for p in operation["parameters"] if p["in"] == "body"), None)
        if body is not None:
            assert not self.errors(body["schema"], json.loads(request.content)), template
        else:
            assert not request.content, template
        path = template.removeprefix("/v{version}")
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, (template, response.status_code, response.text)
        if "schema" in documented:
            self.check_response(request.method, path, response)
        return str(operation["operationId"])


@pytest.fixture(scope="session")
def contract() -> Contract:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return Contract(yaml.load(handle, Loader=loader))


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(tick_seconds=0, webhook_retry_scale=0.001)


@pytest.fixture
def sb(sandbox: RunningSandbox) -> RunningSandbox:
    """The session's sandbox, reset to a fresh start with ``sandbox_config`` (tests/conftest.py)."""
    return sandbox


@pytest.fixture
async def client(sb: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sb.api_url, trust_env=False, timeout=10, verify=CLIENT_TLS) as http:
        yield http


@pytest.fixture
async def root_client(sb: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sb.url, trust_env=False, timeout=10, verify=CLIENT_TLS) as http:
        yield http


@pytest.fixture
def login(root_client: httpx.AsyncClient) -> Callable[[str], Any]:
    async def run(username: str) -> dict[str, str]:
        token = (await exchange(root_client, await get_code(root_client, username))).json()
        return api_headers(token["access_token"])

    return run


@pytest.fixture
async def bob(login: Callable[[str], Any]) -> dict[str, str]:
    return await login("bob")


@pytest.fixture
async def alice(login: Callable[[str], Any]) -> dict[str, str]:
    return await login("alice")


#: The calls a client made, each with its answer, in order.
Calls = list[tuple[httpx.Request, httpx.Response]]


@asynccontextmanager
async def recording(
    sb: RunningSandbox, headers: dict[str, str], user_id: int | None
) -> AsyncIterator[tuple[UserApi, Calls]]:
    """The bot's client acting for the user of ``headers`` (a login's) against the sandbox, and
    every call it makes with the sandbox's answer, read in full, for ``Contract.check_call``."""
    sent: Calls = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        sent.append((response.request, response))

    async with httpx.AsyncClient(event_hooks={"response": [keep]}, verify=CLIENT_TLS) as http:
        token = BearerToken(headers["Authorization"].removeprefix("Bearer "))
        yield (
            AutoSharesClient(http, base_url=sb.url, app_key=headers["Et-App-Key"]).for_user(token, user_id),
            sent,
        )
