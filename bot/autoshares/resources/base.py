"""The frozen base of every AutoShares resource, and the one place an answer is validated.

Properties are read under both spellings AutoShares' published pages use (``SecurityId`` in the
spec, ``securityId`` in the webhook and newer pages); properties the bot does not use are
ignored; a property the bot needs that is missing or malformed is an ``AutoSharesMalformed``
naming the endpoint and the property.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import AliasChoices, AliasGenerator, BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel, to_pascal

from bot.autoshares.errors import AutoSharesMalformed


def both_spellings(name: str) -> AliasChoices:
    """``security_id`` → ``SecurityId`` or ``securityId``."""
    pascal = to_pascal(name)
    return AliasChoices(pascal, to_camel(name))


class Resource(BaseModel):
    """An AutoShares answer (or part of one), read once; immutable."""

    model_config = ConfigDict(
        frozen=True,
        extra="ignore",
        allow_inf_nan=False,
        populate_by_name=True,
        alias_generator=AliasGenerator(validation_alias=both_spellings),
    )


R = TypeVar("R", bound=BaseModel)


def _property(model: type[BaseModel], loc: Sequence[int | str]) -> str:
    """The error's location as AutoShares spells it (``Result/2/Status``)."""
    parts: list[str] = []
    current: Any = model
    for part in loc:
        fields = getattr(current, "model_fields", None)
        if isinstance(part, str) and fields and part in fields:
            alias = fields[part].validation_alias
            parts.append(str(alias.choices[0]) if isinstance(alias, AliasChoices) else str(alias or part))
            annotation = fields[part].annotation
            current = annotation if isinstance(annotation, type) else None
        else:
            parts.append(str(part))
    return "/".join(parts) or "the body"


def malformed(error: ValidationError, model: type[BaseModel], endpoint: str) -> AutoSharesMalformed:
    """The client's error for an answer that does not fit ``model``; names the endpoint and the
    first property at fault and why (an enum's or a number's text is cut short)."""
    first = error.errors(include_input=False, include_url=False)[0]
    where = _property(model, first["loc"])
    if first["type"] == "missing":
        problem = f"has no {where}"
    else:
        problem = f"has an unusable {where} ({first['msg'].removeprefix('Value error, ')[:120]})"
    article = "an" if model.__name__[:1] in "AEIOU" else "a"
    return AutoSharesMalformed(
        f"AutoShares {endpoint} answered {article} {model.__name__} that {problem}",
        endpoint=endpoint,
        field=where,
    )


def parse(model: type[R], body: object, endpoint: str) -> R:
    """``body`` read as ``model``, or ``AutoSharesMalformed``."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise malformed(exc, model, endpoint) from None


def parse_list(model: type[R], body: object, endpoint: str) -> list[R]:
    """A JSON list of ``model`` (an empty answer is an empty list)."""
    if body is None:
        return []
    if not isinstance(body, list):
        raise AutoSharesMalformed(
            f"AutoShares {endpoint} answered {type(body).__name__} where a list was expected",
            endpoint=endpoint,
            field="the body",
        )
    found: list[R] = []
    for index, item in enumerate(body):
        try:
            found.append(model.model_validate(item))
        except ValidationError as exc:
            error = malformed(exc, model, endpoint)
            raise AutoSharesMalformed(
                error.operator_message.replace(" that ", f" (item {index}) that ", 1),
                endpoint=endpoint,
                field=f"{index}/{error.field}",
            ) from None
    return found
