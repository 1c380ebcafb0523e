"""The marker taxonomy: five coarse labels and their subtypes (3RS adapted to journals)."""

from __future__ import annotations

LABELS: tuple[str, ...] = (
    "withdrawal",
    "confrontation",
    "client_repair",
    "therapist_repair",
    "none",
)

SUBTYPES: dict[str, tuple[str, ...]] = {
    "withdrawal": (
        "denial",
        "minimal_response",
        "abstract",
        "avoidant_storytelling",
        "topic_shift",
        "deferential_appeasing",
        "content_affect_split",
        "self_criticism_hopelessness",
        "shutting_down_distance",
    ),
    "confrontation": (
        "complaint_about_therapist",
        "rejects_intervention",
        "complaint_about_activities",
        "complaint_about_parameters",
        "complaint_about_progress",
        "defends_self",
        "control_pressure",
    ),
    "client_repair": (
        "reaching_out",
        "naming_the_rupture",
        "saying_the_unsaid",
        "apology",
        "reconnection",
    ),
    "therapist_repair": (
        "clarifies_misunderstanding",
        "changes_task_or_goal",
        "gives_rationale",
        "redirects",
        "validates_defence",
        "invites_exploration",
        "acknowledges_own_part",
        "discloses_own_experience",
        "links_to_therapy_pattern",
        "links_to_other_relationship",
        "reassures_continuity",
    ),
    "none": (),
}

LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}


def is_valid(label: str, subtype: str | None) -> bool:
    """Whether a label (and optional subtype) belongs to the taxonomy."""
    if label not in SUBTYPES:
        return False
    return subtype is None or subtype in SUBTYPES[label]
