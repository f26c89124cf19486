"""Security even on localhost: response headers (a content security policy without
inline scripts), CSRF for forms (double submit: a cookie and a hidden field that must
match, both bound to this origin) and for the JSON API (a cross-site request is refused
by its Origin), and bounded request bodies."""

from __future__ import annotations

import hmac
import secrets

CSRF_COOKIE = "relieve_csrf"
CSRF_FIELD = "csrf_token"

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # same-origin: a form POST must carry its Origin (with no-referrer, Chromium sends "null").
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), screen-wake-lock=(self)",
}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(cookie: str | None, field: str | None) -> bool:
    return bool(cookie) and bool(field) and hmac.compare_digest(str(cookie), str(field))


def same_origin(origin: str | None, host: str | None) -> bool:
    """A browser sends Origin on every cross-site POST: it must name this host. No
    Origin (curl, a test client, the bench) is a same-machine program, allowed."""
    if not origin:
        return True
    if origin == "null":
        return False
    scheme, _, rest = origin.partition("://")
    return scheme in ("http", "https") and rest == (host or "")
