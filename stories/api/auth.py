"""Who is calling the API, and how often they may.

A request is read with a token (`Authorization: Bearer nr_…`), a logged-in browser
session (the docs page's "Try it out"), or nobody. Nobody may read only when
NEWSROOM_PUBLIC_STORIES is on. A wrong or revoked token is refused, never treated
as anonymous. Rate limits are counted per token (or user, or address) in the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from stories.models import ApiToken
from stories.models.api import hash_key


@dataclass(frozen=True)
class Principal:
    user: Any
    token: ApiToken | None
    address: str

    def __str__(self) -> str:
        # The throttle's cache key: one budget per token, user or address.
        if self.token is not None:
            return f"token:{self.token.pk}"
        if self.user is not None:
            return f"user:{self.user.pk}"
        return f"address:{self.address}"

    @property
    def is_anonymous(self) -> bool:
        return self.user is None

    @property
    def is_staff(self) -> bool:
        return bool(self.user is not None and self.user.is_staff)


class TokenAuth(HttpBearer):
    """Bearer token, else the session, else anonymous where stories are public."""

    def __call__(self, request: HttpRequest) -> Principal | None:
        address = request.META.get("REMOTE_ADDR", "")
        if request.headers.get(self.header):
            return super().__call__(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return Principal(user, None, address)
        if settings.NEWSROOM_PUBLIC_STORIES:
            return Principal(None, None, address)
        return None

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        found = (
            ApiToken.objects.usable()
            .select_related("user")
            .filter(key_hash=hash_key(token.strip()))
            .first()
        )
        if found is None:
            return None
        found.record_use()
        return Principal(found.user, found, request.META.get("REMOTE_ADDR", ""))


class PrincipalRateThrottle(SimpleRateThrottle):
    """Requests per minute from settings, anonymous callers on a smaller budget."""

    scope = "api"

    def __init__(self) -> None:
        super().__init__("1/min")  # replaced per request from settings

    def allow_request(self, request: HttpRequest) -> bool:
        principal = getattr(request, "auth", None)
        per_minute = (
            settings.NEWSROOM_API_ANONYMOUS_PER_MINUTE
            if principal is None or principal.is_anonymous
            else settings.NEWSROOM_API_REQUESTS_PER_MINUTE
        )
        self.rate = f"{per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        principal = getattr(request, "auth", None)
        ident = str(principal) if principal is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
