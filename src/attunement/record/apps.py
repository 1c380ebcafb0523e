"""Django app configuration for attunement.record."""

from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "attunement.record"
    label = "record"
    default_auto_field = "django.db.models.BigAutoField"
