"""URL patterns of the therapist's pages (every one answers 404 to anyone but her).

Ids are 1-18 digits, as on the people pages: a longer number would overflow the
database's bigint, so it is refused as an unknown page before any query.
"""

from django.urls import URLPattern, URLResolver, path, register_converter

from attunement.circle import therapist


class RowId:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowId, "row")

app_name = "circle_therapist"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", therapist.home, name="home"),
    path("clients/<row:circle_id>/", therapist.client, name="client"),
    path("clients/<row:circle_id>/fhir", therapist.fhir_export, name="fhir"),
    path("checkins/<row:checkin_id>/rate", therapist.rate, name="rate"),
    path("alerts/<row:alert_id>/seen", therapist.alert_seen, name="alert_seen"),
    path("notes/<row:note_id>/read", therapist.note_read, name="note_read"),
]
