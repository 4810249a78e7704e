"""A real browser for the sign-in pages: Debian's headless Chromium driven by Playwright.

Playwright's async API awaits the browser without blocking the event loop, and that loop is the
one serving the bot, the sandbox and the local Slack to the browser (``tests/conftest.py``), so
the pages are fetched over real sockets while the test waits. One browser is launched per
session (per xdist worker); each person in a test gets a new context: a fresh, empty profile
with its own cookies, as a second browser would have. Playwright's own browser builds are never
downloaded: it launches ``/usr/bin/chromium``, and without it the tests skip with how to install it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from bot.devkit.localslack import LocalSlack
from sandbox.config import SandboxConfig
from sandbox.server import RunningSandbox, running_sandbox
from tests.bothost import BotHost
from tests.conftest import RunningBot, assert_valid_block_kit, running_bot

CHROMIUM = Path("/usr/bin/chromium")
#: Headless Chromium on a machine without internet: nothing in the background may reach out.
#: (Playwright adds --headless and a new, empty --user-data-dir of its own for every launch.)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: ``await new_browser()``: another person's browser; ``await look_at(page, name)``: the page checked.
OpenBrowser = Callable[[], Awaitable[BrowserContext]]
LookAt = Callable[[Page, str], Awaitable[None]]
#: Where every page's screenshots are saved, one per device (``make clean`` removes it).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "browser"


@dataclass(frozen=True)
class Device:
    """A viewport the pages must work on, as Playwright's context options."""

    name: str
    options: dict[str, Any]

    @property
    def width(self) -> int:
        return int(self.options["viewport"]["width"])


DESKTOP = Device("desktop", {"viewport": {"width": 1280, "height": 800}})
PHONE = Device(
    "phone",
    {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
)


@pytest.fixture(scope="session", autouse=True)
def chromium() -> Path:
    """Debian's Chromium; every browser test skips, saying how to install it, where it is
    missing (before any server or database is set up for it)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}: install Debian's package with "
            "`apt-get install -y chromium` (.ci/run does) to run the browser tests"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    """Headless Chromium, launched once for the session."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        await launched.close()


@pytest.fixture(params=[DESKTOP, PHONE], ids=lambda device: device.name)
def device(request: pytest.FixtureRequest) -> Device:
    """Each browser test runs once on a desktop and once on a phone-sized screen."""
    chosen: Device = request.param
    return chosen


@pytest.fixture
async def new_browser(browser: Browser, device: Device) -> AsyncIterator[OpenBrowser]:
    """``await new_browser()`` opens another person's browser (a new context) on ``device``;
    every one opened is closed when the test ends."""
    contexts: list[BrowserContext] = []

    async def open_context() -> BrowserContext:
        context = await browser.new_context(**device.options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        await context.close()


@pytest.fixture(scope="session")
async def sandbox_on_localhost() -> AsyncIterator[RunningSandbox]:
    """A second sandbox, served as ``http://localhost:<port>/``: another site than the bot's
    127.0.0.1 to a browser, as AutoShares is another site than the bot in production."""
    config = SandboxConfig(tick_seconds=0, rate_limits=False, webhook_retry_scale=0.001)
    async with running_sandbox(config, host="localhost", port=0) as served:
        yield served


@pytest.fixture
async def bot_with_autoshares_elsewhere(
    bot_env: dict[str, str],
    local_slack: LocalSlack,
    sandbox_on_localhost: RunningSandbox,
    sandbox_config: SandboxConfig,
    bot_host: BotHost,
) -> AsyncIterator[RunningBot]:
    """The bot (on 127.0.0.1) with AutoShares on another site (``sandbox_on_localhost``)."""
    await sandbox_on_localhost.sandbox.reset(sandbox_config)
    url = sandbox_on_localhost.url
    env = {**bot_env, "AUTH0_DOMAIN": url, "AUTOSHARES_API_URL": url}
    async with running_bot(env, local_slack, sandbox_on_localhost, bot_host) as running:
        yield running
    assert_valid_block_kit(local_slack)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder the screenshots go to (printed by the tests that write it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


#: The smallest text, in CSS pixels, that a phone shows readably without zooming (and below
#: which a phone zooms in on a focused field).
MIN_TEXT_PX = 16.0

#: What a page tells about itself: its lang, viewport, widths, and every visible run of text or
#: form field with its computed font size.
_PAGE_FACTS = """() => {
  const viewport = document.querySelector('meta[name="viewport"]');
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const texts = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const field = ['INPUT', 'BUTTON', 'SELECT', 'TEXTAREA'].includes(el.tagName) && el.type !== 'hidden';
    if ((own || field) && visible(el)) {
      texts.push({tag: el.tagName.toLowerCase(), text: (el.textContent || el.name || '').trim().slice(0, 40),
                  px: parseFloat(getComputedStyle(el).fontSize)});
    }
  }
  return {lang: document.documentElement.lang, viewport: viewport ? viewport.content : null,
          innerWidth: window.innerWidth, scrollWidth: document.scrollingElement.scrollWidth, texts};
}"""


@pytest.fixture
def look_at(device: Device, screenshots: Path) -> LookAt:
    """``await look_at(page, name)``: the page as the person sees it on ``device`` fits the
    screen and reads without zooming (a title, a lang, a viewport, no sideways scrolling, no
    text under MIN_TEXT_PX); its screenshot is saved as ``<device>-<name>.png``."""
    async def look(page: Page, name: str) -> None:
        path = screenshots / f"{device.name}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        facts = await page.evaluate(_PAGE_FACTS)
        where = f"{name} on a {device.name} ({urlsplit(page.url).path})"
        assert (await page.title()).strip(), f"{where}: no <title>"
        assert facts["lang"], f"{where}: no lang on <html>"
        assert facts["viewport"] and "width=device-width" in facts["viewport"], f"{where}: no meta viewport"
        # Without a fitting viewport a phone lays the page out 980 px wide and shrinks it.
        assert facts["innerWidth"] == device.width, f"{where}: laid out {facts['innerWidth']} px wide"
        assert facts["scrollWidth"] <= facts["innerWidth"], f"{where}: scrolls sideways"
        small = [t for t in facts["texts"] if t["px"] < MIN_TEXT_PX]
        assert not small, f"{where}: text under {MIN_TEXT_PX:g}px: {small}"
        assert facts["texts"], f"{where}: shows no text"

    return look
