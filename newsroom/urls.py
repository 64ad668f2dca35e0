from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from stories import security
from stories.api import api

# Both login forms count failures per username and address (stories/security.py).
admin.site.login_form = security.RateLimitedAdminAuthenticationForm


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    # Browsers ask for /favicon.ico on every page without an icon link (admin, feeds).
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=security.RateLimitedAuthenticationForm
        ),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("stories.urls")),
    path("", include("stories.alert_urls")),
    path("", include("stories.record_urls")),
]
