"""The user's API tokens page: create (the key is shown once), list, revoke."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from stories.models import ApiToken

# The new key rides in the session from the POST to the page that shows it, once.
SESSION_KEY = "new-api-token-key"


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Name", help_text="What it is for, e.g. “data desk”."
    )


@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request, TokenForm())


def _page(request: HttpRequest, form: TokenForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "tokens": request.user.api_tokens.order_by("revoked_at", "-created_at", "-id"),
        "new_key": request.session.pop(SESSION_KEY, None),
    }
    return render(request, "account/token_list.html", context, status=status)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    _, key = ApiToken.issue(request.user, form.cleaned_data["name"])
    request.session[SESSION_KEY] = key
    return redirect("record:tokens")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(request.user.api_tokens, pk=pk).revoke()
    return redirect("record:tokens")
