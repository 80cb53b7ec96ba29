"""The import jobs API: `GET /api/v1/import-jobs/` and `/{id}/` (quality leads, managers and staff; others get an
empty list and 404s), `POST /api/v1/import-jobs/` (quality leads and staff) to import a file in parallel chunks over
the Celery workers (`rca.importing.jobs`).

The file is named by its path inside `IMPORT_SOURCE_DIR`, a directory of the server that the workers share (where an
export job or an operator drops files): no upload through the web process, which would hold a web worker for the
minutes a multi-gigabyte body takes and need the same shared storage anyway. Small batches go to
`POST /api/v1/samples/bulk/`.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from cases import permissions
from config.api.schema import error_responses
from config.api.strict import StrictSerializer
from rca.choices import FileFormat, ImportChunkStatus
from rca.importing.jobs import import_job_request, import_source_path
from rca.models import ImportChunk, ImportJob

# ---------------------------------------------------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------------------------------------------------

JOB_FIELDS = [
    "id", "status", "source_path", "file_format", "file_size", "requested_by", "total", "processed", "created",
    "updated", "rejected", "chunks_total", "chunks_done", "chunks_failed", "error", "created_at", "started_at",
    "finished_at",
]  # fmt: skip


class ImportJobSerializer(serializers.ModelSerializer):
    total = serializers.IntegerField(help_text="Lines of the file after a CSV header (known once the job is planned).")
    processed = serializers.IntegerField(help_text="Lines of the chunks done.")
    chunks_total = serializers.IntegerField()
    chunks_done = serializers.IntegerField()
    chunks_failed = serializers.IntegerField()

    class Meta:
        model = ImportJob
        fields = JOB_FIELDS
        read_only_fields = fields


class ImportRejectionSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The line of the file where the record starts.")
    external_id = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ImportChunkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportChunk
        fields = [
            "index", "status", "attempts", "first_line", "lines", "created", "updated", "rejected", "error",
            "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class ImportJobDetailSerializer(ImportJobSerializer):
    chunks = ImportChunkSerializer(many=True, read_only=True)
    rejections = serializers.SerializerMethodField(
        help_text="Rejected records, by line: the first ones of each chunk (every one is counted in `rejected`)."
    )

    class Meta(ImportJobSerializer.Meta):
        fields = [*JOB_FIELDS, "chunks", "rejections"]
        read_only_fields = fields

    @extend_schema_field(ImportRejectionSerializer(many=True))
    def get_rejections(self, job: ImportJob) -> list[dict]:
        rejections = [rejection for chunk in job.chunks.all() for rejection in chunk.rejections]
        return sorted(rejections, key=lambda rejection: rejection["line"])


class ImportJobRequestSerializer(StrictSerializer):
    path = serializers.CharField(max_length=1024, help_text="The file's path inside the server's IMPORT_SOURCE_DIR.")
    format = serializers.ChoiceField(
        choices=FileFormat.choices, required=False, help_text="Default: from the file's extension."
    )


# ---------------------------------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Import jobs, newest first (quality leads, managers, staff)",
        responses={200: ImportJobSerializer, **error_responses(400, 404)},
    ),
    retrieve=extend_schema(
        summary="An import job with its chunks and its first rejected records",
        responses={200: ImportJobDetailSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Import a file of IMPORT_SOURCE_DIR over the workers (quality leads, staff); 202 with the job",
        description=(
            "The file (CSV or JSON Lines, docs/sample-format.md) is cut into chunks that the Celery workers import in "
            "parallel, each in one transaction, upserting by `external_id`; follow the job's `status` and counts. "
            "A path outside IMPORT_SOURCE_DIR (or any path when it is not set), a missing file or an unreadable one "
            "is a 400 on `path`."
        ),
        request=ImportJobRequestSerializer,
        responses={202: ImportJobSerializer, **error_responses(400)},
    ),
)
class ImportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ImportJobSerializer
    filter_backends = []

    def get_queryset(self):
        user = self.request.user
        if not (permissions.sees_all_cases(user) or user.is_staff):
            return ImportJob.objects.none()
        queryset = ImportJob.objects.annotate(
            chunks_total=Count("chunks"),
            chunks_done=Count("chunks", filter=Q(chunks__status=ImportChunkStatus.DONE)),
            chunks_failed=Count("chunks", filter=Q(chunks__status=ImportChunkStatus.FAILED)),
        ).order_by("-created_at", "-id")  # an aggregate drops Meta.ordering
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(Prefetch("chunks", ImportChunk.objects.order_by("index")))
        return queryset

    def get_serializer_class(self):
        return ImportJobDetailSerializer if self.action == "retrieve" else ImportJobSerializer

    def create(self, request, *args, **kwargs):
        if not (permissions.is_quality_lead(request.user) or request.user.is_staff):
            raise PermissionDenied("Only quality leads and staff may import files.")
        serializer = ImportJobRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        path = import_source_path(serializer.validated_data["path"])
        job = import_job_request(path=path, file_format=serializer.validated_data.get("format"), actor=request.user)
        job = self.get_queryset().get(pk=job.pk)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
