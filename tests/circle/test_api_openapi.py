"""The OpenAPI document: served, complete, and in agreement with the server's validation."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from django.urls import URLPattern

from attunement.circle import api, api_fields, api_http, api_urls, openapi, ratelimit

from .api_support import Api, checkin_body, note_body, post_body

DOC = openapi.document()
DOCS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "circle-api.md"


def test_served_without_a_token_and_equal_to_the_code(db) -> None:
    r = Api().get("openapi.json")
    assert r.status_code == 200
    assert r.json() == DOC
    assert DOC["openapi"] == "3.0.3"


def _routes() -> dict[str, Any]:
    """Every endpoint route of api_urls as OpenAPI path -> view (not the catch-all)."""
    out = {}
    for p in api_urls.urlpatterns:
        assert isinstance(p, URLPattern)
        if p.name == "not_found":
            continue
        route = re.sub(r"<str:(\w+)>", r"{\1}", str(p.pattern))
        out["/" + route] = p.callback
    return out


def test_every_route_and_method_is_described_and_nothing_else() -> None:
    routes = _routes()
    assert set(routes) == set(DOC["paths"])
    for route, view in routes.items():
        described = {m.upper() for m in DOC["paths"][route] if m != "parameters"}
        assert described == set(view.methods), route


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in DOC["paths"].items()
            for method, op in item.items() if method != "parameters"]


def test_every_operation_declares_its_security_and_errors() -> None:
    routes = _routes()
    for path, method, op in _operations():
        statuses = set(op["responses"])
        if routes[path].public:
            assert op["security"] == [], path
        else:
            assert "security" not in op  # the document-wide bearer applies
            assert {"401", "429"} <= statuses, (path, method)
        if "requestBody" in op:
            assert {"400", "413"} <= statuses, (path, method)
            assert op["requestBody"]["required"] is True
        if "{local_id}" in path:
            assert "400" in statuses  # a bad local_id
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}
    assert DOC["security"] == [{"bearer": []}]
    assert DOC["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_write_operations_answer_201_and_200() -> None:
    for path, method, op in _operations():
        if method == "put":
            assert {"200", "201"} <= set(op["responses"]), path
        if method == "delete":
            assert "204" in op["responses"], path
        if method == "delete" and "{local_id}" in path:  # an item that may not be there
            assert "404" in op["responses"], path


def test_a_post_names_exactly_one_circle() -> None:
    """Each circle keeps its own conversation: the document says one circle per post."""
    circles = DOC["components"]["schemas"]["PostRequest"]["properties"]["circles"]
    assert (circles["minItems"], circles["maxItems"]) == (1, 1)
    assert "exactly one id" in circles["description"]


@pytest.mark.parametrize("name", ["ConnectRequest", "PostRequest", "CheckinRequest",
                                  "NoteRequest"])
def test_request_bodies_are_closed_and_bounded(name) -> None:
    body = DOC["components"]["schemas"][name]
    assert body["additionalProperties"] is False and body["required"]
    for field, schema in body["properties"].items():
        if schema["type"] == "string" and "enum" not in schema:
            assert "maxLength" in schema, (name, field)
            assert "pattern" in schema or schema.get("format") == "date-time"
        if schema["type"] in ("integer", "number"):
            assert "minimum" in schema and "maximum" in schema, (name, field)
        assert schema["description"]


def test_every_error_code_the_server_uses_is_listed() -> None:
    source = "".join(Path(m.__file__).read_text() for m in (api_http,)
                     if m.__file__) + Path(openapi.__file__).read_text()
    used = set(re.findall(r'ApiError\(\d{3}, "(\w+)"', source))
    used |= set(re.findall(r'error_response\(\d{3}, "(\w+)"', source))
    used |= {"invalid", "invalid_code"}
    assert used <= set(openapi.ERROR_CODES)


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: ``nullable: true`` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k not in ("nullable", "example")}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _agree(fields: tuple[api_fields.Field, ...], body: Any) -> tuple[bool, bool]:
    schema = _json_schema(copy.deepcopy(openapi.body_schema(fields)))
    by_schema = jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(body)
    try:
        api_fields.clean(body, fields)
        by_server = True
    except api_fields.Invalid:
        by_server = False
    return by_schema, by_server


POST_CASES = [
    post_body([1]), post_body([1, 2], title=""), {"body": "b", "written_at": "2024-01-01T00:00:00Z",
                                                  "circles": [5]},
    post_body([]), post_body([0]), post_body([1, 1]), post_body([True]), post_body([1.5]),
    post_body([1], title="t" * 301), post_body([1], body=None), post_body([1], extra=1),
    post_body([1], is_excerpt=None), post_body([1], written_at="not a date"),
    post_body([1], title="a\x00b"), {"written_at": "2024-01-01T00:00:00Z", "circles": [1]},
    post_body(list(range(1, 52))), post_body([1, 2]),
]
CHECKIN_CASES = [
    checkin_body(1), checkin_body(1, session_at=None, alliance=None, tension=None),
    checkin_body(1, tension_intensity=0), checkin_body(1, tension_intensity=100),
    checkin_body(1, tension_intensity=101), checkin_body(1, tension_intensity=-1),
    checkin_body(1, tension_intensity=2.5), checkin_body(1, timing="later"),
    checkin_body(1, alliance=1e6), checkin_body(1, alliance=1e6 + 1),
    checkin_body(1, answers={"q": [1]}), checkin_body(1, answers={"q": {"a": 1}}),
    checkin_body(1, answers={"q": None, "r": "x", "s": 1.5, "t": True}),
    checkin_body(1, answers={f"q{i}": 1 for i in range(51)}),
    checkin_body(1, answers={"q": "x" * 4001}), checkin_body(1, note="n" * 20_001),
    checkin_body(1, instrument=""), checkin_body(None), checkin_body(1, instrument="a.yaml"),
    checkin_body(1, instrument="Upper"), checkin_body(1, instrument="/dev/zero"),
    checkin_body(1, instrument="ok.v2"),
]
NOTE_CASES = [note_body(1), note_body(1, text=""), note_body(1, text=5), note_body(2**63),
              note_body(1, written_at=None), {"circle": 1, "text": "t"}]


@pytest.mark.parametrize(("fields", "body"), [
    *[(api_fields.POST, b) for b in POST_CASES],
    *[(api_fields.CHECKIN, b) for b in CHECKIN_CASES],
    *[(api_fields.NOTE, b) for b in NOTE_CASES],
    *[(api_fields.CONNECT, b) for b in [{"code": "c"}, {"code": ""}, {"code": "c", "x": 1},
                                        {"device_name": "d"}, {"code": "c" * 201}]],
])
def test_the_document_and_the_server_agree(fields, body) -> None:
    by_schema, by_server = _agree(fields, body)
    assert by_schema == by_server


def test_the_page_for_client_writers_covers_every_endpoint_and_error() -> None:
    page = DOCS_PAGE.read_text(encoding="utf-8")
    for path, method, _op in _operations():
        assert f"{method.upper()} /api/v1{path}" in page, (method, path)
    for code in openapi.ERROR_CODES:
        assert f"`{code}`" in page, code
    for name in ("curl", "Retry-After", "since", "cursor", "more", "256 KiB"):
        assert name in page
    page = " ".join(page.split())  # the figures may wrap across lines
    calls, window = ratelimit.LIMITS["api"]
    assert window == 60 and f"{calls} calls a minute per connected journal" in page
    tries, window = ratelimit.LIMITS["connect"]
    assert f"{tries} connection attempts per {window // 60} minutes per address" in page
    assert f"Years {api_fields.FIRST_YEAR}–{api_fields.LAST_YEAR}" in page
    assert f"at most {api.PAGE} comments per answer" in page.replace("At most", "at most")
