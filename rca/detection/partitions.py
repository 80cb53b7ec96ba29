"""How a run is split: one partition per policy area of the label at stake in an error, plus the auditor pass.

The label at stake is the audit label, or the decision label when the audit found no violation (a false positive).
Every error falls in exactly one partition, so partitions share nothing but the traffic they divide by, and run as a
Celery group on as many workers as there are. The auditor pass (`rca.detection.auditors`, partition `AUDIT_QUALITY`)
pools every error kind; it runs before the partitions, which leave out the errors it claims.
"""

from collections.abc import Iterable

NO_VIOLATION = "none"
"""The label code of "no violation" (a seeded `PolicyLabel`); `rca.choices` takes it from here, so this module stays
free of Django."""

AUDIT_QUALITY = "audit_quality"
"""The auditor pass's partition, and the policy area of its (audit-driven) patterns: the area a team lists in its
`policy_areas` to receive their cases (the Quality team, `cases/migrations`)."""


def stake_label(decision_label: str, audit_label: str) -> str:
    return decision_label if audit_label == NO_VIOLATION else audit_label


def plan_partitions(labels: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """`(label code, policy area)` pairs -> `{area: [label codes]}`, `none` left out, areas and codes sorted."""
    plan: dict[str, list[str]] = {}
    for code, area in labels:
        if code != NO_VIOLATION:
            plan.setdefault(area, []).append(code)
    return {area: sorted(codes) for area, codes in sorted(plan.items())}
