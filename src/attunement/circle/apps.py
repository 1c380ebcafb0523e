"""Django app configuration for attunement.circle."""

from django.apps import AppConfig


class CircleConfig(AppConfig):
    name = "attunement.circle"
    label = "circle"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Circle server"
