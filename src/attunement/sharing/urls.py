"""URL patterns of sharing (mounted at /sharing/)."""

from django.urls import URLPattern, URLResolver, path

from attunement.sharing import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.sharing_home, name="sharing_home"),
    path("connect", views.connect, name="sharing_connect"),
    path("disconnect", views.disconnect, name="sharing_disconnect"),
    path("refresh", views.refresh, name="sharing_refresh"),
    path("send", views.send_now, name="sharing_send"),
    path("auto", views.auto_share, name="sharing_auto"),
    path("outbox/<int:item_id>/retry", views.retry, name="sharing_retry"),
    path("entries/<int:pk>/", views.entry_share, name="sharing_entry"),
    path("entries/<int:pk>/preview", views.entry_preview, name="sharing_entry_preview"),
    path("entries/<int:pk>/confirm", views.entry_confirm, name="sharing_entry_confirm"),
    path("entries/<int:pk>/unshare", views.entry_unshare, name="sharing_entry_unshare"),
    path("checkins/<int:pk>/share", views.checkin_share, name="sharing_checkin_share"),
    path("checkins/<int:pk>/unshare", views.checkin_unshare, name="sharing_checkin_unshare"),
    path("notes/<int:pk>/share", views.note_share, name="sharing_note_share"),
    path("notes/<int:pk>/unshare", views.note_unshare, name="sharing_note_unshare"),
]
