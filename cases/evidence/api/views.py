"""Viewsets of the evidence API: samples (read, and bulk upsert for quality leads), error patterns, detection runs.

Visibility comes from `cases.permissions`: partners see only the samples linked to cases they see; only quality leads
and managers see patterns and detection runs (others get an empty list and 404s).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from cases import permissions
from cases.evidence.api.pagination import SampleCursorPagination
from cases.evidence.api.serializers import (
    BULK_RECORD,
    BulkResultSerializer,
    DetectionRunRequestSerializer,
    DetectionRunSerializer,
    ErrorPatternDetailSerializer,
    ErrorPatternSerializer,
    SampleSerializer,
)
from cases.evidence.filters import PatternFilter, SampleFilter
from config.api.schema import error_responses
from rca.detection_runs import detection_run_request
from rca.importing import import_records
from rca.models import DetectionRun, ErrorPattern, ModerationSample


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


@extend_schema_view(
    list=extend_schema(
        summary="Audited samples, newest first (cursor-paginated)",
        responses={200: SampleSerializer, **error_responses(400, 404)},
    ),
    retrieve=extend_schema(
        parameters=[OpenApiParameter("external_id", str, OpenApiParameter.PATH, description="The audit's own id.")],
        responses={200: SampleSerializer, **error_responses(404)},
    ),
)
class SampleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ModerationSample.objects.all()
    serializer_class = SampleSerializer
    filterset_class = SampleFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = SampleCursorPagination
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return permissions.visible_samples(self.request.user)

    @extend_schema(
        summary="Upsert up to 5,000 sample records by external_id (quality leads); partial success",
        description=(
            "A JSON list of records in the format of docs/sample-format.md (samples, or second audits of a sample: "
            "records with `review_of`). Valid records are stored (created or "
            "updated by `external_id`) even when others are rejected; each rejected record is listed with its index "
            "and errors, and nothing of it is written. A body that is not a list, or holds more than "
            f"{settings.BULK_MAX_RECORDS} records, is a 400; a body over {settings.API_BULK_MAX_BYTES:,} bytes a 413."
        ),
        request=BULK_RECORD,
        responses={200: BulkResultSerializer, **error_responses(400, 413)},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request):
        if not permissions.is_quality_lead(request.user):
            raise PermissionDenied("Only quality leads may import samples.")
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.API_BULK_MAX_BYTES:
            raise RequestTooLarge(
                f"The body is {int(length):,} bytes; this endpoint takes at most {settings.API_BULK_MAX_BYTES:,}. "
                "Send fewer records per request."
            )
        records = request.data
        if not isinstance(records, list):
            raise ValidationError({"non_field_errors": ["Expected a JSON list of sample records."]})
        if len(records) > settings.BULK_MAX_RECORDS:
            raise ValidationError(
                {"non_field_errors": [f"At most {settings.BULK_MAX_RECORDS} records per request; got {len(records)}."]}
            )
        result = import_records(records, actor=request.user)
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "rejected": result.rejected,
            }
        )


@extend_schema_view(
    list=extend_schema(
        summary="Error patterns found by detection",
        responses={200: ErrorPatternSerializer, **error_responses(400, 404)},
    ),
    retrieve=extend_schema(responses={200: ErrorPatternDetailSerializer, **error_responses(404)}),
)
class ErrorPatternViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ErrorPattern.objects.all()
    serializer_class = ErrorPatternSerializer
    filterset_class = PatternFilter
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        if not permissions.can_view_patterns(self.request.user):
            return ErrorPattern.objects.none()
        queryset = super().get_queryset().annotate(case_pk=F("case__id"))
        return queryset.select_related("case") if self.action == "retrieve" else queryset

    def get_serializer_class(self):
        return ErrorPatternDetailSerializer if self.action == "retrieve" else ErrorPatternSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Detection runs, newest first", responses={200: DetectionRunSerializer, **error_responses(400, 404)}
    ),
    retrieve=extend_schema(responses={200: DetectionRunSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Queue a detection run (quality leads); 202 with the run",
        request=DetectionRunRequestSerializer,
        responses={202: DetectionRunSerializer, **error_responses(400)},
    ),
)
class DetectionRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = DetectionRun.objects.all()
    serializer_class = DetectionRunSerializer
    filter_backends = []

    def get_queryset(self):
        if not permissions.can_view_patterns(self.request.user):
            return DetectionRun.objects.none()
        return super().get_queryset()

    def create(self, request, *args, **kwargs):
        if not permissions.can_run_detection(request.user):
            raise PermissionDenied("Only quality leads may run detection.")
        serializer = DetectionRunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        window_days = serializer.validated_data.get("window_days", settings.DETECTION_WINDOW_DAYS)
        run = detection_run_request(actor=request.user, window_days=window_days)
        run.refresh_from_db()
        return Response(DetectionRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
