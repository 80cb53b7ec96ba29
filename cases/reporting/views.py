"""The managers' dashboard (`/reports/`): the report selectors' rows as server-side SVG charts and tables, the same
filters as the API, and CSV links to the API with those filters."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cases import permissions
from cases.choices import Severity
from cases.fixes.choices import FixVerdict
from cases.initiatives.selectors import initiative_list
from cases.reporting import charts
from cases.reporting.choices import GroupBy, Period, RemediationBasis
from cases.reporting.closings import NO_FIX, NOT_COMPUTED, closed_before_fixes, fix_verdict_mix
from cases.reporting.filters import ReportFilterForm, ReportFilters
from cases.reporting.rca_months import CATEGORIES, rca_categories_by_month
from cases.reporting.remediation import CHANGE_LABELS, CLOSING_DEFAULT_LIMIT, not_holding, remediation_report
from cases.reporting.selectors import AGE_BUCKETS, closure_report, open_case_ageing
from cases.reporting.snapshots import snapshot_trend

DASHBOARD_REMEDIATIONS = 40
SNAPSHOT_DAYS = 14
DEFAULT_PERIOD = Period.DAYS_365


def _csv_url(name: str, filters: ReportFilters, **extra: str) -> str:
    return f"{reverse(name)}?{urlencode({**filters.as_query(), **extra, 'format': 'csv'})}"


@login_required
@require_GET
def reports_dashboard(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_reports(request.user):
        raise PermissionDenied("The reports are for managers and quality leads.")
    query = request.GET.copy()
    query.setdefault("period", DEFAULT_PERIOD)
    query.setdefault("group_by", GroupBy.TEAM)
    form = ReportFilterForm(query)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form, "invalid": True}, status=400)
    filters = form.report_filters()
    table_group = form.grouping

    overall = closure_report(filters=filters, group_by=None)
    by_month = closure_report(filters=filters, group_by=GroupBy.MONTH)
    by_severity = {row["key"]: row for row in closure_report(filters=filters, group_by=GroupBy.SEVERITY)}
    severity_rows = [by_severity.get(severity, {"group": severity, "key": severity}) for severity in Severity.values]
    by_group = by_month if table_group == GroupBy.MONTH else closure_report(filters=filters, group_by=table_group)
    ageing = open_case_ageing(filters=filters)
    remediations = [
        {
            **row,
            "verdict_label": FixVerdict(row["verdict"]).label if row["verdict"] else "Not computed yet",
            "changes": [(CHANGE_LABELS[name], value) for name, value in row["what_changed"].items()],
        }
        for row in remediation_report(filters=filters, limit=DASHBOARD_REMEDIATIONS)
    ]
    verdict_columns = [(verdict.value, verdict.label) for verdict in FixVerdict]
    verdict_columns += [(NOT_COMPUTED, "Not computed yet"), (NO_FIX, "No fix record")]
    verdict_mix = [
        {**row, "counts": [row[value] for value, _label in verdict_columns]} for row in fix_verdict_mix(filters=filters)
    ]
    age_labels = [label for label, _low, _high in AGE_BUCKETS]

    context = {
        "form": form,
        "headline": overall[0] if overall else None,
        "table_group": GroupBy(table_group),
        "group_choices": GroupBy.choices,
        "by_group": by_group,
        "by_month": by_month,
        "severity_rows": severity_rows,
        "ageing": ageing,
        "age_labels": age_labels,
        "remediations": remediations,
        "not_holding": not_holding(remediations),
        "verdict_mix": verdict_mix,
        "verdict_columns": verdict_columns,
        "closing_limit": CLOSING_DEFAULT_LIMIT,
        "closed_before_fixes": closed_before_fixes(overall[0]) if overall else 0,
        "snapshots": snapshot_trend(limit=SNAPSHOT_DAYS),
        "rca_months": rca_categories_by_month(filters=filters),
        "rca_categories": CATEGORIES,
        "initiatives": initiative_list(user=request.user),
        "initiative_recent_days": settings.INITIATIVE_RECENT_DAYS,
        "charts": {
            "closure_by_month": charts.column_chart(
                [(row["group"], row["closure_rate"], f"({row['closed']} of {row['opened']})") for row in by_month]
            ),
            "ageing": charts.stacked_bar_chart([(row.label, row.counts) for row in ageing], age_labels),
            "time_to_close": charts.range_chart(
                [(row["group"], row.get("median_days_to_close"), row.get("p90_days_to_close")) for row in severity_rows]
            ),
            "remediation": charts.before_after_chart(
                [(row["key"], row["before_rate"], row["after_rate"], row["verdict"]) for row in remediations]
            ),
        },
        "csv": {
            "group": _csv_url("report-closure", filters, group_by=table_group),
            "month": _csv_url("report-closure", filters, group_by=GroupBy.MONTH),
            "severity": _csv_url("report-closure", filters, group_by=GroupBy.SEVERITY),
            "remediation": _csv_url("report-remediation", filters),
            "closings": _csv_url("report-remediation", filters, basis=RemediationBasis.CLOSING),
        },
    }
    return render(request, "reports/dashboard.html", context)
