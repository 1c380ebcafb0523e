"""URL patterns of the therapist's pages (filled in by the therapist view)."""

from django.urls import URLPattern, URLResolver

app_name = "circle_therapist"
urlpatterns: list[URLPattern | URLResolver] = []
