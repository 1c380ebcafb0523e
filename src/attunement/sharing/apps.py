"""Django app configuration for attunement.sharing."""

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "attunement.sharing"
    label = "sharing"
    default_auto_field = "django.db.models.BigAutoField"
