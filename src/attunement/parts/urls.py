"""URL patterns of the parts pages, mounted at /parts/ (404 while the feature is off)."""

from django.urls import URLPattern, URLResolver, path

from attunement.parts import views, views_front

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_front.here, name="parts_here"),
    path("leave", views_front.leave, name="parts_leave"),
    path("front/<int:pk>/", views_front.period_edit, name="parts_period"),
    path("front/<int:pk>/end", views_front.end, name="parts_end"),
    path("history/", views_front.history, name="parts_history"),
    path("members/", views.members, name="parts_members"),
    path("members/<int:pk>/", views.member_edit, name="parts_member"),
    path("groups/", views.groups, name="parts_groups"),
    path("groups/<int:pk>/", views.group_edit, name="parts_group"),
    path("states/", views.states, name="parts_states"),
    path("import/", views.import_page, name="parts_import"),
    path("export/", views.export_page, name="parts_export"),
    path("settings", views.settings_save, name="parts_settings"),
]
