"""A client's shared check-ins as FHIR R4: QuestionnaireResponses and their Questionnaires.

One Bundle of type ``collection``: first the Questionnaire of each instrument the
responses answer (built from the instrument's file, when this server has the same
version of it), then one QuestionnaireResponse per shared check-in.

- The questionnaire's canonical URL is ``<server>/fhir/Questionnaire/<id>`` with its
  version (``...|1``); ``<server>`` is ``ATTUNE_BASE_URL`` (or the address the page was
  asked on). The Questionnaire is in the Bundle, so a reader resolves it there.
- The subject is never a name: a Patient reference by identifier only, the value a keyed
  hash of the therapy circle (stable across exports from this server, different for each
  therapist, meaningless elsewhere). It changes if the server's secret key changes.
- Identifier systems are opaque ``urn:uuid:`` names derived from the secret key, never
  the server's address (which may be a personal domain), and a response's identifier
  and id are keyed hashes too, never the check-in's sequential number: nothing in an
  export points back to a server or counts how many check-ins it holds.
- Answers are typed as the item says: a scale is ``integer`` (``decimal`` when its steps
  are fractional) with minValue/maxValue extensions and its anchor words as a display
  child; yes/no is ``boolean``; a choice has answerOptions (answered with a Coding);
  free text is ``text`` (answered with valueString).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from attunement.checkins.engine import render_text
from attunement.checkins.schema import Instrument, Item
from attunement.circle.alerts import server_instrument
from attunement.circle.models import Circle, SharedCheckin

EXT = "http://hl7.org/fhir/StructureDefinition/"
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def base_url(request: HttpRequest | None = None) -> str:
    """This server's public address, for the Questionnaires' canonical URLs."""
    configured = getattr(settings, "CIRCLE_BASE_URL", "")
    if configured or request is None:
        return configured or "http://localhost"
    return request.build_absolute_uri("/").rstrip("/")


def _keyed(label: str) -> str:
    """A keyed hash of ``label`` under the server's secret key (hex)."""
    return hmac.new(settings.SECRET_KEY.encode(), label.encode(), hashlib.sha256).hexdigest()


def client_key(circle: Circle) -> str:
    """The pseudonymous id of the client in one therapy circle (no name, no user id)."""
    return _keyed(f"fhir-client:{circle.pk}")[:20]


def checkin_key(checkin: SharedCheckin) -> str:
    """The pseudonymous id of one shared check-in (no sequential number)."""
    return _keyed(f"fhir-checkin:{checkin.pk}")[:20]


def system(kind: str) -> str:
    """An identifier system of this server: ``urn:uuid:`` from the secret key, no address."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_OID, _keyed(f'fhir-system:{kind}'))}"


def fhir_id(text: str) -> str:
    """A FHIR resource id ([A-Za-z0-9-.]{1,64}) from an instrument id."""
    return "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in text)[:64] or "x"


def canonical(base: str, instrument_id: str) -> str:
    return f"{base}/fhir/Questionnaire/{fhir_id(instrument_id)}"


def _computable_name(instrument_id: str) -> str:
    parts = [p for p in fhir_id(instrument_id).replace(".", "-").split("-") if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts)
    return name if name[:1].isalpha() else "Q" + name


def _integral(*values: float | None) -> bool:
    return all(v is None or float(v).is_integer() for v in values)


def _number_type(item: Item) -> str:
    return "integer" if _integral(item.min, item.max, item.step) else "decimal"


def _typed(kind: str, value: float) -> dict[str, Any]:
    return {"valueInteger": int(value)} if kind == "integer" else {"valueDecimal": float(value)}


def _scale_item(item: Item, out: dict[str, Any]) -> None:
    kind = _number_type(item)
    out["type"] = kind
    out["extension"] = [{"url": EXT + "minValue", **_typed(kind, item.min or 0)},
                        {"url": EXT + "maxValue", **_typed(kind, item.max or 0)}]
    if item.step is not None and kind == "integer":  # the extension holds integers only
        out["extension"].append({"url": EXT + "questionnaire-sliderStepValue",
                                 "valueInteger": int(item.step)})
    if item.anchors:
        words = " · ".join(f"{k} {v}" for k, v in sorted(item.anchors.items()))
        out["item"] = [{"linkId": f"{item.id}.anchors", "type": "display", "text": words}]


def _coding(item: Item, value: Any) -> dict[str, Any]:
    return {"code": str(value), "display": item.anchors.get(value, str(value))}


def _enable_when(item: Item, known: dict[str, Item]) -> list[dict[str, Any]]:
    if item.show_if is None:
        return []
    ref, want = item.show_if
    answer = _answer(known[ref], want)
    if answer is None:
        return []
    key, value = next(iter(answer.items()))
    return [{"question": ref, "operator": "=", "answer" + key[len("value"):]: value}]


def questionnaire_item(item: Item, known: dict[str, Item]) -> dict[str, Any]:
    """One instrument item as a Questionnaire.item."""
    out: dict[str, Any] = {"linkId": item.id, "text": render_text(item.text),
                           "required": item.required}
    if item.type == "scale":
        _scale_item(item, out)
    elif item.type == "yesno":
        out["type"] = "boolean"
    elif item.type == "choice":
        out["type"] = "choice"
        out["answerOption"] = [{"valueCoding": _coding(item, k)} for k in item.anchors]
    else:
        out["type"] = "text"
    when = _enable_when(item, known)
    if when:
        out["enableWhen"] = when
    return out


def questionnaire(inst: Instrument, base: str) -> dict[str, Any]:
    """The Questionnaire resource an instrument file describes."""
    known = {it.id: it for it in inst.items}
    out: dict[str, Any] = {
        "resourceType": "Questionnaire", "id": fhir_id(inst.id),
        "url": canonical(base, inst.id), "version": str(inst.version),
        "name": _computable_name(inst.id), "title": inst.title, "status": "active",
        "subjectType": ["Patient"],
        "item": [questionnaire_item(it, known) for it in inst.items],
    }
    if inst.description:
        out["description"] = inst.description
    if inst.licence:
        out["copyright"] = inst.licence
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    return True if word in _YES else False if word in _NO else None


def _answer(item: Item | None, value: Any) -> dict[str, Any] | None:
    """One answer as its FHIR value[x] (None when it does not fit the item)."""
    if item is None:
        return _untyped(value)
    if item.type == "scale":
        number = _number(value)
        if number is None:
            return None
        kind = "integer" if _number_type(item) == "integer" and number.is_integer() else "decimal"
        return _typed(kind, number)
    if item.type == "yesno":
        flag = _boolean(value)
        return None if flag is None else {"valueBoolean": flag}
    if item.type == "choice":
        match = next((k for k in item.anchors if k == value or str(k) == str(value)), None)
        return None if match is None else {"valueCoding": _coding(item, match)}
    return {"valueString": str(value)} if str(value).strip() else None


def _untyped(value: Any) -> dict[str, Any] | None:
    """An answer to an instrument this server has no file for, typed by its JSON type."""
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value} if math.isfinite(value) else None
    text = str(value)
    return {"valueString": text} if value is not None and text.strip() else None


def _response_items(checkin: SharedCheckin, inst: Instrument | None) -> list[dict[str, Any]]:
    answers = checkin.answers if isinstance(checkin.answers, dict) else {}
    items = ([(it.id, it) for it in inst.items] if inst is not None
             else [(str(k), None) for k in answers])
    out = []
    for link_id, item in items:
        if link_id not in answers or answers[link_id] is None:
            continue
        answer = _answer(item, answers[link_id])
        if answer is None:
            continue
        row: dict[str, Any] = {"linkId": link_id, "answer": [answer]}
        if item is not None:
            row["text"] = render_text(item.text)
        out.append(row)
    return out


def _subject(circle: Circle) -> dict[str, Any]:
    return {"type": "Patient",
            "identifier": {"system": system("client"), "value": client_key(circle)}}


def response_id(checkin: SharedCheckin) -> str:
    """A stable id for a check-in's response (same check-in, same id, every export)."""
    return str(uuid.uuid5(uuid.NAMESPACE_OID, _keyed(f"fhir-response:{checkin.pk}")))


def response(checkin: SharedCheckin, inst: Instrument | None, base: str) -> dict[str, Any]:
    """One shared check-in as a completed QuestionnaireResponse."""
    version = checkin.instrument_version or (str(inst.version) if inst else "")
    ref = canonical(base, checkin.instrument) + (f"|{version}" if version else "")
    subject = _subject(checkin.circle)
    return {
        "resourceType": "QuestionnaireResponse", "id": response_id(checkin),
        "identifier": {"system": system("checkin"), "value": checkin_key(checkin)},
        "questionnaire": ref, "status": "completed",
        "subject": subject, "source": subject,
        "authored": timezone.localtime(checkin.completed_at).isoformat(),
        "item": _response_items(checkin, inst),
    }


def _matching(checkin: SharedCheckin) -> Instrument | None:
    """The server's definition of the check-in's instrument, if it is the same version."""
    inst = server_instrument(checkin.instrument)
    if inst is None:
        return None
    if checkin.instrument_version and checkin.instrument_version != str(inst.version):
        return None
    return inst


def bundle(circle: Circle, base: str) -> dict[str, Any]:
    """The Bundle of everything the client of this circle shared as check-ins."""
    checkins = list(SharedCheckin.objects.filter(circle=circle, author=circle.owner)
                    .select_related("circle").order_by("completed_at", "id"))
    used: dict[str, Instrument] = {}
    responses = []
    for c in checkins:
        inst = _matching(c)
        if inst is not None:
            used.setdefault(inst.id, inst)
        responses.append(response(c, inst, base))
    entries = [{"fullUrl": canonical(base, i.id), "resource": questionnaire(i, base)}
               for i in used.values()]
    entries += [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in responses]
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "collection",
            "timestamp": timezone.now().isoformat(), "entry": entries}
