"""The initiatives list as flat rows, for its CSV (`GET /api/v1/initiatives/?format=csv`): one row per initiative, the
same figures as the JSON (rates as fractions, unrounded), the measure in words and the keys of the cases the user sees.

Pure over initiatives read through `cases.initiatives.selectors` (owner selected, `visible_case_list` prefetched,
`progress` attached): no query per row.
"""

from cases.initiatives.models import Initiative
from cases.measure.definition import measure_from_dict
from cases.measure.describe import measure_summary

INITIATIVE_COLUMNS = (
    "id", "name", "owner", "measure", "baseline_rate", "baseline_audits", "baseline_errors", "baseline_start",
    "baseline_end", "target_rate", "target_date", "status", "recent_rate", "recent_rate_low", "recent_rate_high",
    "recent_audits", "recent_errors", "planned_rate", "window_start", "window_end", "cases",
)  # fmt: skip


def measure_in_words(measure: dict) -> str:
    """E.g. "Decision label: none; Market: ID. Misclassified audits whose audit label is bullying_harassment."."""
    summary = measure_summary(measure_from_dict(measure))
    conditions = "; ".join(f"{label}: {value}" for label, value in summary.conditions)
    return f"{conditions}. {summary.errors_text}" if conditions else summary.errors_text


def initiative_row(initiative: Initiative) -> dict:
    progress = initiative.progress
    low, high = progress.interval or (None, None)
    return {
        "id": initiative.pk,
        "name": initiative.name,
        "owner": initiative.owner.get_username() if initiative.owner else None,
        "measure": measure_in_words(initiative.measure),
        "baseline_rate": initiative.baseline_rate,
        "baseline_audits": initiative.baseline_audits,
        "baseline_errors": initiative.baseline_errors,
        "baseline_start": initiative.baseline_start,
        "baseline_end": initiative.baseline_end,
        "target_rate": initiative.target_rate,
        "target_date": initiative.target_date,
        "status": progress.status.value,
        "recent_rate": progress.rate,
        "recent_rate_low": low,
        "recent_rate_high": high,
        "recent_audits": progress.audits,
        "recent_errors": progress.errors,
        "planned_rate": progress.planned_rate,
        "window_start": progress.window_start,
        "window_end": progress.window_end,
        "cases": [case.key for case in initiative.visible_case_list],
    }
