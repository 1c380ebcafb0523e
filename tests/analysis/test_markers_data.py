"""Checks on the labelled marker sentences in data/markers (schema, uniqueness, coverage)."""

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from attunement.analysis.markers import dataset as ds
from attunement.analysis.markers.taxonomy import LABELS, SUBTYPES

DATA = ds.default_data_dir()


def rows() -> list[tuple[str, dict]]:
    return [
        (path.name, json.loads(line))
        for path in sorted(DATA.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_every_line_loads_without_problems():
    examples, problems = ds.load_examples()
    assert problems == []
    assert len(examples) == len(rows()) >= 2500


def test_ids_are_unique_and_evidence_is_in_the_text():
    all_rows = rows()
    ids = Counter(r["id"] for _, r in all_rows)
    assert [i for i, n in ids.items() if n > 1] == []
    for name, r in all_rows:
        if r["label"] == "none":
            assert r["evidence"] is None, (name, r["id"])
        else:
            assert r["evidence"] and r["evidence"] in r["text"], (name, r["id"])


def test_every_label_and_subtype_has_examples():
    counts = Counter((r["label"], r["subtype"]) for _, r in rows())
    for label in LABELS:
        assert sum(n for (lab, _), n in counts.items() if lab == label) >= 300, label
        for subtype in SUBTYPES[label]:
            assert counts[(label, subtype)] >= 10, (label, subtype)


def test_a_group_never_spans_two_labels():
    labels = defaultdict(set)
    for _, r in rows():
        labels[r["group"]].add(r["label"])
    assert [g for g, s in labels.items() if len(s) > 1] == []


def test_every_file_belongs_to_a_documented_writer_set():
    examples, _ = ds.load_examples()
    assert {ds.writer_set(e) for e in examples} == {"A", "B", "C", "D", "E", "F"}
    readmes = " ".join(p.read_text(encoding="utf-8") for p in DATA.glob("README_*.md"))
    for path in DATA.glob("*.jsonl"):
        assert f"`{path.name}`" in readmes, path.name


def test_held_out_split_is_about_a_fifth_of_the_groups():
    examples, _ = ds.load_examples()
    groups = {e.group for e in examples}
    share = sum(ds.bucket(g) < ds.TEST_PERCENT for g in groups) / len(groups)
    assert 0.17 < share < 0.23


@pytest.mark.parametrize(
    ("source", "expected"),
    [("withdrawal.jsonl", "A"), ("hard_none_from_a.jsonl", "A"), ("none.jsonl", "B"),
     ("extra_none.jsonl", "C"), ("d_none.jsonl", "D"), ("e_withdrawal.jsonl", "E"),
     ("f_client_repair.jsonl", "F"), ("mine.jsonl", "?")],
)
def test_writer_set_by_file_name(source, expected):
    ex = ds.Example("x", "text", "none", None, None, "g", (), source)
    assert ds.writer_set(ex) == expected


def test_no_real_looking_urls_or_emails_in_the_data():
    pattern = re.compile(r"https?://|www\.|@[a-z0-9-]+\.[a-z]{2,}", re.I)
    assert [r["id"] for _, r in rows() if pattern.search(r["text"])] == []


def test_data_dir_is_the_repository_folder(monkeypatch):
    monkeypatch.delenv("ATTUNEMENT_MARKER_DATA", raising=False)
    assert Path(__file__).resolve().parents[2] / "data" / "markers" == ds.default_data_dir()
