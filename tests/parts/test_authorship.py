"""The seam the entry, check-in and session pages use to record who wrote or was present."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from attunement.checkins.models import Checkin
from attunement.parts import authorship, fronts, services
from attunement.parts.models import Part
from attunement.record.models import Entry, Session

from .conftest import T0

pytestmark = pytest.mark.django_db


def test_links_per_role_replace_earlier_ones() -> None:
    rowan, sable = (services.save_part(None, name=n, now=T0) for n in ("Rowan", "Sable"))
    unknown = services.builtin_state("unknown")
    entry = Entry.objects.create(title="t")
    authorship.set_links(entry, [rowan, rowan], [unknown])
    authorship.set_links(entry, [sable], role="present")
    assert [(a.who, a.role) for a in authorship.links(entry)] == [
        (rowan, "writing"),
        (sable, "present"),
        (unknown, "writing"),
    ]
    authorship.set_links(entry, [sable])
    assert [a.who for a in authorship.links(entry, "writing")] == [sable]
    assert authorship.who_values(entry) == [f"part:{sable.pk}"]
    assert [a.who for a in sable.authorships.all()] == [sable, sable]


def test_checkins_and_sessions_too_but_nothing_else() -> None:
    rowan = services.save_part(None, name="Rowan", now=T0)
    checkin = Checkin.objects.create(instrument="attunement-alliance-v1")
    session = Session.objects.create(starts_at=timezone.now())
    authorship.set_links(checkin, [rowan])
    authorship.set_links(session, [rowan], role="present")
    assert checkin.part_links.get().part == rowan
    assert session.part_links.get().role == "present"
    with pytest.raises(TypeError):
        authorship.set_links(rowan, [rowan])


def test_picker_values_round_trip_and_ignore_junk() -> None:
    rowan = services.save_part(None, name="Rowan", now=T0)
    gone = services.save_part(None, name="Leaving", now=T0)
    services.request_deletion(gone, T0)
    state = services.builtin_state("blurry")
    parts, states = authorship.parse_who(
        [
            f"part:{rowan.pk}",
            f"state:{state.pk}",
            f"part:{gone.pk}",
            "part:x",
            "other:1",
            "part:999",
        ]
    )
    assert (parts, states) == ([rowan], [state])


def test_a_new_item_starts_with_who_is_here_now() -> None:
    rowan, sable = (services.save_part(None, name=n, now=T0) for n in ("Rowan", "Sable"))
    unknown = services.builtin_state("unknown")
    fronts.switch([rowan], [unknown], now=T0)
    fronts.join([sable], now=T0)
    assert authorship.current_who(T0) == [
        f"part:{rowan.pk}",
        f"state:{unknown.pk}",
        f"part:{sable.pk}",
    ]


def test_the_picker_template_marks_the_chosen() -> None:
    rowan = services.save_part(None, name="Rowan", colour="#112233", now=T0)
    html = render_to_string(
        "parts/_picker.html",
        {
            "pick_parts": [rowan],
            "pick_states": [services.builtin_state("unknown")],
            "chosen": {f"part:{rowan.pk}"},
            "legend": "Who wrote this",
        },
    )
    assert f'value="part:{rowan.pk}" checked' in html
    assert 'fill="#112233"' in html and "Who wrote this" in html
    assert Part.objects.count() == 1
