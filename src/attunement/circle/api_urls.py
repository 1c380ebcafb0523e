"""URL map of the JSON API under ``/api/v1/`` (the contract: docs/circle-api.md).

The last route catches every other path, so a journal always gets a JSON error here,
never Django's HTML 404 page.
"""

from django.urls import URLPattern, URLResolver, path, re_path

from attunement.circle import api
from attunement.circle.api_http import not_found

app_name = "circle_api"
urlpatterns: list[URLPattern | URLResolver] = [
    path("connect", api.connect, name="connect"),
    path("me", api.me, name="me"),
    path("me/token", api.me_token, name="me_token"),
    path("posts/<str:local_id>", api.posts, name="post"),
    path("comments", api.comments, name="comments"),
    path("checkins/<str:local_id>", api.checkins, name="checkin"),
    path("notes/<str:local_id>", api.notes, name="note"),
    path("openapi.json", api.openapi_json, name="openapi"),
    re_path(r"^(?P<rest>.*)$", not_found, name="not_found"),
]
