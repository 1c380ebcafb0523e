"""Tests for the check-in engine: loading, validation, scoring and the RCI."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from attunement.checkins import engine
from attunement.checkins.engine import (
    InstrumentError,
    list_instruments,
    load_file,
    load_instrument,
    rci,
    render_text,
    scan_instruments,
    score,
)
from attunement.io.records import Problem

DATA = Path(__file__).parent.parent / "data" / "checkins"
EXAMPLE = DATA / "example-mood-v1.yaml"
FULL_ALLIANCE = {"bond_grasped": 4, "bond_on_my_side": 5, "task_fit": 3,
                 "goal_direction": 2, "tension": "no"}


@pytest.fixture
def example():
    return load_file(EXAMPLE)


@pytest.fixture
def alliance():
    return load_instrument("attunement-alliance-v1")


# --- the shipped instruments ---------------------------------------------------------

def test_shipped_instruments_load_and_are_ours():
    ids = [i.id for i in list_instruments()]
    assert ids[:2] == ["attunement-alliance-v1", "attunement-pre-v1"]
    for inst in list_instruments():
        assert "Attunement's own wording" in inst.licence


def test_alliance_v1_shape(alliance):
    assert alliance.timing == "post"
    assert [s.id for s in alliance.subscales] == ["bond", "task", "goal"]
    assert len(alliance.subscales[0].items) == 2
    assert alliance.rupture.tension == "tension"
    assert alliance.item("tension").type == "yesno"
    assert alliance.item("tension_strength").show_if == ("tension", True)
    assert alliance.score_range() == (1.0, 5.0)


def test_pre_v1_is_pre_and_short():
    pre = load_instrument("attunement-pre-v1")
    assert pre.timing == "pre"
    assert len(pre.items) <= 2
    s = score(pre, {"connected": 2})
    assert s.ok and s.alliance == 2 and s.total == 2
    assert s.missing == ["safe_to_bring"]


def test_alliance_v1_scores_mean_and_subscales(alliance):
    s = score(alliance, FULL_ALLIANCE)
    assert s.ok, s.errors
    assert s.total == pytest.approx((4 + 5 + 3 + 2) / 4)
    assert s.alliance == s.total
    assert s.subscales == {"bond": 4.5, "task": 3.0, "goal": 2.0}
    assert s.rupture == engine.RuptureAnswers(tension=False)
    assert s.missing == ["note"]


def test_alliance_v1_rupture_answers(alliance):
    answers = {**FULL_ALLIANCE, "tension": True, "tension_strength": "4",
               "tension_resolved": 2, "note": "she looked at the clock"}
    s = score(alliance, answers)
    assert s.ok
    assert s.rupture == engine.RuptureAnswers(True, 4.0, 2.0)
    assert s.values["note"] == "she looked at the clock"


def test_render_text():
    assert render_text("I trust {therapist}.") == "I trust my therapist."
    assert render_text("I trust {therapist}.", "Ruth") == "I trust Ruth."


# --- scoring ---------------------------------------------------------------------------

def test_reverse_item_sum_and_rescale(example):
    s = score(example, {"calm": 4, "tense": 2, "steady": 7.5, "where": "room",
                        "upset": False})
    assert s.ok, s.errors
    assert s.values["tense"] == 4  # 1 + 5 - 2
    assert s.subscales["ease"] == pytest.approx(8.0)  # subscales use the total's method
    assert s.alliance == pytest.approx(8.0)
    assert example.score_range("ease") == (2.0, 10.0)
    # raw sum 4 + 4 + 7.5 = 15.5 over the range 2..20, rescaled to 0..100
    assert s.total == pytest.approx((15.5 - 2) * 100 / 18)
    assert example.score_range() == (0.0, 100.0)


def test_missing_optional_item_is_prorated_within_max_missing(example):
    s = score(example, {"calm": 5, "tense": 1, "where": "phone", "upset": "no"})
    assert s.ok
    assert s.missing == ["steady", "words"]
    raw = (5 + 5) * 3 / 2  # prorated sum
    assert s.total == pytest.approx((raw - 2) * 100 / 18)


def test_too_many_missing_gives_no_total(example):
    s = score(example, {"calm": 5, "where": "phone", "upset": "no"})
    assert s.total is None  # two of three missing, one allowed
    assert s.subscales["ease"] == pytest.approx(10.0)  # one of two missing: prorated
    assert Problem("tense", "this question needs an answer") in s.errors
    assert not s.ok


def test_blank_strings_count_as_missing(example):
    s = score(example, {"calm": " ", "tense": "", "where": "room", "upset": "no"})
    assert s.missing[:2] == ["calm", "tense"]


def test_out_of_range_and_wrong_types(example):
    s = score(example, {"calm": 6, "tense": "lots", "steady": 7.3, "where": "park",
                        "upset": "maybe", "words": 5, "extra": 1})
    assert s.errors == [
        Problem("extra", "there is no such question"),
        Problem("calm", "6 is outside 1..5"),
        Problem("tense", "expected a number from 1 to 5, got 'lots'"),
        Problem("steady", "7.3 is not a step of 0.5 from 0"),
        Problem("where", "'park' is not one of the options"),
        Problem("upset", "expected yes or no, got 'maybe'"),
        Problem("words", "expected text"),
    ]
    assert s.values == {}


@pytest.mark.parametrize("bad", [True, float("nan"), float("inf"), None, [3], "3e999"])
def test_scale_rejects_non_numbers(example, bad):
    s = score(example, {"calm": bad, "tense": 3, "where": "room", "upset": False})
    assert "calm" not in s.values


def test_show_if_hides_and_ignores(example):
    base = {"calm": 3, "tense": 3, "where": "room"}
    s = score(example, {**base, "upset": False, "upset_size": 5, "upset_left": True})
    assert s.ok
    assert s.ignored == ["upset_size", "upset_left"]
    assert "upset_size" not in s.missing
    assert s.rupture == engine.RuptureAnswers(tension=False)


def test_show_if_chain(example):
    base = {"calm": 3, "tense": 3, "where": "room", "upset": "yes"}
    s = score(example, {**base, "upset_size": 4, "upset_left": True})
    assert s.ignored == ["upset_left"]  # only asked when upset_size is 5
    s = score(example, {**base, "upset_size": 5})
    assert s.missing == ["steady", "upset_left", "words"]
    assert Problem("upset_left", "this question needs an answer") in s.errors
    s = score(example, {**base})
    assert Problem("upset_size", "this question needs an answer") in s.errors
    assert "upset_left" not in s.missing  # its condition is not met


def test_show_if_uses_answer_before_reverse_scoring(tmp_path):
    path = tmp_path / "rev.yaml"
    path.write_text(
        "id: rev\nversion: 1\ntitle: Rev\nitems:\n"
        "  - {id: a, text: A, type: scale, min: 1, max: 5, reverse: true}\n"
        "  - {id: b, text: B, type: text, show_if: {a: 1}}\n")
    inst = load_file(path)
    s = score(inst, {"a": 1, "b": "shown"})
    assert s.values == {"a": 5, "b": "shown"} and s.ignored == []


def test_yesno_and_choice_accept_form_strings(example):
    s = score(example, {"calm": "2", "tense": 3.0, "where": "phone", "upset": "YES",
                        "upset_size": 1})
    assert s.ok
    assert s.values["calm"] == 2 and s.values["upset"] is True


# --- rci -------------------------------------------------------------------------------

def test_rci_arithmetic(example):
    assert rci(example) == pytest.approx(1.96 * 8 * math.sqrt(2) * math.sqrt(0.1))
    assert rci(example, sd=8) == pytest.approx(7.0123, abs=1e-4)
    assert rci(example, sd=2, alpha=0.75) == pytest.approx(1.96 * 2 * math.sqrt(2) * 0.5)


def test_rci_needs_sd_and_alpha(alliance):
    with pytest.raises(ValueError, match="needs a positive SD"):
        rci(alliance)
    assert alliance.reliability.assumed
    assert rci(alliance, sd=0.5) == pytest.approx(1.96 * 0.5 * math.sqrt(2 * 0.15))
    pre = load_instrument("attunement-pre-v1")
    with pytest.raises(ValueError, match="needs the scale's alpha"):
        rci(pre, sd=0.5)


# --- loading and listing ---------------------------------------------------------------

def test_json_instrument_with_string_keys():
    inst = load_file(DATA / "example-mood-v1.json")
    assert inst.item("calm").anchors == {1: "No", 5: "Yes"}
    assert score(inst, {"calm": 5}).total == 5


def test_extra_dir_and_env(tmp_path, monkeypatch):
    (tmp_path / "instruments").mkdir()
    (tmp_path / "instruments" / "mine.yaml").write_text(EXAMPLE.read_text())
    (tmp_path / "instruments" / "bad.yaml").write_text("- nope\n")
    (tmp_path / "instruments" / "notes.txt").write_text("ignored")
    monkeypatch.delenv(engine.ENV_DIR, raising=False)
    ids = [i.id for i in list_instruments(journal_dir=tmp_path)]
    assert ids == ["attunement-alliance-v1", "attunement-pre-v1", "example-mood-v1"]
    monkeypatch.setenv(engine.ENV_DIR, str(tmp_path / "instruments"))
    assert [i.id for i in list_instruments()][-1] == "example-mood-v1"
    _found, problems = scan_instruments([tmp_path / "instruments"])
    assert problems == [Problem(str(tmp_path / "instruments" / "bad.yaml"),
                                "the file must hold one mapping")]
    assert load_instrument("example-mood-v1", extra_dirs=[tmp_path / "instruments"]).version == 2


def test_duplicate_id_across_folders(tmp_path):
    shipped = engine.SHIPPED_DIR / "attunement-pre-v1.yaml"
    (tmp_path / "copy.yaml").write_text(shipped.read_text())
    _, problems = scan_instruments([tmp_path])
    assert problems == [Problem(str(tmp_path / "copy.yaml"),
                                "the id 'attunement-pre-v1' is already used by "
                                + str(shipped))]


def test_unknown_id():
    with pytest.raises(InstrumentError) as info:
        load_instrument("srs-v1")
    assert info.value.problems == [Problem("", "no instrument with the id 'srs-v1'")]


def test_too_big_file(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("# " + "x" * engine.MAX_FILE_BYTES + "\n")
    with pytest.raises(InstrumentError) as info:
        load_file(path)
    assert info.value.problems == [Problem("", "the file is too big for an instrument")]


def test_missing_file(tmp_path):
    with pytest.raises(InstrumentError) as info:
        load_file(tmp_path / "nope.yaml")
    assert info.value.problems[0].message.startswith("cannot read the file")


def test_too_many_items(tmp_path):
    items = "".join("  - {id: i" + str(n) + ", text: T, type: yesno}\n" for n in range(201))
    path = tmp_path / "long.yaml"
    path.write_text("id: long\nversion: 1\ntitle: Long\nitems:\n" + items)
    with pytest.raises(InstrumentError) as info:
        load_file(path)
    assert info.value.problems == [Problem("items", "more than 200 items; is this the right file?")]


# --- the validator on broken files -----------------------------------------------------

BROKEN = {
    "broken_duplicate_id.yaml": [("items[1] (calm)", "item id 'calm' is used twice")],
    "broken_anchor_range.yaml": [("items[0] (calm).anchors", "6 is outside 1..5")],
    "broken_subscale_item.yaml": [("subscales[0].items", "no item called 'nope'"),
                                  ("subscales[0].items", "'said' is not a scale item")],
    "broken_show_if_later.yaml": [("items[0] (size).show_if",
                                   "refers to 'upset', which is not an earlier item")],
    "broken_show_if_value.yaml": [("items[1] (size).show_if",
                                   "7 is not a possible answer to 'upset'")],
    "broken_yaml_syntax.yaml": [("line 4", "not valid YAML: did not find expected ',' or ']'")],
    "broken_not_mapping.yaml": [("", "the file must hold one mapping")],
    "broken_typo_field.yaml": [("", "unknown field 'itmes'"),
                               ("items", "must be a non-empty list")],
    "broken_unquoted_yes.yaml": [
        ("items[0] (calm).anchors",
         "label for 1 must be text (put quotes around words like yes and no)"),
        ("items[0] (calm).anchors",
         "label for 2 must be text (put quotes around words like yes and no)")],
    "broken_item_fields.yaml": [
        ("id", "use lower-case letters, digits, '.', '-' or '_' (up to 64)"),
        ("version", "must be a whole number, 1 or more"),
        ("timing", "must be 'post' or 'pre'"),
        ("items[0] (a)", "'text' is required"),
        ("items[0] (a)", "'min' must be less than 'max'"),
        ("items[1] (b)", "only a scale item can be reverse-scored"),
        ("items[2] (c)", "a choice item needs its options in 'anchors'"),
        ("items[3] (d)", "type must be one of scale, yesno, choice, text"),
        ("items[4] (e)", "'required' must be true or false")],
    "broken_scoring.yaml": [
        ("rupture", "unknown field 'resolution'"),
        ("rupture.tension", "'calm' must be a yesno item"),
        ("rupture.intensity", "'upset' must be a scale item"),
        ("scoring.total.method", "must be 'sum' or 'mean'"),
        ("scoring.total.rescale", "must be {min: number, max: number} with min < max"),
        ("scoring.total.max_missing", "must be a whole number, 0 or more"),
        ("scoring.alliance", "must be 'total' or a subscale id, not 'bond'"),
        ("reliability.alpha", "must be a number between 0 and 1"),
        ("reliability.sd", "must be a positive number")],
    "broken_alias_bomb.yaml": (
        [("", "unknown field '" + k + "'") for k in "abcde"]
        + [(f"items[{n}]", "must be a mapping") for n in range(10)]),
}


def test_every_broken_file_is_covered():
    assert sorted(p.name for p in DATA.glob("broken_*")) == sorted(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file(name):
    with pytest.raises(InstrumentError) as info:
        load_file(DATA / name)
    assert [(p.where, p.message) for p in info.value.problems] == BROKEN[name]
    assert str(info.value).startswith(str(DATA / name) + ": ")
