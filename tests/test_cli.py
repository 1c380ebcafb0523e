"""The research side of the command line: markers on stdin, episodes from a CSV."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


def attune(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "attunement.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_markers_reads_json_lines_and_writes_one_line_per_sentence() -> None:
    lines = [json.dumps({"id": "a", "text": "We talked. She said she was not going anywhere."}),
             "this is not json", json.dumps({"id": 7, "text": ""})]
    r = attune("markers", stdin="\n".join(lines) + "\n")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    sentences = [row for row in rows if "label" in row]
    assert [row["sentence_index"] for row in sentences] == [0, 1]
    assert {"id", "sentence_index", "text", "label", "subtype", "confidence", "evidence"} <= set(
        sentences[0])
    assert sentences[1]["label"] == "therapist_repair"
    errors = [row for row in rows if "error" in row]
    assert errors[0]["line"] == 2


def test_episodes_from_csv_prints_json() -> None:
    r = attune("episodes", "--from-csv", str(DATA / "episodes" / "example.csv"))
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    assert found and {"start", "end", "lowest", "status", "depth", "criteria"} <= set(found[0])


def test_episodes_from_a_bad_csv_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,score\n2026-01-01,x\n")
    r = attune("episodes", "--from-csv", str(bad))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "attune: The CSV has problems; no episodes were computed. "
        "line 2: score 'x' is not a number"
    )


def test_unknown_command_is_a_usage_error() -> None:
    r = attune("nonsense")
    assert r.returncode == 2 and "No such command" in r.stderr


def test_markers_with_a_stale_model_file_is_one_clear_line(monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from attunement import cli
    from attunement.analysis import markers as marker_analysis

    def stale() -> None:
        raise ValueError("markers.npz holds marker weights for features version 2; retrain")

    monkeypatch.setattr(marker_analysis, "load_model", stale)
    result = CliRunner().invoke(cli.cli, ["markers"], input='{"id": 1, "text": "Hi."}\n')
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: The marker model cannot be loaded: markers.npz holds marker weights for "
        "features version 2; retrain"
    )
