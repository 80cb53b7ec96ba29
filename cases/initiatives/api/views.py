"""The initiatives API (`/api/v1/initiatives/`): quality leads define and change initiatives; leads and managers read
them all, partners the ones a case they may see serves (`cases.initiatives.selectors`), anyone else none (404).
Every change goes through `cases.initiatives.services` (`PermissionDenied` -> 403, `ValidationError` -> 400).

The list is also CSV (`?format=csv` or `Accept: text/csv`, `cases.reporting.renderers`): every initiative the JSON
would list under the same filters, on one sheet (`cases.initiatives.api.rows`)."""

import django_filters
from django.core.exceptions import PermissionDenied
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from cases import permissions
from cases.filters import case_filter
from cases.initiatives import services
from cases.initiatives.api.rows import INITIATIVE_COLUMNS, initiative_row
from cases.initiatives.api.serializers import (
    InitiativeCreateSerializer,
    InitiativeSerializer,
    InitiativeUpdateSerializer,
)
from cases.initiatives.models import Initiative
from cases.initiatives.progress import attach_progress
from cases.initiatives.selectors import visible_initiatives, with_visible_cases
from cases.reporting.renderers import CSVNegotiationMixin, CSVRenderer
from config.api.schema import error_responses


class InitiativeFilter(django_filters.FilterSet):
    case = case_filter(field_name="cases")

    class Meta:
        model = Initiative
        fields = ["case"]


def _measure(data: dict) -> dict:
    return {
        "population": dict(data.get("population") or {}),
        "audit_label": data.get("audit_label", ""),
        "topic_terms": list(data.get("topic_terms") or []),
    }


@extend_schema_view(
    list=extend_schema(
        summary="Quality initiatives, each with its status today",
        description="As CSV (`format=csv` or `Accept: text/csv`): one row per initiative with the same figures, "
        "every initiative the filters select on one sheet (`page` and `page_size` are checked but select nothing); "
        "columns in docs/quality.md.",
        parameters=[
            OpenApiParameter("format", str, enum=["json", "csv"], description="`csv` returns the same rows as CSV."),
        ],
        responses={
            (200, "application/json"): InitiativeSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            **error_responses(400, 404),
        },
    ),
    retrieve=extend_schema(responses={200: InitiativeSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Define an initiative (quality leads); without a baseline rate it is measured",
        request=InitiativeCreateSerializer,
        responses={201: InitiativeSerializer, **error_responses(400)},
    ),
    partial_update=extend_schema(
        summary="Change an initiative (quality leads)",
        request=InitiativeUpdateSerializer,
        responses={200: InitiativeSerializer, **error_responses(400, 404)},
    ),
)
class InitiativeViewSet(
    CSVNegotiationMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InitiativeSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = InitiativeFilter
    http_method_names = ["get", "post", "patch"]
    csv_columns = INITIATIVE_COLUMNS
    csv_filename = "initiatives.csv"

    def offers_csv(self) -> bool:
        """The list; and a method the view does not take (no action), so that it is a 405 whatever the format."""
        return getattr(self, "action", None) in ("list", None)

    def get_renderers(self):
        renderers = super().get_renderers()
        return [*renderers, CSVRenderer()] if self.offers_csv() else renderers

    def get_queryset(self):
        user = self.request.user
        return with_visible_cases(visible_initiatives(user), user).order_by("target_date", "id")

    def _shown(self, initiative: Initiative) -> dict:
        initiative = self.get_queryset().get(pk=initiative.pk)
        attach_progress([initiative])
        return InitiativeSerializer(initiative).data

    def _check_paging(self, request) -> None:
        """The CSV holds every row: `page` and `page_size` select nothing there, but a bad value is refused as for
        JSON (a 400 for `page_size`, a 404 for `page`)."""
        paginator = self.paginator
        paginator.get_page_size(request)
        page = request.query_params.get(paginator.page_query_param)
        if page and page not in paginator.last_page_strings and not (page.isascii() and page.isdigit() and int(page)):
            raise NotFound("Invalid page.")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if self.wants_csv(request):
            self._check_paging(request)
            return Response([initiative_row(initiative) for initiative in attach_progress(list(queryset))])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(InitiativeSerializer(attach_progress(list(page)), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        initiative = self.get_object()
        attach_progress([initiative])
        return Response(InitiativeSerializer(initiative).data)

    def create(self, request, *args, **kwargs):
        if not permissions.is_quality_lead(request.user):
            raise PermissionDenied("Only quality leads define initiatives.")
        serializer = InitiativeCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["measure"] = _measure(data["measure"])
        initiative = services.initiative_create(actor=request.user, **data)
        return Response(self._shown(initiative), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        initiative = self.get_object()
        if not permissions.is_quality_lead(request.user):
            raise PermissionDenied("Only quality leads change initiatives.")
        serializer = InitiativeUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "measure" in data:
            data["measure"] = _measure(data["measure"])
        initiative = services.initiative_update(initiative=initiative, actor=request.user, **data)
        return Response(self._shown(initiative))
