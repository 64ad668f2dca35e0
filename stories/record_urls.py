"""Pages of issue 19 outside the API: API tokens, full-text search."""

from django.urls import path

from stories import search_views, token_views

app_name = "record"

urlpatterns = [
    path("account/tokens/", token_views.token_list, name="tokens"),
    path("account/tokens/new/", token_views.token_create, name="token-create"),
    path(
        "account/tokens/<int:pk>/revoke/",
        token_views.token_revoke,
        name="token-revoke",
    ),
    path("search/", search_views.search_page, name="search"),
    path("stories/<slug:slug>/search/", search_views.story_search, name="story-search"),
]
