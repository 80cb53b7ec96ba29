"""Did the fix work? For each case that reached `monitoring` or `closed`, the error rate of its slice of traffic in
the `window_days` before the remediation date and since, with a two-proportion z-test.

- **Cases**: those that reached monitoring or closed and have a slice (below); others are left out.
- **Remediation date**: `remediating_at`, else `monitoring_at`, else `closed_at`.
- **Slice**: from the case's pattern (`ErrorPattern.definition`), else from its linked samples (the dominant label and
  market of the samples). Only sample features are used (`SLICE_FIELDS`; unknown keys are ignored). A slice that names
  both the decision and the audit label would contain nothing but errors, so the error-rate slice keeps one label:
  the audit label (the traffic whose true label is the one at stake: how much of it do we get wrong?), or, when the
  audit label is `none` (over-enforcement), the decision label (the decisions citing that label: how many are wrong?).
- **Error rate**: misclassified audits (outcome != correct) / all audits of the slice in the window (`audited_at`).
  Before: [date - window_days, date); after: [date, now).
- **Test**: pooled two-proportion z-test of before vs after; `z` > 0 means the rate fell; `p_value` is two-sided.
  Verdict: `insufficient_data` when either window has fewer than `min_audits` audits; else `lowered` / `raised` when
  p < `alpha`, `no_change` otherwise. A fix "did not lower the error rate" when its verdict is `no_change` or `raised`.

Queries: one for the cases, one for the slices of the cases without a pattern, and one joined aggregate per slice
shape and batch of 500 cases (`cases/reporting/slice_counts.py`); `limit` caps the number of cases (most recent
remediations first).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import sqrt

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from scipy.stats import norm

from cases.choices import CaseStatus
from cases.models import Case, CaseSample
from cases.reporting.choices import NOT_LOWERED, RemediationVerdict
from cases.reporting.filters import ReportFilters
from cases.reporting.selectors import case_filter_q
from cases.reporting.slice_counts import SAMPLE_FIELDS as SLICE_FIELDS
from cases.reporting.slice_counts import WindowSpec, window_counts
from rca.choices import NO_VIOLATION

DEFAULT_WINDOW_DAYS = 28
DEFAULT_LIMIT = 500
MAX_LIMIT = 2000

REMEDIATION_COLUMNS = (
    "case_id",
    "key",
    "title",
    "status",
    "severity",
    "owner",
    "remediated_at",
    "slice",
    "slice_source",
    "before_audits",
    "before_errors",
    "before_error_rate",
    "after_audits",
    "after_errors",
    "after_error_rate",
    "change",
    "z",
    "p_value",
    "verdict",
)


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float


# PURE PARTS
# ------------------------------------------------------------------------------


def rate_slice(definition: dict) -> dict[str, str]:
    """The error-rate slice of a pattern definition (see the module docstring): sample features only, one label."""
    features = {
        key: value
        for key, value in definition.items()
        if key in SLICE_FIELDS and key not in ("decision_label", "audit_label") and value not in (None, "")
    }
    audit_label, decision_label = definition.get("audit_label"), definition.get("decision_label")
    if audit_label and audit_label != NO_VIOLATION:
        features["audit_label"] = audit_label
    elif decision_label and decision_label != NO_VIOLATION:
        features["decision_label"] = decision_label
    return dict(sorted(features.items()))


def two_proportion_z_test(errors_before: int, audits_before: int, errors_after: int, audits_after: int) -> ZTest | None:
    """Pooled two-proportion z-test of before vs after (z > 0: the error rate fell), two-sided p-value.

    None when a window has no audit; z = 0, p = 1 when the pooled rate is 0 or 1 (no variance: nothing changed)."""
    if not audits_before or not audits_after:
        return None
    rate_before, rate_after = errors_before / audits_before, errors_after / audits_after
    pooled = (errors_before + errors_after) / (audits_before + audits_after)
    variance = pooled * (1 - pooled) * (1 / audits_before + 1 / audits_after)
    if variance == 0:
        return ZTest(z=0.0, p_value=1.0)
    z = (rate_before - rate_after) / sqrt(variance)
    return ZTest(z=z, p_value=float(2 * norm.sf(abs(z))))


def verdict_for(
    test: ZTest | None, audits_before: int, audits_after: int, *, min_audits: int, alpha: float
) -> RemediationVerdict:
    if test is None or audits_before < min_audits or audits_after < min_audits:
        return RemediationVerdict.INSUFFICIENT_DATA
    if test.p_value >= alpha:
        return RemediationVerdict.NO_CHANGE
    return RemediationVerdict.LOWERED if test.z > 0 else RemediationVerdict.RAISED


def _dominant(counter: Counter) -> str:
    """Most frequent value, ties broken by the value itself, so the answer is stable."""
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0] if counter else ""


# QUERIES
# ------------------------------------------------------------------------------


def remediated_cases(*, filters: ReportFilters, limit: int = DEFAULT_LIMIT, now: datetime | None = None):
    """Cases that reached monitoring or closed, with a pattern or linked samples (something to take a slice from) and a
    remediation date before now, most recent first (one query)."""
    now = now or timezone.now()
    reached = (
        Q(monitoring_at__isnull=False)
        | Q(closed_at__isnull=False)
        | Q(status__in=(CaseStatus.MONITORING, CaseStatus.CLOSED))
    )
    has_slice = Q(pattern__isnull=False) | Exists(CaseSample.objects.filter(case_id=OuterRef("pk")))
    return list(
        Case.objects.filter(case_filter_q(filters), reached, has_slice)
        .annotate(remediated_on=Coalesce("remediating_at", "monitoring_at", "closed_at"))
        .filter(remediated_on__isnull=False, remediated_on__lt=now)
        .select_related("pattern", "owner")
        .order_by("-remediated_on", "-id")[: max(1, min(limit, MAX_LIMIT))]
    )


def _slices_from_samples(case_ids: list[int]) -> dict[int, dict[str, str]]:
    """The dominant label (audit label, else decision label, never `none`) and market of each case's linked samples,
    from one grouped query over all the cases."""
    if not case_ids:
        return {}
    audit_labels: dict[int, Counter] = defaultdict(Counter)
    decision_labels: dict[int, Counter] = defaultdict(Counter)
    markets: dict[int, Counter] = defaultdict(Counter)
    rows = (
        CaseSample.objects.filter(case_id__in=case_ids)
        .values_list("case_id", "sample__audit_label_id", "sample__decision_label_id", "sample__market")
        .annotate(n=Count("id"))
        .order_by()
    )
    for case_id, audit_label, decision_label, market, count in rows:
        if audit_label != NO_VIOLATION:
            audit_labels[case_id][audit_label] += count
        if decision_label != NO_VIOLATION:
            decision_labels[case_id][decision_label] += count
        markets[case_id][market] += count
    slices = {}
    for case_id in case_ids:
        definition = {}
        if audit_labels[case_id]:
            definition["audit_label"] = _dominant(audit_labels[case_id])
        elif decision_labels[case_id]:
            definition["decision_label"] = _dominant(decision_labels[case_id])
        if markets[case_id]:
            definition["market"] = _dominant(markets[case_id])
        if definition:
            slices[case_id] = definition
    return slices


def remediation_report(
    *,
    filters: ReportFilters,
    window_days: int = DEFAULT_WINDOW_DAYS,
    min_audits: int = 20,
    alpha: float = 0.05,
    limit: int = DEFAULT_LIMIT,
    now: datetime | None = None,
) -> list[dict[str, object]]:
    """One row per remediated case (see the module docstring for every figure)."""
    now = now or timezone.now()
    cases = remediated_cases(filters=filters, limit=limit, now=now)
    sample_slices = _slices_from_samples([case.pk for case in cases if case.pattern is None])
    slices: dict[int, tuple[dict, str]] = {}
    for case in cases:
        from_pattern = rate_slice(case.pattern.definition or {}) if case.pattern is not None else {}
        if from_pattern:
            slices[case.pk] = (from_pattern, "pattern")
        elif case.pk in sample_slices:
            slices[case.pk] = (rate_slice(sample_slices[case.pk]), "samples")
    specs = [
        WindowSpec(
            case_id=case.pk,
            slice=slices[case.pk][0],
            start=case.remediated_on - timedelta(days=window_days),
            remediated_at=case.remediated_on,
        )
        for case in cases
        if case.pk in slices
    ]
    counts = window_counts(specs, now)

    rows = []
    for case in cases:
        if case.pk not in slices:
            continue  # a pattern with no sample feature in its definition and no linked samples: no slice to measure
        definition, source = slices[case.pk]
        n_before, e_before, n_after, e_after = counts.get(case.pk, (0, 0, 0, 0))
        rate_before = e_before / n_before if n_before else None
        rate_after = e_after / n_after if n_after else None
        test = two_proportion_z_test(e_before, n_before, e_after, n_after)
        rows.append(
            {
                "case_id": case.pk,
                "key": case.key,
                "title": case.title,
                "status": case.status,
                "severity": case.severity,
                "owner": case.owner.get_username() if case.owner else "",
                "remediated_at": case.remediated_on,
                "slice": definition,
                "slice_source": source,
                "before_audits": n_before,
                "before_errors": e_before,
                "before_error_rate": None if rate_before is None else round(rate_before, 4),
                "after_audits": n_after,
                "after_errors": e_after,
                "after_error_rate": None if rate_after is None else round(rate_after, 4),
                "change": None if test is None else round(rate_after - rate_before, 4),
                "z": None if test is None else round(test.z, 4),
                "p_value": None if test is None else float(f"{test.p_value:.6g}"),
                "verdict": verdict_for(test, n_before, n_after, min_audits=min_audits, alpha=alpha).value,
            }
        )
    return rows


def not_lowered(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The rows of fixes that did not lower the error rate (no significant change, or a rise)."""
    return [row for row in rows if row["verdict"] in NOT_LOWERED]
