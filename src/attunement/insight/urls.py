"""URL map of the insight pages (included at the site root by web/urls.py)."""

from django.urls import path

from attunement.insight import views

urlpatterns = [
    path("episodes/", views.episode_list, name="insight_episodes"),
    path("episodes/merge", views.episode_merge, name="insight_episode_merge"),
    path("episodes/undo", views.episode_undo, name="insight_episode_undo"),
    path("episodes/<str:episode_id>/decide", views.episode_decide, name="insight_episode_decide"),
]
urlpatterns += [
    path("timeline/", views.timeline, name="insight_timeline"),
]
urlpatterns += [
    path("patterns/", views.patterns, name="insight_patterns"),
]
urlpatterns += [
    path("hold/", views.hold, name="insight_hold"),
    path("hold/not-now", views.hold_not_now, name="insight_hold_not_now"),
]
urlpatterns += [
    path("bring/", views.bring, name="insight_bring"),
]
