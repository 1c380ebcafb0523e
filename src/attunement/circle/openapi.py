"""The OpenAPI 3.0.3 description of the JSON API, built in code (``GET /api/v1/openapi.json``).

Request bodies come from the same declarations the server validates with
(:mod:`attunement.circle.api_fields`), so the two cannot drift apart; the schemathesis
test sends what this document allows (and what it forbids) and checks the answers
against the responses declared here.
"""

from __future__ import annotations

from typing import Any

from attunement.circle import api_fields as af

VERSION = "1.0.0"
JSON = "application/json"
ERROR_CODES = ["invalid", "invalid_code", "unauthorized", "forbidden", "not_found",
               "method_not_allowed", "too_large", "rate_limited", "server_error"]

DESCRIPTION = """\
How a writer's local journal publishes to a circle server: connect once with the code of
a connection link, then share entries with circles the writer owns, send check-ins and
notes to the therapist (a therapy circle), and pull back the comments on the posts.

Every endpoint except `POST /connect` and `GET /openapi.json` needs
`Authorization: Bearer <token>`. Items are keyed by `local_id`, their id in the writer's
journal (1-100 characters of `[A-Za-z0-9._:-]`, not `.` or `..`): PUT creates (201) or
updates (200) and DELETE unshares (204). Request bodies are at most 256 KiB (else 413).

Errors are always `{"error": code, "message": sentence}`; 400 `invalid` adds `"fields"`
(field name -> what is wrong). A method a path does not take answers 405
(`method_not_allowed`, with an `Allow` header); a path that is not here answers 404
(`not_found`). 429 (`rate_limited`) carries `Retry-After` in seconds. 403 (`forbidden`)
means the account may not do this at all: it is not a writer's (only writers connect
journals and share), or it already has the most connected journals it can have.
"""


def field_schema(f: af.Field) -> dict[str, Any]:
    """The JSON Schema of one declared field (OpenAPI 3.0 dialect: ``nullable``)."""
    s: dict[str, Any]
    if f.kind == "text":
        s = {"type": "string", "minLength": f.min_length, "maxLength": f.max_length,
             "pattern": f.pattern}
    elif f.kind == "bool":
        s = {"type": "boolean"}
    elif f.kind == "datetime":
        s = {"type": "string", "format": "date-time", "maxLength": 64,
             "example": "2024-05-01T18:30:00+02:00"}
    elif f.kind in ("int", "number"):
        s = {"type": "integer" if f.kind == "int" else "number",
             "minimum": f.minimum, "maximum": f.maximum}
    elif f.kind == "id":
        s = _id_schema()
    elif f.kind == "id_list":
        s = {"type": "array", "items": _id_schema(), "minItems": 1, "maxItems": af.MAX_LIST,
             "uniqueItems": True}
    elif f.kind == "answers":
        s = _answers_schema()
    else:
        s = {"type": "string", "enum": list(f.choices)}
    s["description"] = f.description
    if f.nullable:
        s["nullable"] = True
    if not f.required:
        s["default"] = f.default
    return s


def _id_schema() -> dict[str, Any]:
    return {"type": "integer", "format": "int64", "minimum": 1, "maximum": af.MAX_ID}


def _answers_schema() -> dict[str, Any]:
    answer = {
        "nullable": True,
        "anyOf": [
            {"type": "number"},
            {"type": "string", "maxLength": af.MAX_ANSWER_TEXT, "pattern": af.NO_NUL},
            {"type": "boolean"},
        ],
    }
    return {"type": "object", "maxProperties": af.MAX_ANSWERS, "additionalProperties": answer}


def body_schema(fields: tuple[af.Field, ...]) -> dict[str, Any]:
    """A request body: an object of exactly these fields (unknown ones are refused)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields if f.required],
        "properties": {f.name: field_schema(f) for f in fields},
    }


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False,
            "required": required if required is not None else list(props),
            "properties": props}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _moment(nullable: bool = False) -> dict[str, Any]:
    s: dict[str, Any] = {"type": "string", "format": "date-time"}
    if nullable:
        s["nullable"] = True
    return s


def schemas() -> dict[str, Any]:
    """Named schemas of the bodies and answers."""
    integer, string = {"type": "integer"}, {"type": "string"}
    person = _obj({"id": integer, "display_name": string})
    return {
        "Error": _obj({
            "error": {"type": "string", "enum": ERROR_CODES},
            "message": string,
            "fields": {"type": "object", "additionalProperties": string},
        }, ["error", "message"]),
        "Person": person,
        "ConnectRequest": body_schema(af.CONNECT),
        "Connected": _obj({"token": string, "user": _ref("Person"), "server_name": string}),
        "Circle": _obj({"id": integer, "name": string,
                        "kind": {"type": "string", "enum": ["circle", "therapy"]},
                        "role": {"type": "string", "enum": ["owner", "member", "therapist"]}}),
        "Me": _obj({"user": _ref("Person"),
                    "circles": {"type": "array", "items": _ref("Circle")}}),
        "PostRequest": body_schema(af.POST),
        "PostResult": _obj({"id": integer, "local_id": string, "url": string,
                            "circles": {"type": "array", "items": integer},
                            "updated": _moment()}),
        "Comment": _obj({
            "id": integer, "post_local_id": string,
            "parent_id": {"type": "integer", "nullable": True},
            "author": string, "body_html": string, "created": _moment(),
            "edited_at": _moment(nullable=True),
            "status": {"type": "string", "enum": ["visible", "held", "hidden", "removed"]},
        }),
        "CommentPage": _obj({"comments": {"type": "array", "items": _ref("Comment")},
                             "cursor": string, "more": {"type": "boolean"}}),
        "CheckinRequest": body_schema(af.CHECKIN),
        "CheckinResult": _obj({"id": integer, "local_id": string, "alerts": {
            "type": "array", "items": {"type": "string", "enum": ["drop", "tension"]}}}),
        "NoteRequest": body_schema(af.NOTE),
        "NoteResult": _obj({"id": integer, "local_id": string, "updated": _moment()}),
    }


ERRORS = {
    400: "Invalid: `fields` says what is wrong with each field (or the body is not JSON).",
    401: "The token is missing, unknown, or the journal was disconnected (`unauthorized`).",
    403: "The account is not a writer's: only writers share (`forbidden`).",
    404: "Nothing with this local_id was shared by this writer (`not_found`).",
    413: "The request body is larger than 256 KiB (`too_large`).",
    429: "Too many requests (`rate_limited`); try again after `Retry-After` seconds.",
}


def _error(status: int, description: str = "") -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or ERRORS[status],
        "content": {JSON: {"schema": _ref("Error")}},
    }
    if status == 429:
        response["headers"] = {"Retry-After": {
            "description": "Seconds to wait.", "schema": {"type": "integer", "minimum": 1}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {
            "description": "The Bearer challenge.", "schema": {"type": "string"}}}
    return response


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref(schema)}}}


def _op(summary: str, responses: dict[int, Any], *, body: str | None = None,
        public: bool = False, params: list[dict[str, Any]] | None = None,
        description: str = "") -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary,
                          "responses": {str(k): v for k, v in sorted(responses.items())}}
    if description:
        op["description"] = description
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {"required": True, "content": {JSON: {"schema": _ref(body)}}}
    if public:
        op["security"] = []
    return op


LOCAL_ID_PARAM = {
    "name": "local_id", "in": "path", "required": True,
    "description": "The item's id in the writer's journal, e.g. entry-12.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 100,
               "pattern": af.LOCAL_ID_PATTERN},
}
SINCE_PARAM = {
    "name": "since", "in": "query", "required": False,
    "description": "The cursor of the previous answer; omit (or empty) for all comments.",
    "schema": {"type": "string", "maxLength": 40, "pattern": af.CURSOR_PATTERN},
}


def _item_paths(kind: str, body: str, result: str, put_summary: str,
                put_description: str) -> dict[str, Any]:
    auth = {401: _error(401), 429: _error(429)}
    return {
        "parameters": [LOCAL_ID_PARAM],
        "put": _op(put_summary, {
            200: _ok("Updated.", result), 201: _ok("Created.", result),
            400: _error(400), 403: _error(403), 413: _error(413), **auth,
            429: _error(429, "Too many requests from this journal, or the account shared "
                             "its hourly most of posts, check-ins and notes together "
                             "(`rate_limited`); try again after `Retry-After` seconds."),
        }, body=body, description=put_description),
        "delete": _op(f"Unshare a {kind}", {
            204: {"description": "Gone from the server."},
            400: _error(400, "The local_id is not valid."),
            404: _error(404), **auth,
        }),
    }


def paths() -> dict[str, Any]:
    auth = {401: _error(401), 429: _error(429)}
    return {
        "/connect": {"post": _op("Connect a journal", {
            201: _ok("Connected: keep the token; it is shown only this once.", "Connected"),
            400: _error(400, "Invalid body, or the code does not work (`invalid_code`: "
                             "used, expired after an hour, or withdrawn)."),
            403: _error(403, "The code is good but the account is not a writer's, or it "
                             "already has the most connected journals (`forbidden`)."),
            413: _error(413),
            429: _error(429, "Too many connection attempts from this address."),
        }, body="ConnectRequest", public=True,
            description="Exchange the one-time code of a connection link for a token.")},
        "/me": {"get": _op("Who the token belongs to, and their circles", {
            200: _ok("The writer and every circle they are in; they can share into the "
                     "ones whose role is owner.", "Me"), **auth})},
        "/me/token": {"delete": _op("Disconnect this journal", {
            204: {"description": "The token no longer works (every later call is 401)."},
            **auth,
        }, description="Revokes the calling journal's own token, as Disconnect on the "
                       "server's Connect a journal page does.")},
        "/posts/{local_id}": _item_paths(
            "post", "PostRequest", "PostResult", "Share or update an entry",
            "Only into circles the writer owns. Members of a circle the post newly "
            "reaches are notified; editing notifies no one."),
        "/comments": {"get": _op("Comments on the writer's posts", {
            200: _ok("Comments changed after the cursor, oldest change first, at most 500 "
                     "(then `more` is true: ask again with the new cursor). A comment can "
                     "come again (it changed, or it was within the last seconds): update "
                     "by id.", "CommentPage"),
            400: _error(400, "The cursor is not one this server gave out."), **auth,
        }, params=[SINCE_PARAM])},
        "/checkins/{local_id}": _item_paths(
            "check-in", "CheckinRequest", "CheckinResult", "Share or update a check-in",
            "Only into a therapy circle the writer owns. `alerts` lists the alerts the "
            "check-in raised for the therapist (a reliable drop, or tension)."),
        "/notes/{local_id}": _item_paths(
            "note", "NoteRequest", "NoteResult", "Send or update a note for the next session",
            "Only into a therapy circle the writer owns; the therapist is notified."),
        "/openapi.json": {"get": _op("This document", {
            200: {"description": "OpenAPI 3.0.3", "content": {JSON: {"schema": {
                "type": "object"}}}},
        }, public=True)},
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI document (a new dict each call: callers may change theirs)."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Attunement circle API", "version": VERSION,
                 "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "The device token from POST /connect."}},
            "schemas": schemas(),
        },
    }
