"""The derived outcome of an audited decision (pure; see docs/sample-format.md, "The derived outcome")."""

from rca.choices import NO_VIOLATION, Outcome


def derive_outcome(decision_label: str, audit_label: str) -> str:
    if decision_label == audit_label:
        return Outcome.CORRECT
    if audit_label == NO_VIOLATION:
        return Outcome.FALSE_POSITIVE
    if decision_label == NO_VIOLATION:
        return Outcome.FALSE_NEGATIVE
    return Outcome.WRONG_POLICY
