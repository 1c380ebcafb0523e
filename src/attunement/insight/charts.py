"""Vega-Lite specs built in Python (plain dicts: no Django, testable as JSON).

:func:`timeline_spec` draws the ebb and flow: alliance per session (post-session line and
points, pre-session points fainter), episodes shaded by kind, marker sentences per week
stacked by kind, and events on the same time axis. A brush on the small overview at the
bottom sets the time range of every view above it.
"""

from __future__ import annotations

from typing import Any

EPISODE_COLOURS = {
    "moving away": "#3d5a80",
    "moving against": "#9c3d1c",
    "moving away and against": "#6b4f2a",
    "kind not clear": "#6e6e6e",
}
MARKER_COLOURS = {"moving away": "#3d5a80", "moving against": "#9c3d1c", "repair": "#2e6b3a"}
EVENT_SHAPES = {
    "I reached out": "triangle-up",
    "my therapist reached out": "triangle-down",
    "I cancelled": "cross",
    "my therapist cancelled": "diamond",
    "missed session": "square",
    "frame change": "circle",
}
WIDTH = "container"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif"


def _x(title: str | None = None, *, brushed: bool = True, axis: bool = True) -> dict[str, Any]:
    enc: dict[str, Any] = {"field": "date", "type": "temporal", "title": title}
    if brushed:
        enc["scale"] = {"domain": {"param": "brush"}}
    if not axis:
        enc["axis"] = {"labels": False, "ticks": False, "title": None, "grid": True}
    return enc


def _episodes_layer() -> dict[str, Any]:
    return {
        "data": {"name": "episodes"},
        "mark": {"type": "rect", "opacity": 0.2, "cursor": "pointer"},
        "encoding": {
            "x": {**_x(), "field": "start"},
            "x2": {"field": "end"},
            "color": {"field": "kind", "type": "nominal", "title": "Episode",
                      "scale": {"domain": list(EPISODE_COLOURS),
                                "range": list(EPISODE_COLOURS.values())}},
            "href": {"field": "href"},
            "tooltip": [{"field": "start", "type": "temporal", "title": "began"},
                        {"field": "end_label", "title": "ended"},
                        {"field": "kind", "title": "kind"},
                        {"field": "status", "title": "now"}],
        },
    }


def _absence_layer() -> dict[str, Any]:
    return {
        "data": {"name": "ranges"},
        "mark": {"type": "rect", "color": "#8d8a84", "opacity": 0.15},
        "encoding": {
            "x": {**_x(), "field": "start"}, "x2": {"field": "end"},
            "href": {"field": "href"},
            "tooltip": [{"field": "label", "title": "away"},
                        {"field": "start", "type": "temporal", "title": "from"},
                        {"field": "end", "type": "temporal", "title": "to"}],
        },
    }


def _alliance_layers(lo: float, hi: float) -> list[dict[str, Any]]:
    y = {"field": "score", "type": "quantitative", "title": "Alliance",
         "scale": {"domain": [lo, hi], "nice": False}}
    tip = [{"field": "date", "type": "temporal", "title": "day"},
           {"field": "timing", "title": "rating"}, {"field": "score", "title": "score",
                                                     "format": ".2f"}]
    return [
        {"data": {"name": "alliance"}, "transform": [{"filter": "datum.timing === 'after'"}],
         "mark": {"type": "line", "color": "#2f5d62", "strokeWidth": 1.5, "interpolate": "linear"},
         "encoding": {"x": _x(), "y": y}},
        {"data": {"name": "alliance"},
         "mark": {"type": "point", "filled": True, "size": 36, "cursor": "pointer"},
         "encoding": {
             "x": _x(), "y": y, "href": {"field": "href"}, "tooltip": tip,
             "color": {"field": "timing", "type": "nominal", "title": "Rating",
                       "scale": {"domain": ["after", "before"], "range": ["#2f5d62", "#7b8c8e"]}},
             "opacity": {"field": "timing", "type": "nominal", "legend": None,
                         "scale": {"domain": ["after", "before"], "range": [1.0, 0.4]}},
             "shape": {"field": "timing", "type": "nominal", "legend": None,
                       "scale": {"domain": ["after", "before"], "range": ["circle", "square"]}},
         }},
    ]


def _events_view(height: int) -> dict[str, Any]:
    return {
        "height": height, "width": WIDTH,
        "layer": [
            {"data": {"name": "ranges"},
             "mark": {"type": "rule", "color": "#8d8a84", "strokeWidth": 5, "opacity": 0.6},
             "encoding": {"x": {**_x(axis=False), "field": "start"}, "x2": {"field": "end"},
                          "y": {"datum": "therapist away", "type": "nominal"}}},
            {"data": {"name": "events"},
             "mark": {"type": "point", "filled": True, "size": 60, "cursor": "pointer"},
             "encoding": {
                 "x": _x(axis=False),
                 "y": {"field": "kind", "type": "nominal", "title": None,
                       "sort": [*EVENT_SHAPES, "therapist away"]},
                 "shape": {"field": "kind", "type": "nominal", "legend": None,
                           "scale": {"domain": list(EVENT_SHAPES),
                                     "range": list(EVENT_SHAPES.values())}},
                 "color": {"value": "#4a5058"},
                 "href": {"field": "href"},
                 "tooltip": [{"field": "date", "type": "temporal", "title": "day"},
                             {"field": "kind", "title": "what"},
                             {"field": "detail", "title": "note"}],
             }},
        ],
    }


def _markers_view(height: int) -> dict[str, Any]:
    return {
        "height": height, "width": WIDTH,
        "data": {"name": "markers"},
        "mark": {"type": "bar", "width": {"band": 0.9}},
        "encoding": {
            "x": {**_x(axis=False), "field": "week", "timeUnit": "yearweek"},
            "y": {"aggregate": "sum", "field": "n", "type": "quantitative", "stack": "zero",
                  "title": "Sentences a week"},
            "color": {"field": "label", "type": "nominal", "title": "In the words",
                      "scale": {"domain": list(MARKER_COLOURS),
                                "range": list(MARKER_COLOURS.values())}},
            "tooltip": [{"field": "week", "type": "temporal", "title": "week of"},
                        {"field": "label", "title": "kind"}, {"field": "n", "title": "sentences"}],
        },
    }


def _overview_view(height: int, lo: float, hi: float) -> dict[str, Any]:
    return {
        "height": height, "width": WIDTH,
        "data": {"name": "alliance"},
        "transform": [{"filter": "datum.timing === 'after'"}],
        "params": [{"name": "brush", "select": {"type": "interval", "encodings": ["x"]}}],
        "mark": {"type": "area", "color": "#b9cfc2", "line": {"color": "#2f5d62"}},
        "encoding": {
            "x": _x("Drag here to zoom in on a stretch of time", brushed=False),
            "y": {"field": "score", "type": "quantitative", "title": None,
                  "scale": {"domain": [lo, hi], "nice": False}, "axis": {"tickCount": 2}},
        },
    }


def timeline_spec(data: dict[str, Any], *, scale: tuple[float, float] = (1.0, 5.0),
                  height: int = 260) -> dict[str, Any]:
    """The timeline chart for the data of :func:`attunement.insight.services.timeline.data`."""
    lo, hi = scale
    detail = {
        "height": height, "width": WIDTH,
        "layer": [_absence_layer(), _episodes_layer(), *_alliance_layers(lo, hi)],
        # Episode kinds and rating timings are different things: separate colour legends.
        "resolve": {"scale": {"color": "independent"}},
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": "Alliance per session, episodes, words and events over time.",
        "datasets": {k: data.get(k, []) for k in
                     ("alliance", "episodes", "markers", "events", "ranges")},
        "data": {"name": "alliance"},
        "config": {"font": FONT, "view": {"stroke": None},
                   "axis": {"labelFontSize": 12, "titleFontSize": 12},
                   "legend": {"orient": "top", "labelFontSize": 12}},
        "vconcat": [detail, _events_view(110), _markers_view(90), _overview_view(50, lo, hi)],
        "resolve": {"scale": {"color": "independent", "shape": "independent",
                              "opacity": "independent"}},
        "autosize": {"type": "fit-x", "contains": "padding"},
    }
