"""Check-ins and notes sent to the therapist (PUT/DELETE checkins/ and notes/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attunement.circle.models import Alert, Circle, Notification, SharedCheckin, SharedNote

from .api_support import Api, checkin_body, device_for, error_of, fields_of, note_body

INSTRUMENT_SHAPE = ("must be a questionnaire id: lower-case letters, digits, '.', '_' and '-', "
                    "starting with a letter or digit (not a file name)")


@pytest.fixture
def writer_api(writer) -> Api:  # type: ignore[no-untyped-def]
    return Api(device_for(writer)[1])


# --- PUT checkins -----------------------------------------------------------------------


def test_put_creates_a_checkin(writer_api, writer, therapy_circle, therapist) -> None:
    r = writer_api.put("checkins/checkin-4", checkin_body(therapy_circle.pk))
    assert r.status_code == 201
    row = SharedCheckin.objects.get(author=writer, local_id="checkin-4")
    assert r.json() == {"id": row.pk, "local_id": "checkin-4", "alerts": []}
    assert row.circle == therapy_circle
    assert (row.instrument, row.instrument_version, row.timing) == (
        "attunement-alliance-v1", "1", "post")
    assert row.session_at == datetime(2024, 5, 1, 15, 0, tzinfo=UTC)
    assert row.completed_at == datetime(2024, 5, 1, 16, 30, tzinfo=UTC)
    assert row.answers == {"bond_grasped": 4, "tension": False}
    assert (row.alliance, row.tension, row.tension_intensity) == (4.0, False, None)
    assert not Notification.objects.filter(user=therapist).exists()  # no alert, no noise


def test_put_again_updates_the_same_checkin(writer_api, writer, therapy_circle) -> None:
    first = writer_api.put("checkins/checkin-4", checkin_body(therapy_circle.pk)).json()
    r = writer_api.put("checkins/checkin-4", checkin_body(therapy_circle.pk, alliance=3.5,
                                                          note="Better later."))
    assert r.status_code == 200 and r.json()["id"] == first["id"]
    row = SharedCheckin.objects.get(pk=first["id"])
    assert (row.alliance, row.note) == (3.5, "Better later.")
    assert SharedCheckin.objects.filter(author=writer).count() == 1


def test_reported_tension_alerts_the_therapist(writer_api, therapy_circle, therapist) -> None:
    body = checkin_body(therapy_circle.pk, tension=True, tension_intensity=4,
                        tension_resolved=2)
    r = writer_api.put("checkins/checkin-5", body)
    assert r.status_code == 201 and r.json()["alerts"] == ["tension"]
    alert = Alert.objects.get()
    assert alert.reason == "tension" and "strength 4" in alert.detail
    note = Notification.objects.get(user=therapist)
    assert note.kind == "alert"
    # Sending the same check-in again raises no second alert or notification.
    assert writer_api.put("checkins/checkin-5", body).json()["alerts"] == ["tension"]
    assert Alert.objects.count() == 1
    assert Notification.objects.filter(user=therapist).count() == 1


def test_a_reliable_drop_alerts_the_therapist(writer_api, therapy_circle, therapist) -> None:
    start = datetime(2024, 3, 1, 18, 0, tzinfo=UTC)
    for i, score in enumerate([4.5, 4.4, 4.6, 4.5]):
        when = (start + timedelta(days=7 * i)).isoformat()
        r = writer_api.put(f"checkins/c-{i}", checkin_body(therapy_circle.pk, alliance=score,
                                                           completed_at=when))
        assert r.json()["alerts"] == []
    when = (start + timedelta(days=28)).isoformat()
    r = writer_api.put("checkins/c-9", checkin_body(therapy_circle.pk, alliance=2.0,
                                                    completed_at=when))
    assert r.status_code == 201 and r.json()["alerts"] == ["drop"]
    assert Notification.objects.filter(user=therapist, kind="alert").count() == 1


def test_optional_checkin_fields_have_defaults(writer_api, therapy_circle) -> None:
    body = {"circle": therapy_circle.pk, "instrument": "mine", "answers": {},
            "completed_at": "2024-05-01T18:30:00Z"}
    pk = writer_api.put("checkins/c-1", body).json()["id"]
    row = SharedCheckin.objects.get(pk=pk)
    assert (row.instrument_version, row.timing, row.session_at, row.alliance, row.tension,
            row.tension_intensity, row.tension_resolved, row.note) == (
        "", "post", None, None, None, None, None, "")


def test_a_checkin_can_move_to_another_therapy_circle(writer_api, writer, therapy_circle,
                                                      make_circle, make_user) -> None:
    second = make_circle(writer, "Second therapist", kind=Circle.Kind.THERAPY,
                         therapist=make_user("t2"))
    pk = writer_api.put("checkins/c-1", checkin_body(therapy_circle.pk)).json()["id"]
    r = writer_api.put("checkins/c-1", checkin_body(second.pk))
    assert r.status_code == 200 and r.json()["id"] == pk
    assert SharedCheckin.objects.get(pk=pk).circle == second


def test_checkins_only_go_to_a_therapy_circle_the_writer_owns(
        writer_api, writer, circle, other_writer, make_circle) -> None:
    theirs = make_circle(other_writer, "Their therapy", kind=Circle.Kind.THERAPY)
    for cid in (circle.pk, theirs.pk, 987_654):
        assert fields_of(writer_api.put("checkins/c-1", checkin_body(cid))) == {
            "circle": "is not a therapy circle you own (GET me lists yours)"}
    assert not SharedCheckin.objects.exists()


@pytest.mark.parametrize(("over", "fields"), [
    ({"circle": "2"}, {"circle": "must be a circle id (a whole number from 1)"}),
    ({"circle": None}, {"circle": "must not be null"}),
    ({"instrument": ""}, {"instrument": "must not be empty"}),
    ({"instrument": "i" * 101}, {"instrument": "must have at most 100 characters"}),
    *[({"instrument": bad}, {"instrument": INSTRUMENT_SHAPE})
      for bad in ("/dev/zero", "../../etc/passwd", "form.yaml", "form.YML", "x.json",
                  "Capital", "-dash-first", "has space", "line\n")],
    ({"instrument_version": "v" * 31}, {"instrument_version": "must have at most 30 characters"}),
    ({"timing": "during"}, {"timing": "must be one of 'pre', 'post'"}),
    ({"session_at": "soon"},
     {"session_at": "is not an ISO 8601 date and time, like 2024-05-01T18:30:00+02:00"}),
    ({"completed_at": None}, {"completed_at": "must not be null"}),
    ({"answers": []}, {"answers": "must be an object of item id -> answer"}),
    ({"answers": {f"q{i}": 1 for i in range(51)}}, {"answers": "can hold at most 50 answers"}),
    ({"answers": {"q": [1, 2]}},
     {"answers": "the answer to 'q' must be a number, text, true/false or null"}),
    ({"answers": {"q": {"a": 1}}},
     {"answers": "the answer to 'q' must be a number, text, true/false or null"}),
    ({"answers": {"": 1}}, {"answers": "item ids must be 1-100 characters without NUL"}),
    ({"answers": {"k" * 101: 1}}, {"answers": "item ids must be 1-100 characters without NUL"}),
    ({"answers": {"q\x00": 1}}, {"answers": "item ids must be 1-100 characters without NUL"}),
    ({"answers": {"q": "t" * 4001}},
     {"answers": "the answer to 'q' must be text of at most 4000 characters without NUL"}),
    ({"answers": {"q": 10**400}}, {"answers": "the answer to 'q' is not a finite number"}),
    ({"alliance": "4"}, {"alliance": "must be a number"}),
    ({"alliance": True}, {"alliance": "must be a number"}),
    ({"alliance": 1e7}, {"alliance": "must be between -1e+06 and 1e+06"}),
    ({"alliance": 10**400}, {"alliance": "is too large"}),
    ({"tension": "no"}, {"tension": "must be true or false"}),
    ({"tension_intensity": 2.5}, {"tension_intensity": "must be a whole number"}),
    ({"tension_intensity": 101}, {"tension_intensity": "must be between 0 and 100"}),
    ({"tension_resolved": -1}, {"tension_resolved": "must be between 0 and 100"}),
    ({"tension_resolved": True}, {"tension_resolved": "must be a whole number"}),
    ({"note": "n" * 20_001}, {"note": "must have at most 20000 characters"}),
    ({"score": 3}, {"score": "is not a field of this request"}),
])
def test_checkin_fields_are_validated(writer_api, therapy_circle, over, fields) -> None:
    body = {**checkin_body(therapy_circle.pk), **over}
    assert fields_of(writer_api.put("checkins/c-1", body)) == fields
    assert not SharedCheckin.objects.exists()


@pytest.mark.parametrize(("answers", "alliance", "fields"), [
    ('{"q": 1e400}', "4", {"answers": "the answer to 'q' is not a finite number"}),
    ("{}", "-1e400", {"alliance": "must be a finite number"}),
])
def test_numbers_too_large_for_a_float_are_refused(writer_api, therapy_circle, answers,
                                                   alliance, fields) -> None:
    # JSON has no infinity, but 1e400 is valid JSON that Python reads as one.
    text = (f'{{"circle": {therapy_circle.pk}, "instrument": "i", '
            f'"completed_at": "2024-05-01T18:30:00Z", "answers": {answers}, '
            f'"alliance": {alliance}}}')
    assert fields_of(writer_api.raw("PUT", "checkins/c-1", text)) == fields


def test_every_answer_kind_is_kept(writer_api, therapy_circle) -> None:
    answers = {"scale": 3, "half": 2.5, "yes": True, "skipped": None, "text": "warm, then far"}
    pk = writer_api.put("checkins/c-1", checkin_body(therapy_circle.pk, answers=answers)
                        ).json()["id"]
    assert SharedCheckin.objects.get(pk=pk).answers == answers


def test_delete_checkin(writer_api, therapy_circle) -> None:
    body = checkin_body(therapy_circle.pk, tension=True)
    pk = writer_api.put("checkins/c-1", body).json()["id"]
    assert writer_api.delete("checkins/c-1").status_code == 204
    assert not SharedCheckin.objects.filter(pk=pk).exists()
    assert not Alert.objects.exists()
    error_of(writer_api.delete("checkins/c-1"), 404, "not_found")


# --- notes ------------------------------------------------------------------------------


def test_put_note_creates_and_tells_the_therapist(writer_api, writer, therapy_circle,
                                                  therapist) -> None:
    r = writer_api.put("notes/unsaid-3", note_body(therapy_circle.pk))
    assert r.status_code == 201
    note = SharedNote.objects.get(author=writer, local_id="unsaid-3")
    assert r.json() == {"id": note.pk, "local_id": "unsaid-3",
                        "updated": note.updated.isoformat()}
    assert note.text == "That I was angry about the holiday."
    assert note.written_at == datetime(2024, 5, 1, 16, 30, tzinfo=UTC)
    told = Notification.objects.get(user=therapist)
    assert told.kind == "note" and told.url == f"/therapist/clients/{therapy_circle.pk}/"


def test_changed_words_are_new_to_the_therapist(writer_api, therapy_circle, therapist) -> None:
    pk = writer_api.put("notes/unsaid-3", note_body(therapy_circle.pk)).json()["id"]
    SharedNote.objects.filter(pk=pk).update(seen_at=datetime(2024, 5, 2, tzinfo=UTC))
    same = writer_api.put("notes/unsaid-3", note_body(therapy_circle.pk))
    assert same.status_code == 200
    assert SharedNote.objects.get(pk=pk).seen_at is not None  # nothing new to read
    assert Notification.objects.filter(user=therapist).count() == 1
    r = writer_api.put("notes/unsaid-3", note_body(therapy_circle.pk, text="And the fees."))
    assert r.status_code == 200 and r.json()["id"] == pk
    note = SharedNote.objects.get(pk=pk)
    assert note.text == "And the fees." and note.seen_at is None
    assert Notification.objects.filter(user=therapist).count() == 2


def test_notes_only_go_to_a_therapy_circle_the_writer_owns(writer_api, circle) -> None:
    assert fields_of(writer_api.put("notes/n-1", note_body(circle.pk))) == {
        "circle": "is not a therapy circle you own (GET me lists yours)"}


@pytest.mark.parametrize(("over", "fields"), [
    ({"text": ""}, {"text": "must not be empty"}),
    ({"text": 7}, {"text": "must be a string"}),
    ({"text": "a\x00"}, {"text": "contains a NUL character"}),
    ({"written_at": "2024-13-01T00:00:00Z"},
     {"written_at": "is not an ISO 8601 date and time, like 2024-05-01T18:30:00+02:00"}),
    ({"circle": 0}, {"circle": "must be a circle id (a whole number from 1)"}),
])
def test_note_fields_are_validated(writer_api, therapy_circle, over, fields) -> None:
    body = {**note_body(therapy_circle.pk), **over}
    assert fields_of(writer_api.put("notes/n-1", body)) == fields


def test_a_lone_surrogate_is_refused(writer_api, therapy_circle) -> None:
    raw = (f'{{"circle": {therapy_circle.pk}, "text": "a\\ud800b", '
           '"written_at": "2024-05-01T18:30:00Z"}')
    assert fields_of(writer_api.raw("PUT", "notes/n-1", raw)) == {
        "text": "contains an unpaired surrogate (not valid Unicode)"}


def test_delete_note(writer_api, therapy_circle) -> None:
    writer_api.put("notes/n-1", note_body(therapy_circle.pk))
    assert writer_api.delete("notes/n-1").status_code == 204
    assert not SharedNote.objects.exists()
    error_of(writer_api.delete("notes/n-1"), 404, "not_found")


def test_a_checkin_is_never_stored_without_its_alerts(writer_api, therapy_circle,
                                                      monkeypatch) -> None:
    """If judging the alerts fails, the check-in is not kept either: the journal's retry
    sends it again and the therapist cannot miss an alert."""
    from attunement.circle import api

    def broken(checkin):
        raise RuntimeError("alert rules failed")

    monkeypatch.setattr(api, "evaluate", broken)
    writer_api.client.raise_request_exception = False
    r = writer_api.put("checkins/c-1", checkin_body(therapy_circle.pk, tension=True))
    error_of(r, 500, "server_error")
    assert not SharedCheckin.objects.exists()
