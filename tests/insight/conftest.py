"""The demo year loaded once for the insight tests, and wiped after them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


def wipe() -> None:
    """Delete every journal row the demo import made (the test database is shared)."""
    from django.apps import apps

    from attunement.insight.services import cache
    from attunement.record import search

    for label in ("insight", "words", "checkins", "record"):
        for model in apps.get_app_config(label).get_models():
            model._default_manager.all().delete()
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DELETE FROM insight_vec")
    search.rebuild()
    cache.clear()


@pytest.fixture(scope="package")
def demo_year(django_db_setup, django_db_blocker, _journal_key) -> Iterator[None]:
    """The demo year (seed 7), its markers and sentence vectors, committed for the package."""
    from attunement.demo.generator import build_demo_journal
    from attunement.insight.services import vectors
    from attunement.record import transfer

    with django_db_blocker.unblock():
        wipe()
        transfer.import_data(build_demo_journal(seed=7))
        vectors.ensure_vectors()
        yield
        wipe()
