"""The API's OpenAPI document, fuzzed with schemathesis against the app in-process.

schemathesis generates requests from the document served at /api/v1/openapi.json (valid
ones, boundary ones and ones the document forbids) and sends them through Django's WSGI
handler with a real device token. Each answer must not be a server error, must use a
status, content type, headers and body the document declares, and a request the document
forbids must be refused (4xx).

Bounded so the suite stays quick: at most 30 generated examples per operation,
derandomized (the same draws every run), no deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from attunement.circle import openapi, ratelimit
from attunement.circle.api_fields import MAX_ID, MAX_LIST

from .api_support import device_for

# A request the document forbids must be refused with one of the API's own 4xx answers.
# 413 belongs there: a body can break the document by its size alone.
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
    "expected-statuses": ["400", "401", "404", "405", "413", "429"]}}})
schema = schemathesis.openapi.from_dict(openapi.document(), config=CONFIG)
schema.app = WSGIHandler()  # probes (e.g. "does it ignore auth?") go in-process too


@pytest.fixture
def wsgi_app(db) -> Iterator[WSGIHandler]:  # type: ignore[no-untyped-def]
    """Django's WSGI handler inside the test's transaction.

    Like Django's test client, it must not close the connection between requests: that
    would break the transaction pytest-django rolls back at the end.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def owned(writer, circle, therapy_circle) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The writer's token and circles: valid generated bodies are aimed at them."""
    return {"token": device_for(writer)[1], "circle": circle.pk, "therapy": therapy_circle.pk}


def _valid_id(value: Any) -> bool:
    return type(value) is int and 1 <= value <= MAX_ID


def _aim(case: Any, owned: dict[str, Any]) -> None:
    """Point circle ids at circles the writer owns, so the code behind them runs.

    Only ids that are themselves valid are replaced: when the generated (or deliberately
    invalid) body breaks the document elsewhere, the server must still refuse it for
    that reason, not merely because the circle was someone else's.
    """
    body = case.body
    if not isinstance(body, dict):
        return
    ids = body.get("circles")
    if (isinstance(ids, list) and 1 <= len(ids) <= MAX_LIST and all(map(_valid_id, ids))
            and len(set(ids)) == len(ids)):
        body["circles"] = [owned["circle"]]
    if _valid_id(body.get("circle")):
        body["circle"] = owned["therapy"]


@pytest.fixture
def roomy_connect(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Let every generated connect body reach validation (429 itself is tested elsewhere)."""
    monkeypatch.setitem(ratelimit.LIMITS, "connect", (100_000, 900))


@schema.parametrize()
@settings(max_examples=30, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_and_never_fails(case, wsgi_app, owned, roomy_connect) -> None:
    _aim(case, owned)
    response = case.call_and_validate(
        app=wsgi_app, headers={"Authorization": f"Bearer {owned['token']}"},
        # A valid-looking body can still be refused on meaning (a circle of someone
        # else, a date in year 570), so "valid data must be accepted" does not apply.
        excluded_checks=[positive_data_acceptance])
    seen = STATUSES.setdefault(case.operation.label, {})
    seen[response.status_code] = seen.get(response.status_code, 0) + 1


STATUSES: dict[str, dict[int, int]] = {}


def test_the_fuzzing_reached_the_success_paths() -> None:
    """Each write the fuzzer ran created and updated items, not only errors (runs last)."""
    if not STATUSES:
        pytest.skip("the fuzzing test was not selected")
    for label, seen in STATUSES.items():
        if label.startswith("PUT "):
            assert seen.get(201, 0) >= 1 and seen.get(200, 0) >= 1, (label, seen)
        if label.startswith("GET ") and label != "GET /openapi.json":
            assert seen.get(200, 0) >= 1, (label, seen)
