from django.urls import path

from stories import views

app_name = "stories"

urlpatterns = [
    path("", views.story_list, name="story-list"),
    path("stories/<slug:slug>/", views.story_detail, name="story-detail"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
]
