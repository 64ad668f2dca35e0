from django.urls import path

from stories import views

app_name = "stories"

urlpatterns = [
    path("", views.story_list, name="story-list"),
    path("stories/<slug:slug>/", views.story_detail, name="story-detail"),
    path("stories/<slug:slug>/timeline/", views.story_timeline, name="story-timeline"),
    path("stories/<slug:slug>/updates/", views.story_updates, name="story-updates"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path(
        "articles/<int:pk>/versions/<int:number>/raw/",
        views.version_raw,
        name="version-raw",
    ),
]
