"""What every Slack surface is built from: contexts, the ack, and one error boundary per kind.

Every listener acks at once with no I/O (so Slack gets its answer in milliseconds however slow
AutoShares is) and does its work in a Bolt lazy listener. Bolt only logs what a lazy listener
raises, so each kind of surface has exactly one boundary here that turns a failure into what the
user sees (``handlers.errors`` words it):

Every command and button runs under one deadline (``COMMAND_DEADLINE_SECONDS``) that covers all
the AutoShares calls it makes and their retries; past it the user hears AutoShares did not
answer in time. A command (and a button that opts in) that has not answered within
``WORKING_MESSAGE_SECONDS`` shows a short "working on it" message that the answer replaces.

* slash commands: :class:`CommandRouter` parses the text and answers privately;
* buttons: :func:`on_button` answers the clicking user privately;
* modal submissions: :func:`on_view` posts privately where the modal was opened (or in a DM);
* events: :func:`on_event` hands the failure to the listener's own ``on_failure`` (App Home
  renders it in the tab);
* workflow steps: :func:`on_step` completes the step with its outputs, or fails it with the
  error's sentence in plain text (Workflow Builder shows it to the person who ran the workflow).

Each surface module declares its listeners in one table (``LISTENERS``) of :class:`Subcommand`,
:class:`Button`, :class:`LinkButton`, :class:`Form`, :class:`Event` and :class:`Step` entries,
each naming a module-level function that takes the :class:`Surface` first, and registers it with
:func:`register_table`, which binds the surface and goes through the boundaries above.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.complete.async_complete import AsyncComplete
from slack_bolt.context.fail.async_fail import AsyncFail
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.autoshares import deadline
from bot.autoshares.errors import AutoSharesUnavailable
from bot.core.errors import AgreementsOutstandingError
from bot.core.usecases import UseCases
from bot.core.views import TradingEnvironment
from bot.telemetry.metrics import Metrics
from handlers import errors
from handlers.blocks import agreements as agreement_blocks
from handlers.blocks.common import error_message, section
from handlers.notify import Responder, SlackClients, SlackSession, delivered, post_privately, responder
from handlers.parsing import AutosharesCommand, ParseError, parse_autoshares
from storage.intents import ClickIntents

log = logging.getLogger(__name__)

GATE_LEAD = (
    "Nothing was done: AutoShares needs these agreements signed before you can trade. "
    "Sign them here, then run your command again."
)

#: How long after the deadline a command is stopped outright (the deadline itself is soft).
DEADLINE_GRACE_SECONDS = 0.5
#: A click's intent stays leased this long past its deadline before another replica may take it.
INTENT_LEASE_MARGIN_SECONDS = 1.0

#: Slash commands other than /autoshares, and the subcommand each stands for.
SHORTCUTS = {
    "/quote": "quote",
    "/order": "order",
    "/fund": "fund",
    "/alert": "alert",
    "/account": "account",
    "/watch": "watch",
    "/options": "options",
    "/news": "news",
}


@dataclass(frozen=True)
class Limits:
    """How long one command or click may take, and when it shows that it is working."""

    deadline_seconds: float = 10.0
    working_after_seconds: float = 0.5


@dataclass
class Handled:
    """What the Slack surface answers, recorded as it is registered (a test holds it against
    the manifest, both ways)."""

    commands: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Surface:
    """What the Slack surface modules get: the use cases, the Slack clients, the metrics, and
    whether trading is paper or live (the badge on order messages and App Home), and the quote
    pages' domain (links to them unfurl)."""

    core: UseCases
    slack: SlackClients
    metrics: Metrics
    router: CommandRouter
    limits: Limits
    environment: TradingEnvironment
    #: AUTOSHARES_QUOTE_DOMAIN: links to its quote pages unfurl into quote cards
    quote_domain: str
    handled: Handled = field(default_factory=Handled)
    #: where the intents of durable clicks are leased and closed (None: not recorded)
    intents: ClickIntents | None = None


WORKING_TEXT = ":hourglass_flowing_sand: Working on it…"


def working_message() -> dict[str, Any]:
    return {"text": WORKING_TEXT, "blocks": [section(WORKING_TEXT).to_dict()]}


class Working:
    """Shows "working on it" if the answer is not ready after ``after`` seconds; ``stop`` says
    whether it was shown (so the answer replaces it)."""

    def __init__(self, show: Callable[[], Awaitable[Any]], after: float) -> None:
        self._show = show
        self._posting = False
        self.shown = False
        self._task = asyncio.ensure_future(self._run(after))

    async def _run(self, after: float) -> None:
        await asyncio.sleep(after)
        self._posting = True
        try:
            await self._show()
            self.shown = True
        except Exception as exc:  # an expired response_url: the answer will say it all
            log.info("could not show the working state: %s", type(exc).__name__)

    async def stop(self) -> bool:
        if not self._posting:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            return False
        await self._task
        return self.shown


T = TypeVar("T")


async def within_deadline(limits: Limits, work: Awaitable[T]) -> T:
    """Run ``work`` under the command deadline: AutoShares calls share it (``within``), and a
    hard stop just after it catches anything that does not look at it."""
    with deadline.within(limits.deadline_seconds):
        try:
            async with asyncio.timeout(limits.deadline_seconds + DEADLINE_GRACE_SECONDS):
                return await work
        except TimeoutError:
            raise AutoSharesUnavailable("the command deadline passed") from None


def failure_message(exc: BaseException) -> dict[str, Any]:
    """What the user sees when something they asked for failed: the agreements still to sign
    (with Sign buttons) when the agreements gate refused, else one sentence and a next step."""
    if isinstance(exc, AgreementsOutstandingError):
        return agreement_blocks.agreements_message(exc.agreements, lead=GATE_LEAD)
    return error_message(errors.sentence(exc))


def log_failure(what: str, exc: BaseException) -> None:
    if isinstance(exc, errors.OPERATOR_ERRORS):
        log.warning("%s failed: %s", what, exc)
    elif errors.is_expected(exc):
        log.info("%s failed: %s (%s)", what, getattr(exc, "code", type(exc).__name__), exc)
    else:
        log.error("%s failed unexpectedly", what, exc_info=exc)


async def ack_now(ack: AsyncAck) -> None:
    await ack()


# -- slash commands ----------------------------------------------------------------------------


@dataclass
class CommandContext:
    """What a subcommand handler gets: who asked, where, and how to answer."""

    team_id: str
    user_id: str
    channel_id: str
    command: str
    text: str
    respond: Responder
    client: AsyncWebClient
    body: dict[str, Any]
    trigger_id: str | None = None
    working: Working | None = None

    @property
    def is_dm(self) -> bool:
        return self.channel_id.startswith("D")

    async def reply(self, message: dict[str, Any]) -> bool:
        """Answer privately (ephemeral via response_url), in place of "working on it" if shown;
        False when Slack refused the answer (e.g. it could not fetch an image in it)."""
        shown = await self.working.stop() if self.working else False
        return delivered(await self.respond(response_type="ephemeral", replace_original=shown, **message))


CommandHandler = Callable[[CommandContext, Any], Awaitable[None]]


def parse_as_typed(text: str, command: str, shortcut: str | None) -> AutosharesCommand:
    """``text`` (already prefixed with the shortcut's subcommand) parsed; a grammar error's
    example is written with the command the member typed (`/fund buy …`, not
    `/autoshares fund buy …`), though both work."""
    try:
        return parse_autoshares(text)
    except ParseError as exc:
        if not shortcut:
            raise
        typed = exc.message.replace(f"`/autoshares {shortcut} ", f"`{command} ").replace(
            f"`/autoshares {shortcut}`", f"`{command}`"
        )
        raise ParseError(typed, field=exc.field) from None


class CommandRouter:
    """Subcommand name → handler; feature modules add theirs in ``register``. ``dispatch`` is
    the slash commands' error boundary."""

    def __init__(self, metrics: Metrics, limits: Limits, session: SlackSession) -> None:
        self._handlers: dict[str, CommandHandler] = {}
        self._metrics = metrics
        self._limits = limits
        self._session = session

    def add(self, name: str, handler: CommandHandler) -> None:
        self._handlers[name] = handler

    def names(self) -> list[str]:
        return sorted(self._handlers)

    async def dispatch(self, ctx: CommandContext) -> None:
        text = ctx.text.strip()
        shortcut = SHORTCUTS.get(ctx.command)
        if shortcut:
            text = f"{shortcut} {text}".strip()
        first = text.split(" ", 1)[0].lower()
        name = first if first in self._handlers else "unknown"  # a bounded metrics label
        outcome = "ok"
        ctx.working = Working(
            lambda: ctx.respond(response_type="ephemeral", replace_original=False, **working_message()),
            self._limits.working_after_seconds,
        )
        try:
            parsed = parse_as_typed(text, ctx.command, shortcut)
            handler = self._handlers.get(parsed.name)
            if handler is None:
                outcome = "unavailable"
                await ctx.reply(
                    error_message(
                        f"`/autoshares {parsed.name}` is not available yet. "
                        "Run `/autoshares help` to see what you can do."
                    )
                )
                return
            name = parsed.name
            await within_deadline(self._limits, handler(ctx, parsed.args))
        except Exception as exc:
            outcome = "invalid" if isinstance(exc, ParseError) else getattr(exc, "code", "unexpected")
            if not errors.is_expected(exc):
                outcome = "unexpected"
            log_failure(f"command {ctx.command}", exc)
            await ctx.reply(failure_message(exc))
        finally:
            await ctx.working.stop()
            self._metrics.command(name, outcome)

    def register(self, app: AsyncApp, handled: Handled) -> None:
        """Wire the slash commands: ack now, dispatch lazily."""

        async def run(body: dict[str, Any], client: AsyncWebClient) -> None:
            """One slash command, run lazily: read the payload and dispatch it to its subcommand."""
            respond = responder(self._session, body.get("response_url"))
            assert respond is not None, "Slack sends every slash command with a response_url"
            ctx = CommandContext(
                team_id=str(body.get("team_id") or ""),
                user_id=str(body.get("user_id") or ""),
                channel_id=str(body.get("channel_id") or ""),
                command=str(body.get("command") or ""),
                text=str(body.get("text") or ""),
                respond=respond,
                client=client,
                body=body,
                trigger_id=body.get("trigger_id"),
            )
            await self.dispatch(ctx)

        for command in ("/autoshares", *SHORTCUTS):
            app.command(command)(ack=ack_now, lazy=[run])
            handled.commands.add(command)


# -- buttons -------------------------------------------------------------------------------------


@dataclass
class ButtonContext:
    """Who clicked which button where, and how to answer."""

    team_id: str
    user_id: str
    channel_id: str
    action_id: str
    value: str
    respond: Responder | None
    client: AsyncWebClient
    body: dict[str, Any]
    working: Working | None = None

    @property
    def container_type(self) -> str:
        return str((self.body.get("container") or {}).get("type") or "")

    @property
    def trigger_id(self) -> str | None:
        return self.body.get("trigger_id")

    @property
    def response_url(self) -> str | None:
        return self.body.get("response_url")

    async def replace(self, message: dict[str, Any]) -> bool:
        """Update the message the button is on, in place; False when Slack did not take it."""
        if self.working:
            await self.working.stop()
        if self.respond is None:
            return False
        return delivered(await self.respond(replace_original=True, **message))

    async def reply(self, message: dict[str, Any]) -> None:
        """Answer the clicking user privately, leaving the original message as it is."""
        if self.working:
            await self.working.stop()
        if self.respond is not None:
            await self.respond(response_type="ephemeral", replace_original=False, **message)


ButtonHandler = Callable[[ButtonContext], Awaitable[None]]


def clicker(body: dict[str, Any]) -> tuple[str, str]:
    """(team id, user id) of an interactive payload."""
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return str(team), str(user.get("id") or "")


def button_context(body: dict[str, Any], respond: Responder | None, client: AsyncWebClient) -> ButtonContext:
    """Read a ``block_actions`` payload (the first action is the one clicked)."""
    action = (body.get("actions") or [{}])[0]
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    team_id, user_id = clicker(body)
    return ButtonContext(
        team_id=team_id,
        user_id=user_id,
        channel_id=str(channel.get("id") or container.get("channel_id") or ""),
        action_id=str(action.get("action_id") or ""),
        # a button's value, or the option a select menu was set to
        value=str(action.get("value") or (action.get("selected_option") or {}).get("value") or ""),
        respond=respond,
        client=client,
        body=body,
    )


def intent_key(body: dict[str, Any]) -> str:
    """The key of a click's intent: the SHA-256 of its payload in canonical JSON, which the gate
    (before the ack) and the lazy listener (after it) both compute from the same parsed body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def intent_lease(limits: Limits) -> timedelta:
    """How long a click's intent is leased to whoever carries it out: its whole deadline and a
    margin, so no other replica starts it while it may still be running."""
    return timedelta(seconds=limits.deadline_seconds + DEADLINE_GRACE_SECONDS + INTENT_LEASE_MARGIN_SECONDS)


async def run_click(
    surface: Surface,
    action_id: str,
    handler: ButtonHandler,
    body: dict[str, Any],
    client: AsyncWebClient,
    *,
    working: bool = False,
) -> None:
    """One click, under the deadline; a failure is told to the clicker privately. Bolt's lazy
    listener and the recovery of a click whose replica died both run it."""
    respond = responder(surface.slack.session, body.get("response_url"))
    ctx = button_context(body, respond, client)
    if working and respond is not None:
        ctx.working = Working(
            lambda: respond(replace_original=True, **working_message()), surface.limits.working_after_seconds
        )
    try:
        await within_deadline(surface.limits, handler(ctx))
    except Exception as exc:
        log_failure(f"button {action_id}", exc)
        try:
            await ctx.reply(failure_message(exc))
        except Exception:  # the response_url expired or Slack is down: nothing more to do
            log.warning("could not report a failed %s click to the user", action_id)
    finally:
        if ctx.working:
            await ctx.working.stop()


def on_button(
    app: AsyncApp,
    action_id: str,
    handler: ButtonHandler,
    *,
    surface: Surface,
    working: bool = False,
    durable: bool = False,
) -> None:
    """Register ``handler`` for clicks on ``action_id`` (ack now, work lazily, report failures).
    ``working``: the message the button is on shows "working on it" until the handler replaces
    it (for buttons whose answer takes AutoShares' time and replaces their message).
    ``durable``: the gate recorded the click's intent before the ack; the listener leases it
    first (if another replica already has it, that one answers) and closes it when done."""

    async def run(body: dict[str, Any], client: AsyncWebClient) -> None:
        intents = surface.intents if durable else None
        key = intent_key(body) if intents is not None else None
        if intents is not None and key is not None:
            if await intents.take(key, intent_lease(surface.limits)) is False:
                log.info("a %s click is already being carried out elsewhere", action_id)
                return
        try:
            await run_click(surface, action_id, handler, body, client, working=working)
        finally:
            if intents is not None and key is not None:
                await intents.done(key)

    app.action(action_id)(ack=ack_now, lazy=[run])
    surface.handled.actions.add(action_id)


def on_link_button(app: AsyncApp, action_id: str, *, surface: Surface) -> None:
    """A URL button: the browser opens it, but Slack still reports the click, which needs an ack."""
    app.action(action_id)(ack_now)
    surface.handled.actions.add(action_id)


# -- modals --------------------------------------------------------------------------------------


@dataclass
class ViewContext:
    """A submitted modal: who submitted it, its private metadata, and where to answer."""

    team_id: str
    user_id: str
    view: dict[str, Any]
    metadata: dict[str, Any]
    client: AsyncWebClient

    @property
    def channel_id(self) -> str | None:
        return self.metadata.get("channel")

    @property
    def values(self) -> dict[str, Any]:
        return dict((self.view.get("state") or {}).get("values") or {})

    async def answer(self, message: dict[str, Any]) -> None:
        """Post privately where the modal was opened (ephemeral), or in a DM."""
        await post_privately(self.client, self.channel_id, self.user_id, message)


ViewValidator = Callable[[dict[str, Any]], dict[str, str] | None]
ViewHandler = Callable[[ViewContext], Awaitable[None]]


def view_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's ``private_metadata`` (JSON set when it was opened), or {} when unreadable."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def on_view(
    app: AsyncApp, callback_id: str, validate: ViewValidator, handler: ViewHandler, *, surface: Surface
) -> None:
    """Register a modal: ``validate`` runs in the ack (no I/O; its errors go onto the form's
    fields), ``handler`` runs lazily only for a valid form; failures are posted privately."""

    async def ack_form(ack: AsyncAck, body: dict[str, Any]) -> None:
        """Ack the form, with its problems on their fields when it is not valid."""
        problems = validate(body.get("view") or {})
        if problems:
            await ack(response_action="errors", errors=problems)
            return
        await ack()

    async def run(body: dict[str, Any], client: AsyncWebClient) -> None:
        """One valid submission, run lazily under the deadline; a failure is posted privately."""
        view = body.get("view") or {}
        if validate(view):
            return  # the ack showed the errors on the form (Bolt runs lazies regardless)
        team_id, user_id = clicker(body)
        ctx = ViewContext(team_id, user_id, view, view_metadata(view), client)
        try:
            await within_deadline(surface.limits, handler(ctx))
        except Exception as exc:
            log_failure(f"view {callback_id}", exc)
            try:
                await ctx.answer(failure_message(exc))
            except Exception:
                log.warning("could not report a failed %s submission to the user", callback_id)

    app.view(callback_id)(ack=ack_form, lazy=[run])
    surface.handled.views.add(callback_id)


# -- events --------------------------------------------------------------------------------------

EventHandler = Callable[[dict[str, Any], dict[str, Any], AsyncWebClient], Awaitable[None]]
FailureHandler = Callable[[dict[str, Any], dict[str, Any], AsyncWebClient, BaseException], Awaitable[None]]


def on_event(
    app: AsyncApp, event_type: str, handler: EventHandler, on_failure: FailureHandler, *, surface: Surface
) -> None:
    """Register an event listener (ack now, work lazily); a failure goes to ``on_failure``."""

    async def run(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        """One event, run lazily; a failure goes to the listener's ``on_failure``."""
        try:
            await handler(body, event, client)
        except Exception as exc:
            log_failure(f"event {event_type}", exc)
            await on_failure(body, event, client, exc)

    app.event(event_type)(ack=ack_now, lazy=[run])
    surface.handled.events.add(event_type)


# -- workflow steps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepContext:
    """One run of a workflow step: the workspace, the person it acts for, and its inputs.

    ``user_id`` comes from the step's ``slack#/types/user_context`` input, which Slack fills
    with the person who ran the workflow (a workflow's builder cannot set it), so a step acts
    with that person's own AutoShares login and nobody else's.
    """

    team_id: str
    user_id: str
    inputs: dict[str, Any]
    callback_id: str

    def text(self, name: str) -> str:
        """A text input as given ("" when absent: a workflow variable may be empty at run time)."""
        value = self.inputs.get(name)
        return value if isinstance(value, str) else ""


#: The input every AutoShares step declares as ``slack#/types/user_context``.
STEP_USER_INPUT = "user_context"

StepHandler = Callable[[StepContext], Awaitable[dict[str, Any]]]


def step_context(body: dict[str, Any], inputs: dict[str, Any] | None) -> StepContext:
    """Read a ``function_executed`` event: the workspace, the running person, the inputs."""
    event = body.get("event") or {}
    given = dict(inputs or {})
    person = given.get(STEP_USER_INPUT)
    user_id = person.get("id") if isinstance(person, dict) else None
    if not isinstance(user_id, str) or not user_id:
        raise errors.StepInputMissing(STEP_USER_INPUT)
    return StepContext(
        team_id=str(body.get("team_id") or ""),
        user_id=user_id,
        inputs=given,
        callback_id=str((event.get("function") or {}).get("callback_id") or ""),
    )


def on_step(app: AsyncApp, callback_id: str, handler: StepHandler, *, surface: Surface) -> None:
    """Register the workflow step ``callback_id`` (a function in the manifest): ack now, run
    ``handler`` lazily under the command deadline, then ``functions.completeSuccess`` with the
    outputs it returns, or ``functions.completeError`` with the failure's sentence in plain text.
    Either way Slack hears about the run exactly once, so the workflow never waits in vain."""

    async def run(
        body: dict[str, Any], inputs: dict[str, Any], complete: AsyncComplete, fail: AsyncFail
    ) -> None:
        """One run of the step, lazily: complete it with its outputs, or fail it with a sentence."""
        try:
            ctx = step_context(body, inputs)
            outputs = await within_deadline(surface.limits, handler(ctx))
        except Exception as exc:
            log_failure(f"step {callback_id}", exc)
            await _fail_step(fail, callback_id, errors.plain_sentence(exc))
            return
        try:
            await complete(outputs=outputs)
        except Exception as exc:  # outputs Slack refused, or Slack unreachable: end the run anyway
            reason = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            log.error("could not complete step %s: %s", callback_id, reason)
            await _fail_step(fail, callback_id, errors.plain_sentence(exc))

    app.function(callback_id)(ack=ack_now, lazy=[run])
    surface.handled.functions.add(callback_id)
    # Bolt listens for the ``function_executed`` event; the manifest subscribes to it.
    surface.handled.events.add("function_executed")


async def _fail_step(fail: AsyncFail, callback_id: str, sentence: str) -> None:
    try:
        await fail(error=sentence)
    except Exception:  # Slack is down or the run is gone: the workflow times out on its own
        log.warning("could not report the failure of step %s to Slack", callback_id)


# -- the registration table ----------------------------------------------------------------------
#
# Each surface module lists its listeners in one table of the entries below and registers it
# with :func:`register_table`. A listener is a named module-level function whose first argument
# is the :class:`Surface` (its dependencies); the registrar binds it and hands it to the kind's
# error boundary above, so every listener keeps the same ack, lazy split and failure handling.

SurfaceCommand = Callable[[Surface, CommandContext, Any], Awaitable[None]]
SurfaceButton = Callable[[Surface, ButtonContext], Awaitable[None]]
SurfaceView = Callable[[Surface, ViewContext], Awaitable[None]]
SurfaceEvent = Callable[[Surface, dict[str, Any], dict[str, Any], AsyncWebClient], Awaitable[None]]
SurfaceFailure = Callable[
    [Surface, dict[str, Any], dict[str, Any], AsyncWebClient, BaseException], Awaitable[None]
]
SurfaceStep = Callable[[Surface, StepContext], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Subcommand:
    """``/autoshares <name>`` (and its shortcut command, if any), answered by ``handler``."""

    name: str
    handler: SurfaceCommand


@dataclass(frozen=True)
class Button:
    """Clicks on ``action_id`` (see :func:`on_button`; ``working`` shows "working on it")."""

    action_id: str
    handler: SurfaceButton
    working: bool = False
    #: its effect matters: the intent is recorded before the ack and finished by any replica
    durable: bool = False
    #: the button's value is a pending order's id (kept with the intent)
    names_pending: bool = False


@dataclass(frozen=True)
class LinkButton:
    """A URL button's click, acked and nothing more (see :func:`on_link_button`)."""

    action_id: str


@dataclass(frozen=True)
class Form:
    """A modal's submission: ``validate`` in the ack, ``handler`` lazily (see :func:`on_view`)."""

    callback_id: str
    validate: ViewValidator
    handler: SurfaceView


@dataclass(frozen=True)
class Event:
    """An Events API event; a failure goes to ``on_failure`` (see :func:`on_event`)."""

    event_type: str
    handler: SurfaceEvent
    on_failure: SurfaceFailure


@dataclass(frozen=True)
class Step:
    """A workflow step (a manifest function) run by ``handler`` (see :func:`on_step`)."""

    callback_id: str
    handler: SurfaceStep


Listener = Subcommand | Button | LinkButton | Form | Event | Step


def register_table(app: AsyncApp, surface: Surface, table: Iterable[Listener]) -> None:
    """Register every entry of a surface's table on ``app``, in order, bound to ``surface``."""
    for entry in table:
        if isinstance(entry, Subcommand):
            surface.router.add(entry.name, functools.partial(entry.handler, surface))
        elif isinstance(entry, Button):
            handler = functools.partial(entry.handler, surface)
            on_button(
                app, entry.action_id, handler, surface=surface, working=entry.working, durable=entry.durable
            )
        elif isinstance(entry, LinkButton):
            on_link_button(app, entry.action_id, surface=surface)
        elif isinstance(entry, Form):
            submit = functools.partial(entry.handler, surface)
            on_view(app, entry.callback_id, entry.validate, submit, surface=surface)
        elif isinstance(entry, Event):
            failed = functools.partial(entry.on_failure, surface)
            on_event(
                app, entry.event_type, functools.partial(entry.handler, surface), failed, surface=surface
            )
        else:
            on_step(app, entry.callback_id, functools.partial(entry.handler, surface), surface=surface)


def table_ids(table: Iterable[Listener]) -> dict[str, list[str]]:
    """The ids a table registers, by kind ("subcommand", "action", "view", "event", "function"),
    in table order with repeats kept (so a test can see an id registered twice)."""
    ids: dict[str, list[str]] = {"subcommand": [], "action": [], "view": [], "event": [], "function": []}
    for entry in table:
        if isinstance(entry, Subcommand):
            ids["subcommand"].append(entry.name)
        elif isinstance(entry, Button | LinkButton):
            ids["action"].append(entry.action_id)
        elif isinstance(entry, Form):
            ids["view"].append(entry.callback_id)
        elif isinstance(entry, Event):
            ids["event"].append(entry.event_type)
        else:
            ids["function"].append(entry.callback_id)
    return ids
