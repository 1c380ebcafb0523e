"""Hypothesis strategies for whole journals with consistent keys and references."""

from __future__ import annotations

import datetime as dt
from typing import get_args

from hypothesis import strategies as st

from attunement.io import records as r

_fixed_offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
    lambda m: dt.timezone(dt.timedelta(minutes=m))
)
zones = st.one_of(st.just(dt.UTC), _fixed_offsets, st.timezones())
aware = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=zones
)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1))
text = st.text(max_size=30)
json_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10), st.lists(st.integers(), max_size=3),
)


def _keys(draw, max_size: int = 3) -> list[str]:
    return draw(st.lists(st.text(min_size=1, max_size=8), unique=True, max_size=max_size))


def _ref(keys: list[str]) -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(keys) if keys else st.none()


def _lit(alias) -> st.SearchStrategy[str]:
    return st.sampled_from(get_args(alias))


def _comments(draw, entry_key: str) -> list[r.CommentRec]:
    comments: list[r.CommentRec] = []
    for j in range(draw(st.integers(0, 4))):
        earlier = [c.key for c in comments]
        comments.append(r.CommentRec(
            key=f"{entry_key}/c{j}", author=draw(text), posted_at=draw(aware), body=draw(text),
            parent_key=draw(_ref(earlier)), approved=draw(st.booleans()),
            author_url=draw(text),
        ))
    return comments


@st.composite
def journals(draw) -> r.JournalData:
    therapists = [
        r.TherapistRec(k, draw(text), draw(st.none() | dates), draw(st.none() | dates))
        for k in _keys(draw)
    ]
    tk = _ref([t.key for t in therapists])
    sessions = [
        r.SessionRec(k, draw(aware), draw(_lit(r.SessionStatus)), draw(_lit(r.Modality)),
                     draw(text), draw(tk), draw(st.integers(0, 600)))
        for k in _keys(draw)
    ]
    sk = _ref([s.key for s in sessions])
    contacts = [
        r.ContactRec(k, draw(aware), draw(_lit(r.ContactKind)), draw(_lit(r.Initiator)),
                     draw(st.none() | st.booleans()), draw(st.none() | aware), draw(text),
                     draw(st.none() | st.integers(1, 5)), draw(text), draw(tk))
        for k in _keys(draw)
    ]
    frame = [
        r.FrameRec(k, draw(_lit(r.FrameKind)), draw(_lit(r.FrameOwner)), draw(text),
                   draw(dates), draw(st.none() | dates))
        for k in _keys(draw)
    ]
    absences = [r.AbsenceRec(k, draw(dates), draw(dates), draw(text), draw(tk))
                for k in _keys(draw)]
    entries = [
        r.EntryRec(k, draw(text), draw(text), draw(aware), draw(st.lists(text, max_size=3)),
                   draw(sk), draw(st.booleans()), draw(text), draw(text), _comments(draw, k))
        for k in _keys(draw, 4)
    ]
    unsaid = [r.UnsaidRec(k, draw(text), draw(aware), draw(sk), draw(st.none() | aware))
              for k in _keys(draw)]
    checkins = [
        r.CheckinRec(k, draw(text), draw(aware),
                     draw(st.dictionaries(st.text(max_size=5), json_values, max_size=4)),
                     draw(_lit(r.CheckinTiming)), draw(sk), draw(text))
        for k in _keys(draw)
    ]
    return r.JournalData(therapists, sessions, contacts, frame, absences, entries, unsaid,
                         checkins)
