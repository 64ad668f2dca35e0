"""Security headers Django does not send itself, and login rate limiting.

Django's SecurityMiddleware already sends Referrer-Policy, X-Content-Type-Options,
Cross-Origin-Opener-Policy and (over TLS in production) HSTS, and
XFrameOptionsMiddleware sends X-Frame-Options; all are configured in settings.py.
Only Content-Security-Policy is missing before Django 6.0. Our policy is one fixed
string (no inline script anywhere, so no nonces), which a few lines below send; a
view that sets its own policy (the sandboxed raw page) keeps it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

CSP_HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Add settings.NEWSROOM_CSP to every response that has no policy of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if CSP_HEADER not in response and settings.NEWSROOM_CSP:
            response[CSP_HEADER] = settings.NEWSROOM_CSP
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        return response


PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)


# --- login rate limiting -------------------------------------------------------------

LOCKED_MESSAGE = (
    "Too many failed logins for this account from your address. "
    "Try again in %(minutes)d minutes."
)


def _client_ip(request: HttpRequest | None) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it, and trusting it would let anyone pick a fresh key per attempt.
    return (request.META.get("REMOTE_ADDR") if request else "") or "unknown"


def _account_name(username: str) -> str:
    """The username as authentication sees it (Django's UsernameField applies NFKC),
    case-folded too: "ｌｏｃｋ１", "LOCK1" and "lock1" are one counter."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _failure_key(request: HttpRequest | None, username: str) -> str:
    raw = f"{_account_name(username)}\0{_client_ip(request)}"
    return "login-failures:" + hashlib.sha256(raw.encode()).hexdigest()


def is_locked_out(request: HttpRequest | None, username: str) -> bool:
    failures = cache.get(_failure_key(request, username), 0)
    return failures >= settings.NEWSROOM_LOGIN_MAX_FAILURES


def record_failure(request: HttpRequest | None, username: str) -> None:
    key = _failure_key(request, username)
    window = settings.NEWSROOM_LOGIN_LOCKOUT_SECONDS
    # add() is a no-op when the key exists, so the window starts at the first failure.
    cache.add(key, 0, window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)


def clear_failures(request: HttpRequest | None, username: str) -> None:
    cache.delete(_failure_key(request, username))


class RateLimitMixin:
    """Refuse a username+address pair after N failed logins in the lockout window."""

    request: HttpRequest | None

    def clean(self) -> dict:
        username = self.data.get("username") or ""
        if is_locked_out(self.request, username):
            minutes = max(1, settings.NEWSROOM_LOGIN_LOCKOUT_SECONDS // 60)
            raise forms.ValidationError(
                LOCKED_MESSAGE, code="rate_limited", params={"minutes": minutes}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_failure(self.request, username)
            raise
        clear_failures(self.request, username)
        return cleaned


class RateLimitedAuthenticationForm(RateLimitMixin, AuthenticationForm):
    pass


class RateLimitedAdminAuthenticationForm(RateLimitMixin, AdminAuthenticationForm):
    pass
