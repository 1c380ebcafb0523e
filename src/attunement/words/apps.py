"""Django app configuration for attunement.words."""

from django.apps import AppConfig


class WordsConfig(AppConfig):
    name = "attunement.words"
    label = "words"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attunement.record import hooks
        from attunement.words import services

        hooks.on_entry_saved(services.analyze_entry_safely)
