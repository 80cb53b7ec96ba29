"""The audit-quality API: disputes and their second reviews, agreement, calibration-set exports, and a case's
calibration rounds.

Reads go through `cases.disputes.selectors` (what this user sees: 404 otherwise); every write through
`cases.disputes.services`, whose refusals map to 403 (`PermissionDenied`), 400 (`ValidationError`) and 409
(`Refusal`) in `config.api.errors`.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions
from cases.disputes import rules, selectors, services
from cases.disputes.api.renderers import CalibrationCSVRenderer, JSONLinesRenderer
from cases.disputes.api.serializers import (
    AGREEMENT_COLUMNS,
    AgreementSerializer,
    CalibrationRowSerializer,
    CaseCalibrationSerializer,
    DisputeCreateSerializer,
    DisputeReviewSerializer,
    DisputeSerializer,
)
from cases.disputes.calibration import MAX_SAMPLES, TooManySamples, calibration_set
from cases.disputes.choices import AgreementGroup, DisputeStatus, ExportFormat
from cases.disputes.forms import AgreementForm
from cases.disputes.models import Dispute
from cases.evidence.filters import SampleFilter
from cases.filters import case_filter
from cases.reporting.renderers import CSVNegotiationMixin, CSVRenderer
from config.api.schema import error_responses
from config.filters import MARKET_PATTERN

# DISPUTES
# ------------------------------------------------------------------------------


class DisputeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DisputeStatus.choices)
    case = case_filter(field_name="sample__case_links__case")  # a sample is linked to a case once: no duplicates

    class Meta:
        model = Dispute
        fields = ["status", "case"]


def _dispute_data(request, dispute_id: int) -> dict:
    dispute = selectors.visible_disputes(request.user).get(pk=dispute_id)
    return DisputeSerializer(dispute, context={"request": request}).data


@extend_schema_view(
    list=extend_schema(
        summary="Disputes of the samples this user sees, newest first",
        responses={200: DisputeSerializer, **error_responses(400, 404)},
    ),
    retrieve=extend_schema(responses={200: DisputeSerializer, **error_responses(404)}),
)
class DisputeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilter
    filter_backends = [DjangoFilterBackend]
    queryset = Dispute.objects.none()  # the schema's model; `get_queryset` says what this user sees

    def get_queryset(self):
        return selectors.visible_disputes(self.request.user)

    @extend_schema(
        summary="Second-review a dispute: upheld when the label is the disputed verdict, overturned otherwise",
        description=(
            "Quality leads, and users mapped to an auditor id, who see the sample. 403 for anyone else, and for "
            "whoever gave a verdict on this decision (its first auditor, an earlier reviewer); 409 when the dispute is "
            "settled already. An overturn corrects the sample's `audit_label` and `outcome` and keeps the original "
            "verdict in the review (`verdict_label`)."
        ),
        request=DisputeReviewSerializer,
        responses={200: DisputeSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def review(self, request, pk=None):
        dispute = self.get_object()
        serializer = DisputeReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dispute = services.dispute_review(dispute=dispute, actor=request.user, **serializer.validated_data)
        return Response(_dispute_data(request, dispute.pk))


class SampleDisputeView(GenericAPIView):
    serializer_class = DisputeSerializer
    queryset = Dispute.objects.none()

    @extend_schema(
        operation_id="samples_disputes_create",
        summary="Dispute a sample's verdict (quality leads; partners on a sample of a case they see)",
        description=(
            "The sample's verdict is then in doubt (`verdict_in_doubt`) until a second review settles the dispute. "
            "404 for a sample this user does not see; 403 for a role that may not dispute (managers); 409 when the "
            "sample has an open dispute already."
        ),
        parameters=[OpenApiParameter("external_id", str, OpenApiParameter.PATH, description="The sample's id.")],
        request=DisputeCreateSerializer,
        responses={201: DisputeSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request, external_id: str):
        sample = get_object_or_404(permissions.visible_samples(request.user), external_id=external_id)
        serializer = DisputeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dispute = services.dispute_open(sample=sample, actor=request.user, **serializer.validated_data)
        return Response(_dispute_data(request, dispute.pk), status=status.HTTP_201_CREATED)


# AGREEMENT
# ------------------------------------------------------------------------------


class CanViewAgreement(BasePermission):
    message = "Agreement figures name auditors: quality leads and managers only."

    def has_permission(self, request, view) -> bool:
        return rules.can_view_agreement(request.user)


class AgreementView(CSVNegotiationMixin, APIView):
    """JSON, or CSV (`?format=csv` or `Accept: text/csv`): the overall row then the groups' rows, as the JSON's."""

    permission_classes = [IsAuthenticated, CanViewAgreement]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]
    csv_columns = AGREEMENT_COLUMNS
    csv_filename = "agreement.csv"

    @extend_schema(
        operation_id="quality_agreement",
        summary="Agreement with the resolution per auditor, policy or market: Cohen's kappa, overturn rate",
        description=(
            "Definitions and the below-peers test in docs/audit-quality.md: each auditor's first audits that a "
            "resolution second-reviewed and their calibration answers, against the final labels; an auditor with "
            "`min_verdicts` or more is flagged `below_peers` when their kappa is below the other auditors' by more "
            "than `critical_z` standard errors (one-sided z-test, Bonferroni over the auditors tested). As CSV, the "
            "overall row (`scope` `overall`) then the groups' rows (`scope` `group`), with the same figures."
        ),
        parameters=[
            OpenApiParameter("group_by", str, enum=AgreementGroup.values, description="Default `auditor`."),
            OpenApiParameter("policy", {"type": "string", "maxLength": 64}, description="The policy at stake."),
            OpenApiParameter("market", {"type": "string", "pattern": MARKET_PATTERN}, description="ISO 3166-1."),
            OpenApiParameter("auditor", {"type": "string", "maxLength": 64}, description="An auditor id."),
            OpenApiParameter("reviewed_after", OpenApiTypes.DATE, description="Reviewed on or after this date."),
            OpenApiParameter("reviewed_before", OpenApiTypes.DATE, description="Reviewed before this date."),
            OpenApiParameter("format", str, enum=["json", "csv"], description="`csv` returns the same rows as CSV."),
        ],
        responses={
            (200, "application/json"): AgreementSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            **error_responses(400),
        },
    )
    def get(self, request):
        form = AgreementForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError({field: list(errors) for field, errors in form.errors.items()})
        table = selectors.agreement_table(**form.selector_arguments())
        if self.wants_csv(request):
            self.csv_filename = f"agreement-by-{table.group_by}.csv"
            overall = {"group_by": table.group_by, "scope": "overall", **table.overall.as_dict()}
            groups = [{"group_by": table.group_by, "scope": "group", **row.as_dict()} for row in table.rows]
            return Response([overall, *groups])
        return Response(
            {
                "group_by": table.group_by,
                "alpha": table.alpha,
                "min_verdicts": table.min_verdicts,
                "critical_z": table.critical_z,
                "overall": table.overall.as_dict(),
                "rows": [row.as_dict() for row in table.rows],
            }
        )


# CALIBRATION SETS
# ------------------------------------------------------------------------------


class CalibrationSetView(GenericAPIView):
    """One endpoint, three formats: JSON (default), `?format=csv`, `?format=jsonl` (DRF's content negotiation)."""

    renderer_classes = [JSONRenderer, CalibrationCSVRenderer, JSONLinesRenderer]
    filter_backends = [DjangoFilterBackend]
    filterset_class = SampleFilter
    pagination_class = None
    serializer_class = CalibrationRowSerializer
    http_method_names = ["get", "head"]  # no OPTIONS: its metadata is no calibration set in any of the formats

    def get_queryset(self):
        return permissions.visible_samples(self.request.user)

    def perform_content_negotiation(self, request, force=False):
        """`?format=` is json, csv or jsonl (the schema's enum), or a 400; DRF would answer 404."""
        if not force and request.query_params.get("format") not in (None, "", *ExportFormat.values):
            raise exceptions.ValidationError({"format": ["Choose json, csv or jsonl."]})
        return super().perform_content_negotiation(request, force)

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors as JSON even when a file format was asked for."""
        if response.status_code >= 400 and not isinstance(getattr(request, "accepted_renderer", None), JSONRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        operation_id="calibration_set",
        summary="Export a calibration set: a case's samples (`case`) or any sample filter, with final labels",
        description=(
            "Rows in the sample format (docs/sample-format.md) with `audit_label` the final label, plus "
            "`first_audit_label`, `review_notes`, the case's `root_cause_category` and `root_cause`, and `redacted` "
            "(docs/audit-quality.md). Sensitive notes and transcripts are included for quality leads and managers "
            f"(each one recorded as a reveal) and redacted for partners. At most {MAX_SAMPLES} samples (400 above); "
            "every export is logged (who, when, which case or filter, how many)."
        ),
        parameters=[OpenApiParameter("format", str, enum=ExportFormat.values, description="Default `json`.")],
        responses={
            (200, "application/json"): CalibrationRowSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            **error_responses(400),
        },
    )
    def get(self, request):
        if not rules.can_export_calibration(request.user):
            raise PermissionDenied("Only quality leads, managers and partners may export calibration sets.")
        filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        case = filterset.form.cleaned_data.get("case")
        try:
            calibration = calibration_set(user=request.user, samples=filterset.qs, case=case)
        except TooManySamples as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc
        services.calibration_export_record(
            user=request.user,
            case=case,
            filters={key: values for key, values in request.query_params.lists() if key != "format"},
            export_format=request.accepted_renderer.format,
            sample_count=len(calibration.rows),
            revealed_sample_ids=calibration.revealed_sample_ids,
            redacted=calibration.redacted,
        )
        renderer = request.accepted_renderer
        if isinstance(renderer, JSONRenderer):
            return Response(calibration.rows)
        # A file as rendered, whatever its size (DRF's Response drops the Content-Type of an empty body: an empty set
        # in JSON Lines is an empty file, still of its type).
        content_type = f"{renderer.media_type}; charset={renderer.charset}"
        response = HttpResponse(renderer.render(calibration.rows), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="calibration-set.{renderer.format}"'
        return response


class CaseCalibrationView(GenericAPIView):
    """`GET /cases/{id}/calibration/`: the case room's calibration panel as data, for whoever sees the case."""

    serializer_class = CaseCalibrationSerializer
    pagination_class = None
    filter_backends = []
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return permissions.visible_cases(self.request.user)

    @extend_schema(
        operation_id="case_calibration",
        summary="The case's calibration rounds, scored against the final labels",
        description=(
            'The case room\'s calibration panel (docs/audit-quality.md, "Calibration rounds"): the baseline (the '
            "first audits of the case's samples that a resolution second-reviewed), then each round of calibration "
            "answers in the order of its first answer, with its agreement, Cohen's kappa and change from the round "
            "before; how many times the set was exported. Auditors are counted, never named. 404 for a case the user "
            "does not see."
        ),
        responses={200: CaseCalibrationSerializer, **error_responses(404)},
    )
    def get(self, request, pk: int):
        case = get_object_or_404(self.get_queryset(), pk=pk)
        panel = selectors.calibration_panel(case=case)
        data = {
            "case": panel.case,
            "baseline": panel.baseline,
            "rounds": panel.rounds,
            "exports": panel.exports,
            "can_export": rules.can_export_calibration(request.user),
        }
        return Response(CaseCalibrationSerializer(data).data)
