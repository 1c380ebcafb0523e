"""URL patterns (filled in by the pages and the API)."""

from django.urls import URLPattern, URLResolver

app_name = "circle"
urlpatterns: list[URLPattern | URLResolver] = []
