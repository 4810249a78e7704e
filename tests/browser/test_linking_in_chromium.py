"""Linking as a person does it, in headless Chromium on a desktop and on a phone: the link from
a signed `/autoshares link`, Sign in with Slack (the local stand-in, signed in as that person),
the sandbox's AutoShares login form, our callback and the page that ends it. The browser keeps
and sends cookies by its own rules: our sign-in cookie is set on the bot's origin and must come
back to the callback after the hops through Slack and AutoShares, whose pages are on the same
host at other ports (one site to a browser, so a script there would see a cookie that is not
HttpOnly). Every page the person sees is checked to fit the screen and saved as a screenshot.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, BrowserContext, expect

from bot.app.web import BROWSER_COOKIE
from tests.browser.conftest import LookAt, OpenBrowser
from tests.conftest import RunningBot
from tests.scenario.test_linking import link_button_url

ALICE = "U0ALICE"
BOB = "U0BOB"


async def signin_cookies(context: BrowserContext, url: str) -> list[Any]:
    """Our sign-in cookie as the browser holds it for ``url`` (none, or one)."""
    return [c for c in await context.cookies(url) if c["name"] == BROWSER_COOKIE]


async def test_the_requester_links_in_a_real_browser(
    bot: RunningBot, new_browser: OpenBrowser, look_at: LookAt
) -> None:
    """Alice opens her link, passes Sign in with Slack, mistypes her AutoShares password, signs
    in, and lands on the Linked page; the link is stored for her and the cookie is gone."""
    url = await link_button_url(bot, ALICE)
    bot.slack.sign_in_as(ALICE)
    alice = await new_browser()
    page = await alice.new_page()

    await page.goto(url)  # our login -> Sign in with Slack -> back to us -> AutoShares' login
    assert page.url.startswith(bot.sandbox.url + "authorize?"), page.url
    (cookie,) = await signin_cookies(alice, bot.url)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False  # PUBLIC_URL is http here; an https one makes it Secure
    # The sandbox's page shares the cookie's host (only the port differs): scripts there cannot read it.
    assert BROWSER_COOKIE not in await page.evaluate("document.cookie")
    await look_at(page, "autoshares-login")

    await page.get_by_label("Username").fill("alice")
    await page.get_by_label("Password").fill("not-the-password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    await look_at(page, "autoshares-login-wrong-password")

    await page.get_by_label("Password").fill("sandbox")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(bot.url + "autoshares/callback?**")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Linked")
    await expect(page.locator("body")).to_contain_text("now linked to AutoShares as alice")
    await look_at(page, "linked")

    link = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert link is not None and link.autoshares_login == "alice" and link.autoshares_user_id == 1001
    assert await signin_cookies(alice, bot.url) == []  # the callback deleted it


async def test_a_forwarded_link_is_refused_in_another_persons_browser(
    bot: RunningBot, new_browser: OpenBrowser, look_at: LookAt
) -> None:
    """Alice's link opened in Bob's browser, signed in to Slack as Bob: the refusal page, nothing
    linked for either of them, and the link is spent when Alice opens it afterwards."""
    url = await link_button_url(bot, ALICE)
    bot.slack.sign_in_as(BOB)  # the stand-in's Slack session is the one of whoever browses next
    bob = await new_browser()
    page = await bob.new_page()

    response = await page.goto(url)
    assert response is not None and response.status == 403
    assert page.url.startswith(bot.url + "slack/identity?"), page.url  # never reached AutoShares
    await expect(page.get_by_role("heading", level=1)).to_have_text("Not linked")
    await expect(page.locator("body")).to_contain_text("made for another Slack user")
    await look_at(page, "refused-other-person")
    assert await bot.services.links.get(bot.slack.team_id, ALICE) is None
    assert await bot.services.links.get(bot.slack.team_id, BOB) is None

    bot.slack.sign_in_as(ALICE)
    alice = await new_browser()
    page = await alice.new_page()
    response = await page.goto(url)
    assert response is not None and response.status == 400
    await expect(page.locator("body")).to_contain_text("already used")
    await look_at(page, "link-used")
    assert await bot.services.links.get(bot.slack.team_id, ALICE) is None


async def test_the_sandbox_error_page_fits(
    bot: RunningBot, new_browser: OpenBrowser, look_at: LookAt
) -> None:
    """The sandbox's error page, shown where it cannot redirect back (an unknown client)."""
    page = await (await new_browser()).new_page()
    response = await page.goto(bot.sandbox.url + "v2/logout?client_id=not-our-client")
    assert response is not None and response.status == 400
    await expect(page.get_by_role("heading", level=1)).to_have_text("Authorization error")
    await look_at(page, "autoshares-error")


async def test_the_sign_in_cookie_comes_back_from_autoshares_on_another_site(
    bot_with_autoshares_elsewhere: RunningBot, browser: Browser
) -> None:
    """AutoShares' login on localhost, another site than the bot's 127.0.0.1: its form posts
    there and redirects back, a cross-site hop on which the browser sends our SameSite=Lax
    cookie (a top-level GET) but would not send a Strict one, and does not send it to AutoShares."""
    bot = bot_with_autoshares_elsewhere
    url = await link_button_url(bot, ALICE)
    bot.slack.sign_in_as(ALICE)
    alice = await browser.new_context()
    try:
        page = await alice.new_page()
        await page.goto(url)
        assert page.url.startswith(bot.sandbox.url + "authorize?"), page.url
        assert bot.sandbox.url.startswith("http://localhost:")
        assert len(await signin_cookies(alice, bot.url)) == 1
        assert await signin_cookies(alice, bot.sandbox.url) == []
        await page.get_by_label("Username").fill("alice")
        await page.get_by_label("Password").fill("sandbox")
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(bot.url + "autoshares/callback?**")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Linked")
    finally:
        await alice.close()
    link = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert link is not None and link.autoshares_login == "alice"
