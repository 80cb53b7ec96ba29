"""Scoring a detector's output against the synthetic truth; the records as the database reader sees them."""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from rca.synthetic.generator import SyntheticData

# SCORING
# ------------------------------------------------------------------------------


def score_detection(found: Iterable[Iterable[str]], data: SyntheticData, *, majority: float = 0.5) -> dict:
    """Score detected patterns (each given as the external ids of its errors) against the planted truth.

    A found pattern matches the planted pattern (or decoy) that owns at least `majority` of its errors. Recall: planted
    patterns matched at least once; precision: found patterns matching a planted pattern; duplicates: found patterns
    beyond the first for the same planted one; decoys: decoys reported.
    """
    planted_keys = {pattern.key for pattern in data.planted}
    decoy_keys = {pattern.key for pattern in data.decoys}
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
