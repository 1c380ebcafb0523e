"""The parts tables arrive by migration on a journal that had none, and leave nothing else."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = {
    "parts_part",
    "parts_partgroup",
    "parts_frontstate",
    "parts_frontperiod",
    "parts_frontedit",
    "parts_partnote",
    "parts_authorship",
}


def migrate(target: list[tuple[str, str | None]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def tables() -> set[str]:
    return set(connection.introspection.table_names())


def test_a_journal_from_before_the_feature_gains_its_tables() -> None:
    from attunement.record.models import Entry

    migrate([("parts", None)])
    assert not TABLES & tables()
    entry = Entry.objects.create(title="Written before parts existed")
    migrate([("parts", "0001_initial")])
    assert tables() >= TABLES
    from attunement.parts.models import Authorship, Part

    part = Part.objects.create(name="Rowan")
    Authorship.objects.create(part=part, entry=entry)
    assert Entry.objects.get().title == "Written before parts existed"
    # The database itself refuses a link to nothing, a link naming nobody, and repeats.
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorship.objects.create(part=part)
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorship.objects.create(entry=entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorship.objects.create(part=part, entry=entry)
    assert Authorship.objects.count() == 1
