"""URL map of the circle server: pages for people, ``/api/v1/`` for local journals."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("attunement.circle.api_urls")),
    path("therapist/", include("attunement.circle.therapist_urls")),
    path("", include("attunement.circle.web_urls")),
]
