"""The timeline spec as JSON: a snapshot with dates scrubbed, and its structure."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from attunement.insight.charts import timeline_spec

SNAPSHOT = Path(__file__).parent / "snapshots" / "timeline_spec.json"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

SAMPLE: dict[str, list[dict[str, Any]]] = {
    "alliance": [
        {"date": "2026-01-05", "score": 4.25, "timing": "after", "href": "/checkins/1/"},
        {"date": "2026-01-07", "score": 3.5, "timing": "before", "href": "/checkins/2/"},
        {"date": "2026-01-07", "score": 2.0, "timing": "after", "href": "/checkins/3/"},
    ],
    "episodes": [{"start": "2026-01-07", "end": "2026-01-12", "end_label": "2026-01-12",
                  "kind": "moving away", "status": "repaired", "href": "/episodes/#ep-abc"}],
    "markers": [{"week": "2026-01-05", "label": "moving away", "n": 3},
                {"week": "2026-01-05", "label": "repair", "n": 1}],
    "events": [{"date": "2026-01-06", "kind": "I reached out", "detail": "call",
                "href": "/contacts/1/"}],
    "ranges": [{"start": "2026-01-20", "end": "2026-01-30", "label": "away",
                "href": "/absences/1/"}],
}


def scrub(obj: Any) -> Any:
    """The spec with every ISO date replaced, so the snapshot tests the shape."""
    return json.loads(_DATE.sub("DATE", json.dumps(obj, sort_keys=True)))


def test_timeline_spec_matches_snapshot() -> None:
    spec = scrub(timeline_spec(SAMPLE, scale=(1.0, 5.0)))
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(json.dumps(spec, indent=1, sort_keys=True) + "\n")
    assert spec == json.loads(SNAPSHOT.read_text())


def test_brush_on_overview_sets_every_detail_domain() -> None:
    spec = timeline_spec(SAMPLE)
    detail, events, markers, overview = spec["vconcat"]
    assert overview["params"][0] == {"name": "brush",
                                     "select": {"type": "interval", "encodings": ["x"]}}
    for layer in detail["layer"] + events["layer"]:
        assert layer["encoding"]["x"]["scale"] == {"domain": {"param": "brush"}}
    assert markers["encoding"]["x"]["scale"] == {"domain": {"param": "brush"}}
    assert "scale" not in overview["encoding"]["x"]


def test_points_link_and_pre_session_ratings_are_fainter() -> None:
    spec = timeline_spec(SAMPLE)
    points = spec["vconcat"][0]["layer"][3]
    assert points["mark"]["type"] == "point"
    assert points["encoding"]["href"] == {"field": "href"}
    opacity = points["encoding"]["opacity"]["scale"]
    assert dict(zip(opacity["domain"], opacity["range"], strict=True))["before"] < 1.0
    rect = spec["vconcat"][0]["layer"][1]
    assert rect["mark"]["type"] == "rect" and rect["encoding"]["x2"] == {"field": "end"}
    assert spec["datasets"]["alliance"] == SAMPLE["alliance"]
    json.dumps(spec)  # plain JSON, nothing else
