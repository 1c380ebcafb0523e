"""URL map of the insight pages (included at the site root by web/urls.py)."""

from django.urls import path

from attunement.insight import views

urlpatterns = [
    path("episodes/", views.episode_list, name="insight_episodes"),
    path("episodes/merge", views.episode_merge, name="insight_episode_merge"),
    path("episodes/undo", views.episode_undo, name="insight_episode_undo"),
    path("episodes/<str:episode_id>/decide", views.episode_decide, name="insight_episode_decide"),
]
