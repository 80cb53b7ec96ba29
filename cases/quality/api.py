"""The quality endpoints: parse the query string with the quality forms, call the engine (`rca.quality`), return its
rows as JSON or (`?format=csv`, or `Accept: text/csv`) CSV, as the report endpoints do.

Every role may read them (`permissions.can_view_quality_metrics`); figures per auditor are personal data: a query
that groups, filters or splits by `auditor` is a 403 for anyone but quality leads and managers.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from cases import permissions
from cases.quality.forms import (
    FILTER_TEXT_PATTERN,
    GROUP_BY_PATTERN,
    MAX_SLICES,
    TEXT_FILTERS,
    QualityChangeForm,
    QualityMetricsForm,
)
from cases.quality.serializers import ChangeSerializer, MetricsRowSerializer
from cases.reporting.api import ReportView
from config.api.schema import error_responses
from config.filters import MARKET_PATTERN
from rca.choices import ContentType, DecisionSource
from rca.quality.decomposition import SLICE_COLUMNS, quality_change
from rca.quality.dimensions import PERSONAL_DIMENSIONS, Dimension, Period
from rca.quality.metrics import metrics_columns, quality_metrics
from rca.quality.reading import QualityQueryError


class CanViewQualityMetrics(BasePermission):
    message = "Only quality leads, managers and partners may see the quality metrics."

    def has_permission(self, request, view) -> bool:
        return permissions.can_view_quality_metrics(request.user)


def _text(max_length: int) -> dict:
    return {"type": "string", "maxLength": max_length, "pattern": FILTER_TEXT_PATTERN}


# What `QualityFilterForm` accepts, declared with the same bounds.
_FILTER_PARAMETERS = [
    OpenApiParameter("decision_source", str, enum=DecisionSource.values, description="Human or model decisions."),
    OpenApiParameter(
        "policy",
        _text(TEXT_FILTERS["policy"]),
        description="The audits of one policy (the label at stake: the audit's label when it found a violation, "
        "else the decision's); with it, rows carry that policy's precision and recall.",
    ),
    OpenApiParameter("market", {"type": "string", "pattern": MARKET_PATTERN}, description="ISO 3166-1 alpha-2."),
    OpenApiParameter("language", _text(TEXT_FILTERS["language"]), description="BCP 47 tag, as stored."),
    OpenApiParameter("model_version", _text(TEXT_FILTERS["model_version"])),
    OpenApiParameter("queue", _text(TEXT_FILTERS["queue"])),
    OpenApiParameter("content_type", str, enum=ContentType.values),
    OpenApiParameter(
        "auditor", _text(TEXT_FILTERS["auditor"]), description="An auditor's id (quality leads and managers only)."
    ),
    OpenApiParameter("weighted", bool, description="Weigh audits by their sampling weight (default true)."),
    OpenApiParameter(
        "exclude_in_doubt",
        bool,
        description="Leave out the audits whose verdict is in doubt (a dispute awaiting its second review, or an "
        "audit-driven pattern's sample); default false: every audit counts. `true`/`false` (also `1`/`0`, `yes`/`no`, "
        "`on`/`off`); anything else is a 400.",
    ),
    OpenApiParameter("format", str, enum=["json", "csv"], description="`csv` returns the same rows as CSV."),
]
_COMBINATION = (
    "At most one of market, language, model_version, queue, content_type and auditor may be named across the "
    "grouping and the filters (a 400 names the second one); policy and decision_source combine with any."
)


class QualityView(ReportView):
    """The report endpoints' plumbing (CSV negotiation, JSON errors), with the quality metrics' audience and the
    personal-data check."""

    permission_classes = [IsAuthenticated, CanViewQualityMetrics]

    def validated_form(self, request):
        form = super().validated_form(request)
        if PERSONAL_DIMENSIONS & form.named_dimensions() and not permissions.can_see_personal_data(request.user):
            raise exceptions.PermissionDenied("Only quality leads and managers see figures per auditor.")
        return form

    def answer(self, compute, **query):
        try:
            return compute(**query)
        except QualityQueryError as exc:  # the forms check the same rules first: a safety net, never a 500
            raise exceptions.ValidationError({exc.field: [exc.message]}) from exc


class QualityMetricsView(QualityView):
    form_class = QualityMetricsForm
    csv_filename = "quality-metrics.csv"

    @extend_schema(
        operation_id="quality_metrics",
        summary="Audited volume, error rate and its parts, precision and recall, per group and period",
        description="Read from the daily rollups of the audits (definitions in docs/quality.md). Rates are weighted by "
        "the audits' sampling weights unless `weighted=false`, with 95% Wilson intervals on the effective sample "
        "size. Days are days of the decision. Each row counts its audits whose verdict is in doubt "
        "(`audits_in_doubt`), whether or not `exclude_in_doubt` left them out. " + _COMBINATION,
        parameters=[
            OpenApiParameter(
                "group_by",
                {"type": "string", "pattern": GROUP_BY_PATTERN},
                description=f"One dimension, or two separated by a comma of which one is policy or decision_source "
                f"(e.g. `policy,decision_source`: human and model side by side). Dimensions: "
                f"{', '.join(Dimension.values)}.",
            ),
            OpenApiParameter("period", str, enum=Period.values, description="Rows per day, week or month."),
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day of decisions (default: end - 89)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day of decisions, included (default today)."),
            *_FILTER_PARAMETERS,
        ],
        responses={
            (200, "application/json"): MetricsRowSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **error_responses(400),
        },
    )
    def get(self, request):
        form = self.validated_form(request)
        query = form.metrics_query()
        rows = self.answer(quality_metrics, **query)
        self.csv_columns = metrics_columns(query["group_by"])
        return Response([row.flat() for row in rows])


class QualityChangesView(QualityView):
    form_class = QualityChangeForm
    csv_columns = SLICE_COLUMNS
    csv_filename = "quality-changes.csv"

    @extend_schema(
        operation_id="quality_changes",
        summary="What changed, and why: the error rate's change between two periods, split per slice",
        description="Kitagawa's decomposition (docs/quality.md): each slice of `dimension` "
        "contributes a mix part (its share of the audits moving) and a rate part (its error rate moving), which add "
        "up exactly to the change of the overall error rate. As CSV, the slices' rows. " + _COMBINATION,
        parameters=[
            OpenApiParameter("dimension", str, enum=Dimension.values, description="The slices (default policy)."),
            OpenApiParameter("a_start", OpenApiTypes.DATE, description="Period A's first day of decisions."),
            OpenApiParameter("a_end", OpenApiTypes.DATE, description="Period A's last day (default: before B)."),
            OpenApiParameter("b_start", OpenApiTypes.DATE, description="Period B's first day (default b_end - 6)."),
            OpenApiParameter("b_end", OpenApiTypes.DATE, description="Period B's last day (default today)."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_SLICES},
                description="The largest contributors only.",
            ),
            *_FILTER_PARAMETERS,
        ],
        responses={
            (200, "application/json"): ChangeSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            **error_responses(400),
        },
    )
    def get(self, request):
        form = self.validated_form(request)
        query = form.change_query()
        result = self.answer(quality_change, **query)
        slices = [vars(item) for item in result.slices]
        if self.wants_csv(request):
            self.csv_filename = f"quality-changes-by-{result.dimension}.csv"
            return Response(slices)
        (a_start, a_end), (b_start, b_end) = query["period_a"], query["period_b"]
        return Response(
            {
                "dimension": result.dimension,
                "weighted": result.weighted,
                "period_a": {"start": a_start, "end": a_end},
                "period_b": {"start": b_start, "end": b_end},
                "audits_a": result.audits_a,
                "audits_b": result.audits_b,
                "rate_a": result.rate_a,
                "rate_b": result.rate_b,
                "change": result.change,
                "mix": result.mix,
                "rate": result.rate,
                "slices": slices,
            }
        )
