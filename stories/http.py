"""What every web view shares: the htmx request type and the reader access check."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def login_response(request: HttpRequest) -> HttpResponse | None:
    """Where an anonymous reader goes when stories are private, else None."""
    if settings.NEWSROOM_PUBLIC_STORIES or request.user.is_authenticated:
        return None
    htmx = getattr(request, "htmx", None)
    if htmx:
        # A fragment must not be swapped in as a login form: send the whole tab there.
        page = htmx.current_url_abs_path or reverse("stories:story-list")
        return HttpResponseClientRedirect(redirect_to_login(page)["Location"])
    return redirect_to_login(request.get_full_path())


def reader_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a view that anyone may read when stories are public."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return login_response(request) or view(request, *args, **kwargs)

    return wrapper


def wants_fragment(request: HtmxHttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request
