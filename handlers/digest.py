"""`/autoshares digest …`: schedule, list and stop portfolio digests (``bot.core.digests``)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.commands import DigestCommand, DigestListCommand, DigestOffCommand, DigestRequest
from bot.core.digests import MOST_DIGESTS
from handlers.blocks import digest as blocks
from handlers.blocks.common import error_message, escape
from handlers.kit import CommandContext, Listener, Subcommand, Surface, register_table
from storage.digests import TooManyDigests


async def digest_command(surface: Surface, ctx: CommandContext, command: DigestCommand) -> None:
    """`/autoshares digest …`: list, stop or schedule the user's portfolio digests."""
    digests = surface.core.digests
    if isinstance(command, DigestListCommand):
        await ctx.reply(blocks.schedules_message(await digests.listed(ctx.team_id, ctx.user_id)))
        return
    if isinstance(command, DigestOffCommand):
        gone = await digests.off(ctx.team_id, ctx.user_id, command.digest_id)
        if command.digest_id is not None and not gone:
            await ctx.reply(
                error_message(
                    f"You have no digest {command.digest_id}. Run `/autoshares digest list` to see yours."
                )
            )
            return
        notice = f":white_check_mark: Stopped {gone} digest{'s' if gone != 1 else ''}."
        await ctx.reply(blocks.schedules_message(await digests.listed(ctx.team_id, ctx.user_id), notice))
        return
    assert isinstance(command, DigestRequest)
    try:
        digest, refused = await digests.schedule(ctx.team_id, ctx.user_id, ctx.channel_id, command)
    except TooManyDigests:
        await ctx.reply(
            error_message(
                f"You already have {MOST_DIGESTS} digests. Stop one with `/autoshares digest off &lt;id&gt;` first."
            )
        )
        return
    where = "your DM" if digest.is_dm else f"<#{escape(digest.channel_id)}>"
    notice = f":white_check_mark: Digest {digest.id} set: {escape(digest.label)}, in {where}."
    if refused:
        notice += (
            " The workspace's rules do not let me post on my own in this channel, so it comes to your DM."
        )
    await ctx.reply(blocks.schedules_message(await digests.listed(ctx.team_id, ctx.user_id), notice))


LISTENERS: tuple[Listener, ...] = (Subcommand("digest", digest_command),)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the digest surface's listeners."""
    register_table(app, surface, LISTENERS)
