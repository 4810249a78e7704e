"""The Slack app manifest (`manifest.yml`) as the single source of the app's Slack configuration.

The OAuth install flow asks Slack for exactly the bot scopes listed in the manifest, and the
registered slash commands are read from it too, so the manifest a workspace admin pastes into
Slack and the scopes the code requests cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

#: The manifest shipped inside the package (in a checkout, a link to `manifest.yml` at the root).
MANIFEST_PATH = Path(__file__).resolve().parent.parent / "manifest.yml"

#: The placeholder origin used for every URL in the committed manifest.
EXAMPLE_ORIGIN = "https://example.com"


class ManifestError(ValueError):
    """The manifest file is missing a section the bot relies on, or a public URL is unusable."""


#: PyYAML's safe loader, in C when libyaml is there: the same documents, about ten times faster
#: (8 ms for the manifest in pure Python, on every `check` and every multi-workspace app built).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_manifest(path: Path | None = None) -> dict[str, Any]:
    """Read and parse the app manifest (default: `manifest.yml` at the repository root).

    Raises `ManifestError` when the file does not hold a YAML mapping, so a broken manifest
    fails at start-up rather than at the first install.
    """
    source = path if path is not None else MANIFEST_PATH
    data = yaml.load(source.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    if not isinstance(data, dict):
        raise ManifestError(f"{source} does not contain a YAML mapping")
    return data


def bot_scopes(manifest: dict[str, Any]) -> list[str]:
    """The bot token scopes the app requests, in manifest order (for Bolt's OAuth settings)."""
    scopes = manifest.get("oauth_config", {}).get("scopes", {}).get("bot")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise ManifestError("manifest has no oauth_config.scopes.bot list of strings")
    return list(scopes)


def slash_commands(manifest: dict[str, Any]) -> list[str]:
    """The slash commands the manifest registers, e.g. `["/autoshares", "/quote", ...]`."""
    commands = manifest.get("features", {}).get("slash_commands", [])
    if not isinstance(commands, list):
        raise ManifestError("manifest features.slash_commands is not a list")
    return [str(entry["command"]) for entry in commands]


def unfurl_domains(manifest: dict[str, Any]) -> list[str]:
    """The domains whose links Slack sends the app as ``link_shared`` (``features.unfurl_domains``)."""
    domains = manifest.get("features", {}).get("unfurl_domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise ManifestError("manifest features.unfurl_domains is not a list of domains")
    return list(domains)


#: What Slack's manifest schema accepts as an unfurl domain.
_UNFURL_DOMAIN = re.compile(r"(?![.\-])[-a-z0-9.]+[a-z0-9]")
_UNFURL_DOMAINS_LINE = re.compile(r"^(\s*)unfurl_domains:\s*$")
_LIST_ITEM_LINE = re.compile(r"^(\s*)- ")


def _with_unfurl_domain(lines: list[str], domain: str) -> list[str]:
    """``lines`` with the ``unfurl_domains`` list holding ``domain`` alone."""
    if not _UNFURL_DOMAIN.fullmatch(domain):
        raise ManifestError(
            f"the quote domain must be a bare lower-case domain such as autoshares.com (got {domain!r})"
        )
    start = next((i for i, line in enumerate(lines) if _UNFURL_DOMAINS_LINE.match(line)), None)
    if start is None:
        raise ManifestError("manifest has no features.unfurl_domains list")
    end = start + 1
    while end < len(lines) and _LIST_ITEM_LINE.match(lines[end]):
        end += 1
    first = _LIST_ITEM_LINE.match(lines[start + 1]) if end > start + 1 else None
    indent = first.group(1) if first else "  "
    return [*lines[: start + 1], f"{indent}- {domain}\n", *lines[end:]]


#: Manifest lines that carry the Slack request URL, which Socket Mode does without.
_REQUEST_URL_LINE = re.compile(r"^\s*(url|request_url): https://example\.com/slack/events\s*$")


def render_manifest(
    public_url: str, path: Path | None = None, *, socket_mode: bool = False, quote_domain: str | None = None
) -> str:
    """Return the manifest YAML with every example URL pointing at `public_url` instead.

    `public_url` is the bot's public origin (optionally with a path prefix), e.g.
    `https://bot.example.org`; the leading placeholder comment is replaced by one naming it.
    With `socket_mode`, Slack's requests come over Socket Mode: the request URLs are left out
    and Socket Mode is turned on (the browser still returns to `public_url` when linking).
    `quote_domain` (AUTOSHARES_QUOTE_DOMAIN, already validated) replaces the unfurl domain, so
    Slack sends the links the bot unfurls.
    The text is edited rather than re-dumped so the comments explaining each scope survive.
    """
    base = _checked_public_url(public_url)
    text = (path if path is not None else MANIFEST_PATH).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    # Drop the leading comment block: it tells the reader to replace example.com, which is done.
    while lines and lines[0].lstrip().startswith("#"):
        lines.pop(0)
    if socket_mode:
        lines = [line for line in lines if not _REQUEST_URL_LINE.match(line)]
        lines = [line.replace("socket_mode_enabled: false", "socket_mode_enabled: true") for line in lines]
    if quote_domain is not None:
        lines = _with_unfurl_domain(lines, quote_domain)
    body = "".join(lines).replace(EXAMPLE_ORIGIN, base)
    how = " (Socket Mode)" if socket_mode else ""
    return f"# Slack app manifest for AutoShares for Slack, rendered for {base}{how}.\n{body}"


def _checked_public_url(public_url: str) -> str:
    """Validate a public URL for use in the manifest and return it without a trailing slash."""
    url = public_url.strip().rstrip("/")
    parts = urlsplit(url)
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or any(ch.isspace() or ch in "\"'#" for ch in url)
    ):
        raise ManifestError(f"public URL must look like https://bot.example.org (got {public_url!r})")
    return url
