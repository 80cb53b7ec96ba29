"""Scoring a detector's output against the synthetic truth; the records as the database reader sees them."""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from rca.synthetic.catalog import NO_VIOLATION
from rca.synthetic.generator import SyntheticData

# SCORING
# ------------------------------------------------------------------------------


def score_detection(
    found: Iterable[Iterable[str]], data: SyntheticData, *, majority: float = 0.5, auditors: bool = False
) -> dict:
    """Score detected patterns (each given as the external ids of its errors) against the planted truth: the
    moderation patterns and decoys, or with `auditors` the auditor-driven ones (`data.auditor_planted`, `_decoys`).

    A found pattern matches the planted pattern (or decoy) that owns at least `majority` of its errors. Recall: planted
    patterns matched at least once; precision: found patterns matching a planted pattern; duplicates: found patterns
    beyond the first for the same planted one; decoys: decoys reported.
    """
    planted = data.auditor_planted if auditors else data.planted
    planted_keys = {pattern.key for pattern in planted}
    decoy_keys = {pattern.key for pattern in (data.auditor_decoys if auditors else data.decoys)}
    matches: list[str | None] = []
    for external_ids in found:
        ids = list(external_ids)
        owners = Counter(data.truth.get(external_id) for external_id in ids)
        owner, count = owners.most_common(1)[0] if owners else (None, 0)
        matches.append(owner if ids and count / len(ids) >= majority else None)
    hits = Counter(match for match in matches if match in planted_keys)
    total = len(matches)
    return {
        "found": total,
        "recall": len(hits) / len(planted_keys) if planted_keys else 1.0,
        "precision": sum(hits.values()) / total if total else 1.0,
        "duplicates": sum(count - 1 for count in hits.values()),
        "decoys_reported": sorted({match for match in matches if match in decoy_keys}),
        "missed": sorted(planted_keys - set(hits)),
        "unmatched": sum(1 for match in matches if match is None),
    }


# AS THE DATABASE READER SEES THEM
# ------------------------------------------------------------------------------

# Each label's policy area, as seeded by rca/migrations/0002_seed_policy_labels.py.
LABEL_AREAS = [
    ("bullying_harassment", "safety_civility"), ("hate_speech", "safety_civility"), ("minor_safety", "minor_safety"),
    ("self_harm", "mental_health"), ("violent_extremism", "violence"), ("violence_graphic", "violence"),
    ("animal_harm", "violence"), ("adult_nudity", "sensitive_content"), ("dangerous_acts", "safety_civility"),
    ("spam_scam", "integrity"), ("regulated_goods", "integrity"),
]  # fmt: skip


def auditor_rows(records: Iterable[dict]) -> tuple[list[tuple], list[tuple]]:
    """The auditor cube and the overturns the database reader would return for `records` (`rca.detection.auditors`);
    sample ids are the records' indices, as in `reader_rows`."""
    cube, errors = Counter(), []
    for index, r in enumerate(records):
        decision, audit = r["decision_label"], r["audit_label"]
        key = (r["auditor_id"], decision, r["market"], r["decision_source"])
        cube[key, _outcome(decision, audit)] += 1
        if decision != audit:
            errors.append(
                (index, datetime.fromisoformat(r["audited_at"]), r["content_id"], r["auditor_id"], decision, audit,
                 r["market"], r["decision_source"])
            )  # fmt: skip
    rows: dict[tuple, list[int]] = {}
    for (key, outcome), count in cube.items():
        row = rows.setdefault(key, [0, 0, 0, 0])
        row[0] += count
        if outcome in OUTCOME_COLUMNS:
            row[OUTCOME_COLUMNS[outcome]] += count
    return [(*key, *counts) for key, counts in rows.items()], errors


OUTCOME_COLUMNS = {"false_positive": 1, "false_negative": 2, "wrong_policy": 3}


def _outcome(decision: str, audit: str) -> str:
    """As `rca.outcomes.derive_outcome` (which needs Django: this package does not)."""
    if decision == audit:
        return "correct"
    if audit == NO_VIOLATION:
        return "false_positive"
    return "false_negative" if decision == NO_VIOLATION else "wrong_policy"


def reader_rows(records: Iterable[dict]) -> tuple[list[tuple], list[tuple]]:
    """The cube and the error rows the database reader would return for `records`."""
    cube, errors = Counter(), []
    for index, r in enumerate(records):
        key = (r["market"], r["language"], r["decision_source"], r["model_version"], r["queue"], r["content_type"])
        cube[(*key, ";".join(r["tags"]))] += 1
        if r["decision_label"] != r["audit_label"]:
            errors.append(
                (index, datetime.fromisoformat(r["audited_at"]), r["content_id"], r["moderator_id"], *key,
                 r["tags"], r["decision_label"], r["audit_label"], r["notes"], r["transcript"])
            )  # fmt: skip
    return [(*key, count) for key, count in cube.items()], errors
