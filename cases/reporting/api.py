"""The report endpoints: parse the query string with the report forms, call one selector, return its rows as JSON
or (`?format=csv`) CSV. Managers and quality leads only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions
from cases.choices import Severity
from cases.fixes.choices import FixVerdict
from cases.reporting.choices import GroupBy, Period, RemediationBasis
from cases.reporting.filters import RemediationOptionsForm, ReportFilterForm
from cases.reporting.remediation import CLOSING_MAX_LIMIT, REMEDIATION_COLUMNS, remediation_report
from cases.reporting.renderers import CSVNegotiationMixin, CSVRenderer
from cases.reporting.selectors import CLOSURE_COLUMNS, closure_report
from cases.reporting.serializers import ClosureRowSerializer, RemediationRowSerializer
from config.api.schema import MAX_ID, error_responses
from config.filters import MARKET_PATTERN


class CanViewReports(BasePermission):
    message = "Only managers and quality leads may see the reports."

    def has_permission(self, request, view) -> bool:
        return permissions.can_view_reports(request.user)


def _integer(minimum: int, maximum: int) -> dict:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


# What `ReportFilterForm` and `RemediationOptionsForm` accept, declared with the same bounds.
_FILTER_PARAMETERS = [
    OpenApiParameter("opened_after", OpenApiTypes.DATE, description="Cases opened on or after this date."),
    OpenApiParameter(
        "opened_before", OpenApiTypes.DATE, description="Cases opened before this date (after `opened_after`)."
    ),
    OpenApiParameter("period", str, enum=Period.values, description="Opened in the last N days."),
    OpenApiParameter("team", _integer(1, MAX_ID), description="Owning team id."),
    OpenApiParameter("policy", {"type": "string", "maxLength": 64}, description="Policy label code."),
    OpenApiParameter("market", {"type": "string", "pattern": MARKET_PATTERN}, description="ISO 3166-1 alpha-2."),
    OpenApiParameter("severity", str, enum=Severity.values),
    OpenApiParameter("format", str, enum=["json", "csv"], description="`csv` returns the same rows as CSV."),
]
_ERRORS = error_responses(400)


class ReportView(CSVNegotiationMixin, APIView):
    """Shared plumbing: permissions, CSV negotiation and JSON errors even when CSV (or the browsable API) was asked
    for (`CSVNegotiationMixin`)."""

    permission_classes = [IsAuthenticated, CanViewReports]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    form_class = ReportFilterForm

    def validated_form(self, request):
        form = self.form_class(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError({field: list(errors) for field, errors in form.errors.items()})
        return form


class ClosureReportView(ReportView):
    csv_columns = CLOSURE_COLUMNS
    csv_filename = "closure-report.csv"

    @extend_schema(
        operation_id="reports_closure",
        summary="Closure rates, time to close, SLA breaches and closings on evidence per group",
        description="Definitions in `cases/reporting/selectors.py`: closure rate = closed / opened; days to close "
        "over closed cases (continuous percentiles); SLA breach = resolved after `due_at`, or unresolved and past it; "
        "closings on evidence or by override, and the latest fix verdicts of closed and monitoring cases "
        "(`cases/reporting/closings.py`).",
        parameters=[
            OpenApiParameter("group_by", str, enum=GroupBy.values, description="Default `month` (month opened)."),
            *_FILTER_PARAMETERS,
        ],
        responses={
            (200, "application/json"): ClosureRowSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **_ERRORS,
        },
    )
    def get(self, request):
        form = self.validated_form(request)
        rows = closure_report(filters=form.report_filters(), group_by=form.grouping)
        self.csv_filename = f"closure-report-by-{form.grouping}.csv"
        return Response(rows)


class RemediationReportView(ReportView):
    csv_columns = REMEDIATION_COLUMNS
    csv_filename = "remediation-report.csv"
    form_class = RemediationOptionsForm

    @extend_schema(
        operation_id="reports_remediation",
        summary="Each case's latest fix: its verdict, the error rate before and after it, and the control",
        description="One row per case with a fix record (its latest fix, most recent first), from the stored fix "
        "verdict and figures: the same figures as the case. With `basis=closing`: the closed cases without a fix "
        f"record instead, computed now from their closing time (at most {CLOSING_MAX_LIMIT}). Definitions in "
        "`cases/reporting/remediation.py`.",
        parameters=[
            OpenApiParameter(
                "basis", str, enum=RemediationBasis.values, description="`fix` (default) or `closing` (see above)."
            ),
            OpenApiParameter("verdict", str, enum=FixVerdict.values, description="Only rows with this verdict."),
            OpenApiParameter(
                "limit",
                _integer(1, 2000),
                description=f"Most recent fixes (default 500); with `basis=closing` default 20, at most "
                f"{CLOSING_MAX_LIMIT}.",
            ),
            *_FILTER_PARAMETERS,
        ],
        responses={
            (200, "application/json"): RemediationRowSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **_ERRORS,
        },
    )
    def get(self, request):
        form = self.validated_form(request)
        return Response(remediation_report(filters=form.report_filters(), **form.remediation_options()))
