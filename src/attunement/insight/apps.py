"""Django app configuration for attunement.insight."""

from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "attunement.insight"
    label = "insight"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attunement.insight.services import vectors
        from attunement.record import hooks

        # After the words app's hook (INSTALLED_APPS order): the sentences exist by then.
        hooks.on_entry_saved(vectors.embed_entry_safely)
