"""The plain HTML login form of the authorization endpoint.

Deliberately simple so tests (and the demo's scripted browser) can drive it: fields
``username`` and ``password``, the original authorization request carried in hidden fields, and
two buttons (``action=login`` / ``action=deny``).
"""

from __future__ import annotations

from html import escape

_HIDDEN_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "audience",
    "prompt",
    "response_mode",
)


def render_login_page(params: dict[str, str], *, error: str | None = None) -> str:
    """The sign-in page for an already validated authorization request."""
    hidden = "\n".join(
        f'    <input type="hidden" name="{name}" value="{escape(params[name])}">'
        for name in _HIDDEN_FIELDS
        if name in params
    )
    message = f'  <p class="error" role="alert">{escape(error)}</p>\n' if error else ""
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - AutoShares sandbox</title></head>
<body>
  <h1>AutoShares sandbox</h1>
  <p>Sign in to continue to <strong>{escape(params.get("client_id", ""))}</strong>.</p>
{message}  <form method="post" action="/authorize">
{hidden}
    <label>Username <input name="username" autocomplete="username"
      value="{escape(params.get("username", ""))}"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password"></label>
    <button type="submit" name="action" value="login">Sign in</button>
    <button type="submit" name="action" value="deny">Cancel</button>
  </form>
  <p><small>Demo logins: alice / sandbox, bob / sandbox.</small></p>
</body>
</html>
"""


def render_error_page(error: str, description: str) -> str:
    """Shown instead of redirecting when the client or redirect URI cannot be trusted."""
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Authorization error - AutoShares sandbox</title></head>
<body>
  <h1>Authorization error</h1>
  <p><code>{escape(error)}</code>: {escape(description)}</p>
</body>
</html>
"""
