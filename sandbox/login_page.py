"""The plain HTML login form of the authorization endpoint.

Deliberately simple so tests (and the demo's scripted browser) can drive it: fields
``username`` and ``password``, the original authorization request carried in hidden fields, and
two buttons (``action=login`` / ``action=deny``).
"""

from __future__ import annotations

from html import escape

#: The head both pages share: a phone lays them out at its own width (the viewport), and every
#: text and field is at least 16 px, so nothing needs zooming (and no field zooms when focused).
_HEAD = """<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#1d1c1d;
  overflow-wrap:anywhere}}
h1{{font-size:1.5rem}} code{{font:1rem ui-monospace,Menlo,Consolas,monospace}}
label{{display:block;margin:0 0 1rem}}
input{{display:block;box-sizing:border-box;width:100%;margin-top:.25rem;padding:.5rem;font:inherit}}
button{{font:inherit;min-height:2.75rem;padding:.5rem 1rem;margin:0 .5rem .5rem 0}}
.error{{color:#b00020}} .note{{color:#555}}
</style>
<title>{title} - AutoShares sandbox</title>"""

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
<head>
{_HEAD.format(title="Sign in")}
</head>
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
  <p class="note">Demo logins: alice / sandbox, bob / sandbox.</p>
</body>
</html>
"""


def render_error_page(error: str, description: str) -> str:
    """Shown instead of redirecting when the client or redirect URI cannot be trusted."""
    return f"""<!doctype html>
<html lang="en">
<head>
{_HEAD.format(title="Authorization error")}
</head>
<body>
  <h1>Authorization error</h1>
  <p><code>{escape(error)}</code>: {escape(description)}</p>
</body>
</html>
"""
