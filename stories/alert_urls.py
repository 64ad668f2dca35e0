from django.urls import path

from stories import alert_views, feeds

app_name = "alerts"

urlpatterns = [
    path("alerts/", alert_views.subscription_list, name="subscription-list"),
    path(
        "alerts/subscribe/", alert_views.subscription_create, name="subscription-create"
    ),
    path(
        "alerts/<int:pk>/<str:action>/",
        alert_views.subscription_action,
        name="subscription-action",
    ),
    path("alerts/link/<str:token>/", alert_views.signed_action, name="signed-action"),
    path("notifications/", alert_views.notification_list, name="notification-list"),
    path(
        "notifications/unread/",
        alert_views.notification_bell,
        name="notification-bell",
    ),
    path(
        "notifications/read/",
        alert_views.notification_read,
        name="notification-read",
    ),
    path("feeds/changes.atom", feeds.ChangesFeed(), name="feed-changes"),
    path(
        "feeds/stories/<slug:slug>.atom",
        feeds.StoryChangesFeed(),
        name="feed-story",
    ),
]
