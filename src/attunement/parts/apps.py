"""Django app configuration for attunement.parts."""

from django.apps import AppConfig


class PartsConfig(AppConfig):
    name = "attunement.parts"
    label = "parts"
    default_auto_field = "django.db.models.BigAutoField"
