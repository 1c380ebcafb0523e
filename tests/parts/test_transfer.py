"""Importing PluralKit, Simply Plural and Pluralport files; exporting; the round trip."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from attunement.errors import ImportFailed
from attunement.io.plural.pluralport import parse_pluralport
from attunement.parts import fronts, importing, transfer
from attunement.parts.models import (
    Authorship,
    FrontEdit,
    FrontPeriod,
    FrontState,
    Part,
    PartGroup,
    PartNote,
)

from .conftest import T0

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data" / "plural"
NOW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def load(name: str, fmt: str = "auto") -> dict[str, int]:
    return importing.import_file(fmt, DATA / name, now=NOW)


def shape() -> dict[str, Any]:
    """Everything the parts tables hold, as a person would describe it (names, not ids)."""

    def who(period: FrontPeriod) -> tuple[list[str], list[str]]:
        return sorted(p.name for p in period.parts.all()), sorted(
            s.name for s in period.states.all()
        )

    return {
        "parts": sorted(
            (
                p.name,
                p.pronouns,
                p.colour,
                p.description,
                sorted(p.custom_fields.items()),
                p.archived_at is not None,
            )
            for p in Part.objects.all()
        ),
        "states": sorted(
            (s.name, s.kind, s.colour, s.description) for s in FrontState.objects.all()
        ),
        "groups": sorted(
            (g.name, g.colour, g.description, sorted(m.name for m in g.members.all()))
            for g in PartGroup.objects.all()
        ),
        "periods": sorted(
            (f.started_at, f.ended_at, *who(f), f.note) for f in FrontPeriod.objects.all()
        ),
        "notes": sorted(
            (n.title, n.body, n.written_at, n.part.name if n.part else None)
            for n in PartNote.objects.all()
        ),
    }


def wipe() -> None:
    """Empty every parts table: the same as a fresh journal, for this feature."""
    for model in (Authorship, FrontEdit, FrontPeriod, PartNote, PartGroup, FrontState, Part):
        model.objects.all().delete()


def test_pluralkit_members_fronts_and_history() -> None:
    counts = load("pluralkit-export.json")
    assert counts == {"parts": 3, "groups": 1, "front periods": 3, "skipped: proxy tags": 2}
    rowan = Part.objects.get(name="Rowan")
    assert (rowan.pronouns, rowan.colour) == ("they/them", "#5b8c5a")
    assert sorted(m.name for m in PartGroup.objects.get().members.all()) == ["Rowan", "Sable"]
    current = fronts.open_periods(NOW)
    assert [[p.name for p in f.parts.all()] for f in current] == [["Rowan"]]
    assert current[0].started_at == at("2024-05-01T20:15")
    history = fronts.history(at("2024-05-01T00:00"), NOW)
    assert [sorted(p.name for p in f.parts.all()) for f in history] == [
        ["Rowan"],
        ["Little one", "Rowan"],
        ["Sable"],
    ]


def test_simply_plural_members_states_fronts_groups_and_notes() -> None:
    counts = load("simplyplural-export.json")
    assert {k: v for k, v in counts.items() if not k.startswith("skipped")} == {
        "parts": 3,
        "states": 2,
        "groups": 1,
        "front periods": 3,
        "notes": 1,
    }
    assert Part.objects.get(name="Old Friend").archived_at == NOW
    period = FrontPeriod.objects.get(started_at=at("2024-05-02T10:00"))
    assert [p.name for p in period.parts.all()] == ["Rowan"]
    assert [s.name for s in period.states.all()] == ["Far away"]
    live = FrontPeriod.objects.get(ended_at__isnull=True)
    assert [p.name for p in live.parts.all()] == ["Wren"]
    note = PartNote.objects.get()
    assert (note.part.name, note.title) == ("Wren", "For the next session")


def test_importing_the_same_file_again_adds_no_copies() -> None:
    load("simplyplural-export.json")
    before = shape()
    again = load("simplyplural-export.json")
    assert {k: v for k, v in again.items() if not k.startswith("skipped")} == {
        "updated: parts": 3,
        "updated: states": 2,
        "updated: groups": 1,
        "updated: front periods": 3,
        "updated: notes": 1,
    }
    assert shape() == before
    assert Part.objects.count() == 3 and FrontPeriod.objects.count() == 3


def test_a_simply_plural_member_linked_to_pluralkit_is_one_part() -> None:
    load("pluralkit-export.json")
    load("simplyplural-export.json")
    assert Part.objects.filter(name="Rowan").count() == 1
    rowan = Part.objects.get(name="Rowan")
    assert {r["app"] for r in rowan.source_refs} == {"pluralkit", "simply_plural"}
    assert rowan.custom_fields == {
        "Display name": "Rowan 🌿",
        "Birthday": "03-21",
        "Favourite time": "Tuesday sessions",
    }


def test_a_malformed_file_imports_nothing() -> None:
    load("pluralkit-export.json")
    before = shape()
    with pytest.raises(ImportFailed) as info:
        load("pluralkit-bad-references.json", "pluralkit")
    assert info.value.message.startswith(
        "Nothing was imported: the PluralKit export (pk;export JSON) file has problems. "
        "members[1].id: The id 'aaaaa' appears twice in the file."
    )
    assert len(info.value.problems) == 6
    assert shape() == before


def test_a_wrong_schema_names_the_problem() -> None:
    with pytest.raises(ImportFailed) as info:
        load("simplyplural-export.json", "pluralkit")
    assert info.value.problems == [
        "This is not a PluralKit export: it looks like a Simply Plural export."
    ]
    assert not Part.objects.exists()


def test_a_failure_half_way_rolls_everything_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(transfer, "_note", broken)
    with pytest.raises(RuntimeError):
        load("simplyplural-export.json")
    assert not Part.objects.exists() and not FrontPeriod.objects.exists()


def test_round_trip_through_pluralport_into_a_fresh_journal() -> None:
    load("pluralkit-export.json")
    load("simplyplural-export.json")
    fronts.switch([], [FrontState.objects.get(name="Asleep")], now=NOW)  # one recorded here too
    original = shape()
    exported = importing.export_bytes(now=NOW)
    assert parse_pluralport(exported).ok
    wipe()
    counts = importing.import_file("auto", exported, now=NOW)
    assert counts["parts"] == 5 and counts["front periods"] == 7
    assert shape() == original
    # The file carries this journal's keys: exporting again gives the same document.
    again = json.loads(importing.export_bytes(now=NOW))
    assert again == json.loads(exported)
    # And importing the export into the journal it came from changes nothing.
    importing.import_file("pluralport", exported, now=NOW)
    assert shape() == original


def test_another_apps_pluralport_file() -> None:
    counts = load("pluralport-other-app.json")
    assert counts["parts"] == 2 and counts["front periods"] == 2
    nameless = Part.objects.get(name="")
    assert nameless.label == f"No name given (#{nameless.pk})"
    marlow = Part.objects.get(name="Marlow")
    assert {"app": "sheaf", "collection": "members", "id": "mem-a"} in marlow.source_refs


def test_summary_reads_well() -> None:
    text = transfer.summary(
        {"parts": 3, "front periods": 2, "updated: groups": 1, "skipped: proxy tags": 2}
    )
    assert text == (
        "Imported 3 parts, 2 front periods. Already here and brought up to date: "
        "1 group. Left out on purpose: 2 proxy tags."
    )
    assert transfer.summary({}) == "Imported nothing new."


def test_export_uses_built_in_states_once() -> None:
    fronts.switch(
        [],
        [FrontState.objects.get_or_create(kind="unknown", defaults={"name": "Unknown"})[0]],
        now=T0,
    )
    doc = json.loads(importing.export_bytes(now=NOW))
    wipe()
    FrontState.objects.create(kind="unknown", name="Not sure")
    importing.import_file("pluralport", json.dumps(doc).encode(), now=NOW)
    assert FrontState.objects.filter(kind="unknown").count() == 1
    assert FrontPeriod.objects.get().states.get().kind == "unknown"
