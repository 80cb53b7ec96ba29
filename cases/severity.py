"""How severe a detected pattern's case is: a case rule, used by the port through which detection opens cases."""

from cases.choices import Severity


def severity_for(*, severity_weight: int, error_count: int, lift: float) -> Severity:
    """S1-S4 from the label's severity weight (0-5), one step up for a large pattern (>= 200 errors or lift >= 20)."""
    points = severity_weight + (1 if error_count >= 200 or lift >= 20 else 0)
    if points >= 6:
        return Severity.S1
    if points >= 4:
        return Severity.S2
    if points >= 2:
        return Severity.S3
    return Severity.S4
