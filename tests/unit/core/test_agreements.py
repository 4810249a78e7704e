"""``bot.core.agreements``: the trading gate always asks AutoShares; Sign signs only the required or named ones."""

from __future__ import annotations

from typing import Any

import pytest

from bot.autoshares.errors import AutoSharesUnavailable
from bot.autoshares.resources import Agreement
from bot.core.agreements import AgreementService, is_required
from bot.core.errors import AgreementsOutstandingError, NotLinkedError
from tests.unit.core.conftest import People, StandInApi

REQUIRED = Agreement.model_validate(
    {"Id": 11, "Type": "Platform", "Title": "Platform agreement", "CanSkip": False}
)
OPTIONAL = Agreement.model_validate({"Id": 12, "Title": "Market data", "Version": "2", "CanSkip": True})
DEFAULTED = Agreement.model_validate({"Id": 13, "Title": "Margin"})  # CanSkip left out: required


class Signer:
    """AutoShares' agreements: signing one removes it from the list."""

    def __init__(self, *agreements: Agreement) -> None:
        self.outstanding = list(agreements)

    def listed(self) -> list[Agreement]:
        return list(self.outstanding)

    def sign(self, agreement_id: Any) -> None:
        self.outstanding = [a for a in self.outstanding if a.id != agreement_id]

    def api(self) -> StandInApi:
        return StandInApi(agreements=self.listed, sign_agreement=self.sign)


def test_an_agreement_is_required_unless_autoshares_says_it_can_be_skipped() -> None:
    assert is_required(REQUIRED) and is_required(DEFAULTED)
    assert not is_required(OPTIONAL)


async def test_the_gate_refuses_while_any_agreement_is_outstanding_and_carries_the_list(
    people: People,
) -> None:
    api = StandInApi(agreements=[OPTIONAL])
    await people.link(api, agreements_outstanding=0)
    user = await people.users.acting("T1", "U1")
    with pytest.raises(AgreementsOutstandingError) as refused:
        await AgreementService(people.users).require_signed(user)
    assert refused.value.agreements == [OPTIONAL]  # even one that may be skipped must be dealt with
    assert (await people.stored()).agreements_outstanding == 1  # the count follows what was read


async def test_the_gate_asks_autoshares_every_time_never_the_count_on_the_link(people: People) -> None:
    api = StandInApi(agreements=[])
    await people.link(api, agreements_outstanding=3)  # a stale count from an earlier sign-in
    user = await people.users.acting("T1", "U1")
    gate = AgreementService(people.users)
    await gate.require_signed(user)
    await gate.require_signed(user)
    assert api.asked == ["agreements", "agreements"]
    assert (await people.stored()).agreements_outstanding == 0


async def test_the_gate_fails_closed_when_autoshares_cannot_say(people: People) -> None:
    await people.link(StandInApi(agreements=AutoSharesUnavailable("timeout")))
    user = await people.users.acting("T1", "U1")
    with pytest.raises(AutoSharesUnavailable):
        await AgreementService(people.users).require_signed(user)


async def test_outstanding_needs_a_link(people: People) -> None:
    with pytest.raises(NotLinkedError):
        await AgreementService(people.users).outstanding("T1", "U-nobody")


async def test_sign_without_ids_signs_every_required_one_and_leaves_the_optional(people: People) -> None:
    signer = Signer(REQUIRED, OPTIONAL, DEFAULTED)
    api = signer.api()
    await people.link(api, agreements_outstanding=3)
    signing = await AgreementService(people.users).sign("T1", "U1", None)
    assert [a.id for a in signing.signed] == [11, 13]
    assert [args for args, _ in api.called("sign_agreement")] == [(11,), (13,)]
    assert signing.remaining == [OPTIONAL]  # read again after signing
    assert (await people.stored()).agreements_outstanding == 1


async def test_sign_with_ids_signs_only_those_and_ignores_ids_not_outstanding(people: People) -> None:
    signer = Signer(REQUIRED, OPTIONAL)
    api = signer.api()
    await people.link(api)
    signing = await AgreementService(people.users).sign("T1", "U1", {"12", "99"})  # 99: a stale button
    assert [a.id for a in signing.signed] == [12]
    assert [args for args, _ in api.called("sign_agreement")] == [(12,)]
    assert signing.remaining == [REQUIRED]


async def test_sign_that_signs_nothing_reuses_the_list_it_read(people: People) -> None:
    api = Signer(OPTIONAL).api()
    await people.link(api)
    signing = await AgreementService(people.users).sign("T1", "U1", None)
    assert signing.signed == [] and signing.remaining == [OPTIONAL]
    assert api.asked == ["agreements"]  # nothing signed: no second read
    assert (await AgreementService(people.users).outstanding("T1", "U1")) == [OPTIONAL]
