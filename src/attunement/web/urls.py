"""URL map of the local app."""

from django.urls import include, path

from attunement.checkins import views as checkin_views
from attunement.record import views as record_views
from attunement.web import views
from attunement.words import views as word_views

urlpatterns = [
    path("", views.home, name="home"),
    path("welcome", views.welcome, name="welcome"),
    path("unlock", views.unlock, name="unlock"),
    path("recover", views.recover, name="recover"),
    path("lock", views.lock, name="lock"),
    path("locked", views.locked, name="locked"),
    path("keepalive", views.keepalive, name="keepalive"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/passphrase", views.change_passphrase, name="change_passphrase"),
    path("import/", views.import_page, name="import"),
    path("export/", views.export_page, name="export"),
    path("entries/", record_views.entry_list, name="entry_list"),
    path("entries/new", record_views.entry_edit, name="entry_new"),
    path("entries/<int:pk>/", record_views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/edit", record_views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete", record_views.entry_delete, name="entry_delete"),
    path("entries/<int:pk>/star", record_views.entry_star, name="entry_star"),
    path("entries/<int:pk>/markers/<int:index>", word_views.correct, name="marker_correct"),
    path("entries/<int:pk>/contact", word_views.add_contact, name="entry_add_contact"),
    path("sessions/repeat", record_views.session_repeat, name="session_repeat"),
    path("sessions/pattern", record_views.session_pattern, name="session_pattern"),
    path("unsaid/<int:pk>/toggle", record_views.unsaid_toggle, name="unsaid_toggle"),
    path("checkins/", checkin_views.checkin_list, name="checkin_list"),
    path("checkins/new", checkin_views.checkin_new, name="checkin_new"),
    path("checkins/new/<str:instrument_id>", checkin_views.checkin_new, name="checkin_new_with"),
    path("checkins/<int:pk>/", checkin_views.checkin_detail, name="checkin_detail"),
    path("", include("attunement.insight.urls")),
    path("sharing/", include("attunement.sharing.urls")),
    path("parts/", include("attunement.parts.urls")),
    path("<slug:slug>/", record_views.kind_list, name="kind_list"),
    path("<slug:slug>/<int:pk>/", record_views.kind_edit, name="kind_edit"),
]
