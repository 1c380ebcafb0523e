"""The FHIR export: a valid R4 Bundle whose answers come back exactly as the client gave them.

Validated with the ``fhir.resources`` package's R4B models (R4B differs from R4 only in
resources this export does not use; QuestionnaireResponse and Questionnaire are the same).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from attunement.checkins import engine
from attunement.circle import fhir
from attunement.circle.models import Circle, SharedCheckin
from tests.circle.therapist_support import SCORES, START, TENSION_AT, share_history

pytestmark = pytest.mark.django_db
SHIPPED = "attunement-alliance-v1"

CUSTOM = """\
id: half_steps
version: 3
title: Half steps and a choice
items:
  - {id: close, text: How close did I feel?, type: scale, min: 0, max: 3, step: 0.5}
  - id: mood
    text: My mood
    type: choice
    anchors: {calm: Calm, stirred: Stirred}
  - {id: words, text: In a word, type: text, required: false}
reliability: {alpha: 0.8}
"""


@pytest.fixture
def history(therapy_circle, writer, therapist):  # type: ignore[no-untyped-def]
    return share_history(therapy_circle, writer, therapist)


def export(client: Client, circle: Circle) -> dict[str, Any]:
    r = client.get(f"/therapist/clients/{circle.pk}/fhir")
    assert r.status_code == 200
    return json.loads(r.content)


def answers_of(resource: QuestionnaireResponse) -> dict[str, Any]:
    """linkId -> the one answer's value, read back through the FHIR models."""
    out: dict[str, Any] = {}
    for item in resource.item or []:
        [answer] = item.answer
        for field in ("valueInteger", "valueDecimal", "valueBoolean", "valueString"):
            value = getattr(answer, field, None)
            if value is not None:
                out[item.linkId] = value
        if answer.valueCoding is not None:
            out[item.linkId] = answer.valueCoding.code
    return out


def test_bundle_validates_as_fhir(therapist_client, history, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    data = export(therapist_client, therapy_circle)
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds == ["Questionnaire"] + ["QuestionnaireResponse"] * len(SCORES)
    for entry in data["entry"]:  # each resource on its own too
        cls = Questionnaire if entry["resource"]["resourceType"] == "Questionnaire" \
            else QuestionnaireResponse
        cls.model_validate(entry["resource"])


def test_download_headers(therapist_client, history, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    r = therapist_client.get(f"/therapist/clients/{therapy_circle.pk}/fhir")
    assert r["Content-Type"] == "application/fhir+json; charset=utf-8"
    key = fhir.client_key(therapy_circle)
    assert r["Content-Disposition"].startswith(f'attachment; filename="checkins-{key}-')
    assert r["Cache-Control"] == "no-store"


def test_answers_round_trip(therapist_client, history, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    bundle = Bundle.model_validate(export(therapist_client, therapy_circle))
    responses = [e.resource for e in bundle.entry[1:]]
    for checkin, qr in zip(history.checkins, responses, strict=True):
        assert qr.status == "completed"
        assert qr.identifier.value == fhir.checkin_key(checkin)
        assert qr.authored == checkin.completed_at
        assert answers_of(qr) == checkin.answers
    fall = answers_of(responses[TENSION_AT])
    assert fall["tension"] is True and fall["tension_strength"] == 4
    assert isinstance(fall["bond_grasped"], int)


def test_item_types_follow_the_instrument(therapist_client, history, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    data = export(therapist_client, therapy_circle)
    qr = data["entry"][1 + TENSION_AT]["resource"]
    by_id = {i["linkId"]: i for i in qr["item"]}
    assert by_id["bond_grasped"]["answer"] == [{"valueInteger": 2}]
    assert by_id["tension"]["answer"] == [{"valueBoolean": True}]
    assert by_id["bond_grasped"]["text"] == (
        "Today I felt that my therapist grasped what was going on for me.")
    quiet = data["entry"][1]["resource"]
    assert "tension_strength" not in {i["linkId"] for i in quiet["item"]}  # hidden, unanswered


def test_questionnaire_is_built_from_the_instrument(  # type: ignore[no-untyped-def]
        therapist_client, history, therapy_circle) -> None:
    data = export(therapist_client, therapy_circle)
    q = data["entry"][0]["resource"]
    inst = engine.load_instrument(SHIPPED)
    assert q["url"] == "http://testserver/fhir/Questionnaire/attunement-alliance-v1"
    assert data["entry"][0]["fullUrl"] == q["url"]
    assert q["version"] == "1" and q["status"] == "active"
    assert q["name"] == "AttunementAllianceV1" and q["title"] == "After the session"
    assert [i["linkId"] for i in q["item"]] == [it.id for it in inst.items]
    items = {i["linkId"]: i for i in q["item"]}
    scale = items["bond_grasped"]
    assert scale["type"] == "integer" and scale["required"] is True
    assert {e["url"].rsplit("/", 1)[1]: e["valueInteger"] for e in scale["extension"]} == {
        "minValue": 1, "maxValue": 5}
    assert scale["item"] == [{"linkId": "bond_grasped.anchors", "type": "display",
                              "text": "1 Not at all · 2 A little · 3 Partly · 4 Largely · 5 Fully"}]
    assert items["tension"]["type"] == "boolean"
    assert items["tension_strength"]["enableWhen"] == [
        {"question": "tension", "operator": "=", "answerBoolean": True}]
    assert items["note"]["type"] == "text" and items["note"]["required"] is False
    for entry in data["entry"][1:]:
        assert entry["resource"]["questionnaire"] == q["url"] + "|1"
        assert entry["fullUrl"] == "urn:uuid:" + entry["resource"]["id"]


def test_subject_is_pseudonymous(therapist_client, history, therapy_circle, writer) -> None:  # type: ignore[no-untyped-def]
    data = export(therapist_client, therapy_circle)
    text = json.dumps(data)
    for revealing in (writer.display_name, writer.username, therapy_circle.name,
                      f'"{writer.pk}"'):
        assert revealing not in text
    qr = data["entry"][1]["resource"]
    assert qr["subject"] == {"type": "Patient", "identifier": {
        "system": fhir.system("client"), "value": fhir.client_key(therapy_circle)}}
    assert qr["source"] == qr["subject"]


def test_identifiers_name_neither_the_server_nor_a_count(  # type: ignore[no-untyped-def]
        therapist_client, history, therapy_circle, settings) -> None:
    """Review finding 12: identifier systems were the server's address (perhaps a personal
    domain) and check-in identifiers its sequential numbers."""
    settings.CIRCLE_BASE_URL = "https://lantern-family.example"
    data = export(therapist_client, therapy_circle)
    responses = [e["resource"] for e in data["entry"][1:]]
    uuid_urn = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                          r"[0-9a-f]{12}")
    for qr, checkin in zip(responses, history.checkins, strict=True):
        for ident in (qr["identifier"], qr["subject"]["identifier"]):
            assert uuid_urn.fullmatch(ident["system"]), ident
            assert "lantern-family" not in ident["system"]
        assert qr["identifier"]["system"] != qr["subject"]["identifier"]["system"]
        value = qr["identifier"]["value"]
        assert value == fhir.checkin_key(checkin) and len(value) == 20
        assert str(checkin.pk) not in (value, qr["id"])
    assert len({qr["identifier"]["value"] for qr in responses}) == len(responses)
    assert len({qr["id"] for qr in responses}) == len(responses)


def test_identifiers_are_keyed_with_the_secret(  # type: ignore[no-untyped-def]
        history, therapy_circle, settings) -> None:
    """Stable under one key; another server (another key) cannot recompute them."""
    checkin = history.checkins[0]
    before = (fhir.system("client"), fhir.system("checkin"), fhir.checkin_key(checkin),
              fhir.response_id(checkin), fhir.client_key(therapy_circle))
    assert before == (fhir.system("client"), fhir.system("checkin"),
                      fhir.checkin_key(checkin), fhir.response_id(checkin),
                      fhir.client_key(therapy_circle))
    settings.SECRET_KEY = "another server's key"
    after = (fhir.system("client"), fhir.system("checkin"), fhir.checkin_key(checkin),
             fhir.response_id(checkin), fhir.client_key(therapy_circle))
    assert all(a != b for a, b in zip(before, after, strict=True))


def test_client_key_is_stable_and_per_circle(  # type: ignore[no-untyped-def]
        therapy_circle, make_circle, writer, make_user) -> None:
    second = make_circle(writer, "A second therapist", kind=Circle.Kind.THERAPY,
                         therapist=make_user("second", "Dr. Second"))
    key = fhir.client_key(therapy_circle)
    assert key == fhir.client_key(Circle.objects.get(pk=therapy_circle.pk))
    assert key != fhir.client_key(second)  # two therapists cannot link their exports
    assert len(key) == 20 and int(key, 16) >= 0


def test_response_ids_are_stable_between_exports(  # type: ignore[no-untyped-def]
        therapist_client, history, therapy_circle) -> None:
    first = export(therapist_client, therapy_circle)
    second = export(therapist_client, therapy_circle)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


def test_configured_base_url_is_the_canonical(  # type: ignore[no-untyped-def]
        therapist_client, history, therapy_circle, settings) -> None:
    settings.CIRCLE_BASE_URL = "https://circle.example.org"
    q = export(therapist_client, therapy_circle)["entry"][0]["resource"]
    assert q["url"] == "https://circle.example.org/fhir/Questionnaire/attunement-alliance-v1"


def test_empty_export_is_a_valid_empty_bundle(therapist_client, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    data = export(therapist_client, therapy_circle)
    assert data["entry"] == []
    Bundle.model_validate(data)


def _share(circle: Circle, instrument: str, version: str, answers: dict[str, Any]
           ) -> SharedCheckin:
    return SharedCheckin.objects.create(
        author=circle.owner, circle=circle, local_id=f"checkin-{instrument}-{version}",
        instrument=instrument, instrument_version=version, completed_at=START,
        answers=answers, alliance=None)


def test_decimal_and_choice_items(  # type: ignore[no-untyped-def]
        therapist_client, therapy_circle, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "half.yaml").write_text(CUSTOM, encoding="utf-8")
    monkeypatch.setenv(engine.ENV_DIR, str(folder))
    _share(therapy_circle, "half_steps", "3", {"close": 2.5, "mood": "stirred", "words": "far"})
    data = export(therapist_client, therapy_circle)
    bundle = Bundle.model_validate(data)
    q = data["entry"][0]["resource"]
    assert q["id"] == "half-steps"  # FHIR ids have no underscore
    items = {i["linkId"]: i for i in q["item"]}
    assert items["close"]["type"] == "decimal"
    assert [e["valueDecimal"] for e in items["close"]["extension"]] == [0.0, 3.0]
    assert items["mood"]["answerOption"] == [
        {"valueCoding": {"code": "calm", "display": "Calm"}},
        {"valueCoding": {"code": "stirred", "display": "Stirred"}}]
    qr = bundle.entry[1].resource
    assert answers_of(qr) == {"close": 2.5, "mood": "stirred", "words": "far"}
    assert qr.questionnaire.endswith("/fhir/Questionnaire/half-steps|3")


def test_instrument_unknown_here_is_typed_by_its_values(  # type: ignore[no-untyped-def]
        therapist_client, therapy_circle) -> None:
    _share(therapy_circle, "licensed-elsewhere", "2",
           {"q1": 3, "q2": 2.5, "q3": True, "q4": "some words", "q5": None})
    data = export(therapist_client, therapy_circle)
    bundle = Bundle.model_validate(data)
    [entry] = data["entry"]  # no Questionnaire: this server has no file for it
    assert entry["resource"]["questionnaire"].endswith("/Questionnaire/licensed-elsewhere|2")
    assert answers_of(bundle.entry[0].resource) == {
        "q1": 3, "q2": 2.5, "q3": True, "q4": "some words"}


def test_other_version_gets_no_questionnaire(therapist_client, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    _share(therapy_circle, SHIPPED, "2", {"bond_grasped": 4, "tension": False})
    data = export(therapist_client, therapy_circle)
    Bundle.model_validate(data)
    assert [e["resource"]["resourceType"] for e in data["entry"]] == ["QuestionnaireResponse"]
    assert data["entry"][0]["resource"]["questionnaire"].endswith("|2")


def test_answers_that_do_not_fit_are_left_out(therapist_client, therapy_circle) -> None:  # type: ignore[no-untyped-def]
    _share(therapy_circle, SHIPPED, "1",
           {"bond_grasped": "lots", "bond_on_my_side": 4, "tension": "maybe", "note": "  "})
    data = export(therapist_client, therapy_circle)
    bundle = Bundle.model_validate(data)
    assert answers_of(bundle.entry[1].resource) == {"bond_on_my_side": 4}
