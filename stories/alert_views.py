"""Subscriptions, signed one-click links and in-app notifications."""

import apprise
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import EmailValidator, URLValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from stories import channels, dashboard, tasks
from stories import messages as alert_messages
from stories.http import HtmxHttpRequest
from stories.models import Article, Notification, Source, Story, Subscription

USER_ACTIONS = (
    "mute",
    "unmute",
    "pause",
    "resume",
    "unsubscribe",
    "resubscribe",
    "delete",
)


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = [
            "scope",
            "story",
            "article",
            "source",
            "trigger",
            "threshold",
            "figure_kind",
            "channel",
            "target",
            "mode",
        ]
        widgets = {"article": forms.HiddenInput}

    # What a "Follow" panel on a story, article or source page fixes in advance.
    FOLLOW_FIXED = ("scope", "story", "article", "source", "figure_kind")

    def __init__(self, *args, user=None, follow: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.follow = follow
        stories = Story.objects.all() if follow else Story.objects.active()
        self.fields["story"].queryset = stories.order_by("title")
        self.fields["story"].empty_label = "Choose a story"
        self.fields["source"].queryset = Source.objects.order_by("name")
        self.fields["source"].empty_label = "Choose a source"
        self.fields["target"].label = "Address"
        if follow:
            for name in self.FOLLOW_FIXED:
                self.fields[name].widget = forms.HiddenInput()

    def clean(self) -> dict:
        data = super().clean()
        scope = data.get("scope")
        for name in ("story", "article", "source"):
            if name != scope:
                data[name] = None
            elif not data.get(name) and name not in self.errors:
                # A field error (not a form error) also keeps the scope constraint
                # from being checked against the half-filled row.
                hint = " Use Follow on the article's page." if name == "article" else ""
                self.add_error(name, f"Choose the {name} to follow.{hint}")
        trigger = data.get("trigger")
        needs_threshold = {
            Subscription.Trigger.SIGNIFICANT,
            Subscription.Trigger.FIGURE_DELTA,
            Subscription.Trigger.FIGURE_REACHES,
        }
        if trigger in needs_threshold and not data.get("threshold"):
            self.add_error("threshold", "This trigger needs a number.")
        self._clean_target(data)
        return data

    def _clean_target(self, data: dict) -> None:
        channel, target = data.get("channel"), (data.get("target") or "").strip()
        data["target"] = target
        try:
            if channel == Subscription.Channel.EMAIL:
                if target:
                    EmailValidator()(target)
                elif not (self.user and self.user.email):
                    raise forms.ValidationError("Give an email address.")
            elif channel == Subscription.Channel.WEBHOOK:
                URLValidator(schemes=["http", "https"])(target)
                channels.check_address(target)
            elif channel == Subscription.Channel.APPRISE:
                if not target or apprise.Apprise.instantiate(target) is None:
                    raise forms.ValidationError("Not an Apprise URL.")
                channels.check_apprise_address(target)
            elif channel == Subscription.Channel.IN_APP:
                data["target"] = ""
        except forms.ValidationError as exc:
            self.add_error("target", exc)
        except channels.PermanentDeliveryError as exc:
            self.add_error("target", str(exc))


def _own_subscriptions(request: HttpRequest):
    return Subscription.objects.filter(user=request.user).select_related(
        "story", "article", "source"
    )


def _next_url(request: HttpRequest, default: str) -> str:
    url = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


@login_required
@require_GET
def subscription_list(request: HtmxHttpRequest) -> HttpResponse:
    initial = {
        key: request.GET[key]
        for key in ("scope", "story", "article", "source")
        if key in request.GET
    }
    form = SubscriptionForm(initial=initial, user=request.user)
    return _list_page(request, form)


def _list_page(
    request: HttpRequest, form: SubscriptionForm, status: int = 200
) -> HttpResponse:
    subscriptions = _own_subscriptions(request).order_by("-created_at", "-id")
    context = {"subscriptions": subscriptions, "form": form, "now": timezone.now()}
    return render(request, "alerts/subscription_list.html", context, status=status)


@login_required
@require_POST
def subscription_create(request: HtmxHttpRequest) -> HttpResponse:
    follow = request.POST.get("layout") == "follow"
    form = SubscriptionForm(request.POST, user=request.user, follow=follow)
    next_url = request.POST.get("next", "")
    if not form.is_valid():
        # 422, not 400: htmx is configured to swap 422 into the form (base.html),
        # and django-htmx's DEBUG hook leaves it alone.
        if request.htmx:
            context = {"form": form, "next": next_url}
            return render(
                request, "alerts/partials/subscribe_form.html", context, status=422
            )
        return _list_page(request, form, status=422)
    subscription = form.save(commit=False)
    subscription.user = request.user
    # Mail to someone else's address waits for that address to confirm it.
    subscription.is_confirmed = not subscription.needs_confirmation()
    subscription.save()
    if not subscription.is_confirmed:
        tasks.send_confirmation.delay_on_commit(subscription.pk)
    if request.htmx:
        # A fresh form under the notice, and the new row out of band in the list.
        fresh = SubscriptionForm(
            initial=_follow_initial(subscription), user=request.user, follow=follow
        )
        context = {
            "form": fresh,
            "next": next_url,
            "done": subscription,
            "now": timezone.now(),
        }
        return render(request, "alerts/partials/subscribe_form.html", context)
    done = f"You now follow {subscription.describe_scope()}."
    if not subscription.is_confirmed:
        done += (
            f" We sent a confirmation link to {subscription.target}; alerts start "
            "once it is confirmed."
        )
    if subscription.channel == Subscription.Channel.WEBHOOK:
        # The only time the secret is shown (messages live in the session).
        done += (
            " Webhook signing secret, shown only now — copy it: "
            f"{subscription.webhook_secret}"
        )
    messages.success(request, done)
    return redirect(_next_url(request, "alerts:subscription-list"))


def _follow_initial(subscription: Subscription) -> dict:
    return {
        "scope": subscription.scope,
        "story": subscription.story_id,
        "article": subscription.article_id,
        "source": subscription.source_id,
    }


def follow_panel(request: HttpRequest, target: Story | Article | Source) -> dict:
    """Context of the "Follow" panel on a story, article or source page: the
    reader's alerts for it and a form that follows it."""
    scope = type(target).__name__.lower()
    panel = {"scope": scope, "target": target, "next": request.get_full_path()}
    if not request.user.is_authenticated:
        return panel
    initial = {"scope": scope, scope: target.pk}
    panel["subscriptions"] = list(
        _own_subscriptions(request)
        .filter(scope=scope, **{scope: target})
        .order_by("-created_at", "-id")
    )
    panel["form"] = SubscriptionForm(initial=initial, user=request.user, follow=True)
    panel["now"] = timezone.now()
    return panel


@login_required
@require_POST
def subscription_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    subscription = get_object_or_404(_own_subscriptions(request), pk=pk)
    if action not in USER_ACTIONS:
        return HttpResponse("Unknown action", status=400)
    if action == "delete":
        subscription.delete()
        return (
            HttpResponse("") if request.htmx else redirect("alerts:subscription-list")
        )
    tasks.apply_subscription_action(subscription, action)
    subscription.refresh_from_db()
    if request.htmx:
        return render(
            request,
            "alerts/partials/subscription_row.html",
            {"subscription": subscription, "now": timezone.now()},
        )
    return redirect("alerts:subscription-list")


# The signed token is the credential: links in emails work without a login, and mail
# clients' one-click unsubscribe (RFC 8058) POSTs without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def signed_action(request: HttpRequest, token: str) -> HttpResponse:
    found = alert_messages.read_action_token(token)
    subscription = None
    if found is not None:
        subscription = Subscription.objects.filter(pk=found[0]).first()
    if subscription is None:
        return render(
            request, "alerts/signed_action.html", {"invalid": True}, status=404
        )
    action = found[1]
    # GET only asks: link scanners in mail systems follow links, people press buttons.
    done = request.method == "POST"
    if done:
        tasks.apply_subscription_action(subscription, action)
        subscription.refresh_from_db()
    context = {"subscription": subscription, "action": action, "done": done}
    return render(request, "alerts/signed_action.html", context)


@login_required
@require_GET
def notification_list(request: HtmxHttpRequest) -> HttpResponse:
    notifications = list(
        Notification.objects.filter(user=request.user).order_by("-created_at", "-id")[
            :100
        ]
    )
    changes = dashboard.notification_changes(
        request.user, [notification.key for notification in notifications]
    )
    for notification in notifications:
        notification.changes = changes.get(notification.key, [])
    return render(
        request, "alerts/notification_list.html", {"notifications": notifications}
    )


@require_GET
def notification_bell(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseStopPolling()
    count = Notification.objects.filter(user=request.user).unread().count()
    return render(request, "alerts/partials/bell.html", {"unread_count": count})


@login_required
@require_POST
def notification_read(request: HtmxHttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user).unread().update(
        read_at=timezone.now()
    )
    if request.htmx:
        return render(request, "alerts/partials/bell.html", {"unread_count": 0})
    return redirect("alerts:notification-list")
