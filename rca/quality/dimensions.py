"""What the quality figures may be grouped or filtered by, and their time buckets.

Two kinds of dimension:

- **key dimensions**, in every rollup row: `policy` and `decision_source`; they combine with anything.
  `policy` is derived from the two labels: the audit's label when the audit found a violation, else the decision's
  label (the "label at stake" by which detection partitions its runs). So over-enforcement of P (decided P, audited
  `none`), under-enforcement of P (decided `none`, audited P) and a wrong policy whose truth is P all count under P,
  and a correct `none` under `none`: every audit has exactly one policy, and the policies partition the audits
  (which the change decomposition needs).
- **rollup dimensions**: market, language, model version, queue, content type, auditor. A rollup row carries one of
  them, so a query may name at most one rollup dimension across its grouping and its filters together (market with
  policy: yes; market with language: no).

`auditor` is personal data: only quality leads and managers may group or filter by it (the API checks the role).

Days are days of the **decision** (`decided_at`, in `settings.TIME_ZONE`), as for a case's measure and a fix's
verdict; a week starts on Monday (ISO), a month on its first day.
"""

from datetime import date, timedelta

from django.db import models

from rca.detection.partitions import stake_label


class Dimension(models.TextChoices):
    POLICY = "policy", "Policy"
    DECISION_SOURCE = "decision_source", "Decision source"
    MARKET = "market", "Market"
    LANGUAGE = "language", "Language"
    MODEL_VERSION = "model_version", "Model version"
    QUEUE = "queue", "Queue"
    CONTENT_TYPE = "content_type", "Content type"
    AUDITOR = "auditor", "Auditor"


class Period(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"


KEY_DIMENSIONS: tuple[str, ...] = (Dimension.POLICY, Dimension.DECISION_SOURCE)
# Each rollup dimension and the sample column it reads.
ROLLUP_COLUMNS: dict[str, str] = {
    Dimension.MARKET: "market",
    Dimension.LANGUAGE: "language",
    Dimension.MODEL_VERSION: "model_version",
    Dimension.QUEUE: "queue",
    Dimension.CONTENT_TYPE: "content_type",
    Dimension.AUDITOR: "auditor_id",
}
ROLLUP_DIMENSIONS: tuple[str, ...] = tuple(ROLLUP_COLUMNS)
# The rollup rows that hold every audit once, whatever its values (`QualityRollup.dimension`).
ALL = "all"
PERSONAL_DIMENSIONS = frozenset({Dimension.AUDITOR})


def policy_of(decision_label: str, audit_label: str) -> str:
    """The audit's policy (see the module docstring): the label at stake, as detection partitions errors."""
    return stake_label(decision_label, audit_label)


def period_start(day: date, period: str) -> date:
    """The first day of the day's period."""
    if period == Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period == Period.MONTH:
        return day.replace(day=1)
    return day
