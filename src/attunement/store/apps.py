"""Django app configuration for attunement.store."""

from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "attunement.store"
    label = "store"
    default_auto_field = "django.db.models.BigAutoField"
