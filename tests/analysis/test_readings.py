"""Tests for the extra readings of an entry: parts, people, relations, contacts, crisis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attunement.analysis.readings import Readings, read_entry

DATA = Path(__file__).parent.parent / "data" / "readings"
NAMES = ["Ruth"]
WED = dt.date(2024, 5, 8)  # a Wednesday


def read(text: str, **kw) -> Readings:
    kw.setdefault("therapist_names", NAMES)
    return read_entry(text, **kw)


def spans_ok(text: str, items) -> None:
    for item in items:
        assert text[item.start:item.end].replace("\u2019", "'") == item.text


# --- parts language --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "found"), [
    ("A part of me wanted to run out of the room.", ["A part of me"]),
    ("part of me still trusts her", ["part of me"]),
    ("The little one was scared all session.", ["The little one"]),
    ("One of us wanted to stay.", ["One of us"]),
    ("The parts were arguing again.", ["The parts"]),
    ("Another part that feels angry took over.", ["Another part that"]),
    ("My younger part hid.", ["My younger part"]),
    ("We were fronting together most of the day.", ["We", "fronting"]),
    ("Some of us inside don't trust her yet.", ["Some of us inside"]),
])
def test_parts_found(text, found):
    r = read(text)
    assert [p.text for p in r.parts_language] == found
    spans_ok(text, r.parts_language)


@pytest.mark.parametrize("text", [
    "We talked about my week.",
    "We agreed to meet on Thursday instead.",
    "Part of the problem is the schedule.",
    "The parts of the session I liked were at the end.",
    "She is a part of my life now.",
    "My little one started school today.",
    "One of us had to say it, so I did.".replace("One of us", "Someone"),
    "We went to the cinema after the session.",
])
def test_parts_not_found(text):
    assert read(text).parts_language == []


def test_named_parts_are_case_sensitive_and_whole_words():
    text = "Ash came out when she mentioned the break. We burnt the ash. Ashley texted."
    r = read(text, known_parts=["Ash"])
    assert [(p.kind, p.name, p.start) for p in r.parts_language] == [("named", "Ash", 0)]
    assert all(p.person != "Ash" for p in r.people)


# --- people -----------------------------------------------------------------------------

def test_people_roles_and_names():
    text = ("I told my friend Anna about it, and Ben, my boss, laughed. Mum rang. "
            "Later Priya came over with Sam. Ruth said nothing.")
    r = read(text, known_people={"Priya": "sister"})
    got = [(p.person, p.role) for p in r.people]
    assert got == [("Anna", "friend"), ("Ben", "boss"), ("mother", "mother"),
                   ("Priya", "sister"), ("Sam", None)]
    spans_ok(text, r.people)


@pytest.mark.parametrize("text", [
    "Tuesday was hard.",
    "In London it rained all day.",
    "I went to Paris in May.",
    "She said I could email on Monday.",
    "On Zoom it felt distant, and God knows why.",
    "Ruth was late. T was late too.",
    "I am tired. OK, very tired.",
])
def test_not_people(text):
    assert read(text).people == []


def test_lowercase_known_person():
    r = read("saw jo today", known_people={"jo": "friend"})
    assert [(p.person, p.role, p.start) for p in r.people] == [("jo", "friend", 4)]


# --- relations to the therapist ---------------------------------------------------------

@pytest.mark.parametrize(("text", "person", "relation"), [
    ("She's like my mother.", "mother", "like"),
    ("she's just like my mum sometimes", "mother", "like"),
    ("It felt like being with my dad again.", "father", "like"),
    ("She reminds me of my grandmother.", "grandmother", "reminds"),
    ("Ruth reminds me so much of my aunt.", "aunt", "reminds"),
    ("T is nothing like my mum.", "mother", "unlike"),
    ("She isn't like my mother at all.", "mother", "unlike"),
    ("She is so different from my dad.", "father", "unlike"),
    ("She doesn't remind me of my mother.", "mother", "unlike"),
    ("Ruth sounded exactly like my father today.", "father", "like"),
    ("She treats me like my mum did.", "mother", "like"),
    ("I see my mother in her.", "mother", "reminds"),
    ("She is the mother I never had.", "mother", "like"),
    ("Talking to her felt like talking to my sister.", "sister", "like"),
    ("She's like Anna, calm and sure.", "Anna", "like"),
])
def test_relations(text, person, relation):
    r = read(text)
    assert [(x.person, x.relation) for x in r.relations] == [(person, relation)]
    spans_ok(text, r.relations)


@pytest.mark.parametrize("text", [
    "My sister is like my mother.",
    "I felt like crying.",
    "She's like, whatever, fine.",
    "I'd like my mum to visit.",
    "She looked like she was tired.",
    "My mum reminds me of my gran.",
])
def test_no_relation(text):
    assert read(text).relations == []


# --- contacts between sessions ----------------------------------------------------------

def contact_tuples(text: str, **kw):
    r = read(text, entry_date=WED, **kw)
    spans_ok(text, r.contacts)
    return [(c.kind, c.initiated_by, c.answered, c.when) for c in r.contacts]


@pytest.mark.parametrize(("text", "expected"), [
    ("I called her and left a voicemail.", [("voicemail", "me", None, None)]),
    ("I called and left a voicemail.", [("voicemail", "me", None, None)]),
    ("I emailed her last night.", [("email", "me", None, WED - dt.timedelta(days=1))]),
    ("I wrote her a letter.", [("letter", "me", None, None)]),
    ("I finally texted Ruth yesterday.", [("text", "me", None, WED - dt.timedelta(days=1))]),
    ("She rang to cancel.", [("call", "therapist", None, None)]),
    ("She texted back.", [("text", "therapist", None, None)]),
    ("she called me this morning", [("call", "therapist", None, WED)]),
    ("I got an email from Ruth on Monday.", [("email", "therapist", None, dt.date(2024, 5, 6))]),
    ("Ruth left me a voicemail two days ago.",
     [("voicemail", "therapist", None, dt.date(2024, 5, 6))]),
    ("I sent her a text on Wednesday.", [("text", "me", None, WED)]),
    ("I sent her a text last Wednesday.", [("text", "me", None, dt.date(2024, 5, 1))]),
    ("I rang her but she didn't pick up.", [("call", "me", False, None)]),
    ("I tried to call her.", [("call", "me", False, None)]),
    ("I called her. She picked up straight away.", [("call", "me", True, None)]),
    ("Called her last night, left a voicemail. No reply yet.",
     [("voicemail", "me", False, WED - dt.timedelta(days=1))]),
    ("I called her and left a voicemail. She texted back an hour later.",
     [("voicemail", "me", True, None)]),
    ("I emailed my therapist about the fees.", [("email", "me", None, None)]),
    ("I\u2019ve texted her twice this week.", [("text", "me", None, None)]),
])
def test_contacts(text, expected):
    assert contact_tuples(text) == expected


@pytest.mark.parametrize("text", [
    "I didn't call her.",
    "I did not email her, in the end.",
    "I almost texted her.",
    "I wanted to call her so badly.",
    "I should have written to her.",
    "I'll email her tomorrow.",
    "I'm going to call her on Friday.",
    "If I called her she would be annoyed.",
    "I called my mum.",
    "I texted my sister and she replied.",
    "I called her out on it.",
    "She called me out on it.",
    "She called it a rupture.",
    "She left the room for a minute.",
    "I wrote in my journal.",
    "I wrote her a letter that I never sent.",
    "Should I call her?",
    "I left the session early.",
    "I thought about texting her.",
    "I never emailed her back.",
])
def test_no_contacts(text):
    assert contact_tuples(text) == []


def test_contact_without_entry_date_keeps_the_words():
    r = read("I emailed her on Monday.")
    assert r.contacts[0].when is None and r.contacts[0].when_text == "on Monday"


# --- crisis words -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind"), [
    ("I want to die.", "wanting_to_die"),
    ("Part of me wants to die.", "wanting_to_die"),
    ("i dont know why i want to die", "wanting_to_die"),
    ("I don't want to be alive any more.", "wanting_to_die"),
    ("Sometimes I wish I was dead.", "wanting_to_die"),
    ("Everyone would be better off without me.", "wanting_to_die"),
    ("I hope I don't wake up tomorrow.", "wanting_to_die"),
    ("I've been feeling suicidal again.", "suicide"),
    ("feeling suicidal tonight", "suicide"),
    ("I keep thinking about killing myself.", "suicide"),
    ("I want to end my life.", "suicide"),
    ("I can't stop thinking about ending it all.", "suicide"),
    ("I cut myself again last night.", "self_harm"),
    ("The urge to self-harm is back.", "self_harm"),
    ("I hurt myself after the session.", "self_harm"),
    ("I took all my pills.", "self_harm"),
    ("I'm not safe right now.", "not_safe"),
    ("I don't feel safe with myself tonight.", "not_safe"),
    ("I can't keep myself safe.", "not_safe"),
    ("I told my sister I want to die.", "wanting_to_die"),
])
def test_crisis_found(text, kind):
    r = read(text)
    assert r.has_crisis
    assert [c.kind for c in r.crisis] == [kind]
    spans_ok(text, r.crisis)


@pytest.mark.parametrize("text", [
    "I'm dying to see her on Thursday.",
    "I'm killing it at work.",
    "This session is killing me.",
    "I'm not suicidal, just very tired.",
    "I don't want to die, I want the pain to stop.",
    "I would never hurt myself.",
    "I'm not going to hurt myself.",
    "No thoughts of suicide this week.",
    "I haven't self-harmed in two years.",
    "My uncle wanted to die at home.",
    "My friend is suicidal and I'm worried about her.",
    "She asked if I was having thoughts of suicide and I said no.",
    "I used to cut myself when I was fifteen.",
    "If I ever felt suicidal I would call the crisis line.",
    "I nearly died laughing.",
    "I could die of embarrassment.",
    "I'd rather die than call her again.".replace("die than", "walk than"),
    "I cut myself shaving.",
    "I hurt myself at the gym.",
    "I killed myself laughing at the film.",
    "I don't feel safe with her any more.",
    "I'm not safe with her, I can't trust her.",
    "It felt safe to cry.",
    "She asked: are you suicidal?",
    "The dress was to die for.",
    "My brother overdosed years ago.",
])
def test_crisis_not_found(text):
    r = read(text)
    assert r.crisis == []
    assert not r.has_crisis


# --- the whole entry and hostile input --------------------------------------------------

def test_typical_entry():
    text = (DATA / "typical_entry.md").read_text(encoding="utf-8")
    r = read(text, known_people={"Priya": "friend"}, entry_date=dt.date(2024, 5, 7))
    assert [p.text for p in r.parts_language] == ["A part of me", "The little one"]
    assert [(x.person, x.relation) for x in r.relations] == [
        ("mother", "like"), ("mother", "unlike"), ("grandmother", "reminds")]
    assert [(c.kind, c.initiated_by, c.answered, c.when) for c in r.contacts] == [
        ("voicemail", "me", True, dt.date(2024, 5, 6))]
    assert r.crisis == []
    assert ("Priya", "friend") in [(p.person, p.role) for p in r.people]
    for group in (r.parts_language, r.people, r.relations, r.crisis):
        spans_ok(text, group)


def test_curly_apostrophes_keep_spans():
    text = "She\u2019s like my mother. I don\u2019t want to live."
    r = read(text)
    assert r.relations[0].start == 0 and r.relations[0].end == text.index(".")
    assert [c.kind for c in r.crisis] == ["wanting_to_die"]
    assert text[r.crisis[0].start:r.crisis[0].end] == "don\u2019t want to live"


@pytest.mark.parametrize("text", ["", "   \n\n  ", "\U0001f62d\U0001f62d\U0001f494" * 50])
def test_empty_and_emoji(text):
    assert read(text) == Readings()


def test_hostile_files():
    garbage = (DATA / "garbage.bin").read_bytes().decode("utf-8", errors="replace")
    assert read(garbage) == Readings()
    line = (DATA / "typical_entry.md").read_text(encoding="utf-8").replace("\n", " ")
    huge = (line + " ") * (1_000_000 // len(line))
    r = read(huge, entry_date=WED)
    n = huge.count("A part of me wanted")
    assert n > 100
    assert len([p for p in r.parts_language if p.text == "A part of me"]) == n
    assert len(r.relations) == 3 * n


def test_no_names_given_still_reads():
    r = read_entry("I called her and she picked up. She's like my dad.")
    assert [(c.kind, c.answered) for c in r.contacts] == [("call", True)]
    assert [x.relation for x in r.relations] == ["like"]
