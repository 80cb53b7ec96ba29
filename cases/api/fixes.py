"""A case's fixes in the API: `GET /cases/{id}/fixes/` lists them with their verdict and figures (whoever sees the
case), `POST` records another fix while the case is in monitoring, and `POST /cases/{id}/fixes/verdict/` computes the
latest fix's verdict now (quality leads; `cases.fixes.services`). The fix of the move to monitoring travels with the
transition (`cases.api.views.CaseViewSet.transition`), parsed by `fix_input` here.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import permissions
from cases.api.fix_serializers import FixInputSerializer, FixSerializer
from cases.choices import CaseStatus
from cases.fixes.records import FixInput
from cases.fixes.services import fix_add, fix_verdict_recompute
from cases.models import Case
from config.api.schema import error_responses

# INPUT HELPERS (shared with the case viewset)
# ------------------------------------------------------------------------------


@contextmanager
def errors_under(name: str, *, when: bool = True):
    """A service's `ValidationError` about a nested input (its keys are the nested object's) as field errors of the
    request field `name`: `{"fix": {"effective_at": ["..."]}}`."""
    try:
        yield
    except DjangoValidationError as error:
        if not when:
            raise
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise serializers.ValidationError({name: detail}) from error


def fix_input(data: dict | None, *, to: str) -> FixInput | None:
    """The `fix` of a transition request; only the move to monitoring takes one (400 otherwise)."""
    if data is None:
        return None
    if to != CaseStatus.MONITORING:
        raise serializers.ValidationError({"fix": ["A fix is recorded only when moving to `monitoring`."]})
    return FixInput(**data)


# VIEWS
# ------------------------------------------------------------------------------


class CaseFixesViewSet(viewsets.GenericViewSet):
    """Routes under `/cases/{id}/fixes/`, beside the case's own viewset."""

    queryset = Case.objects.all()
    serializer_class = FixSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return permissions.visible_cases(self.request.user)

    @staticmethod
    def _fixes(case: Case):
        return case.fixes.select_related("recorded_by").order_by("-effective_at", "-id")

    @extend_schema(
        methods=["GET"],
        summary="The case's fixes, latest first, each with its verdict and figures",
        description="The latest fix is the one the verdict follows (`holding`, `not_holding`, `not_enough_audits`; "
        "empty until first computed), from audits of decisions made after it against a window of the same length "
        "before it, net of the control (docs/fixes.md).",
        responses={200: FixSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record another fix while the case is in monitoring (quality leads)",
        description="The verdict follows the latest fix from then on; it is computed hourly, or now with "
        "`POST /fixes/verdict/`. 409 when the case is not in monitoring.",
        request=FixInputSerializer,
        responses={201: FixSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"])
    def fixes(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(FixSerializer(self._fixes(case), many=True, context={"request": request}).data)
        serializer = FixInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fix = fix_add(case=case, actor=request.user, fix=FixInput(**serializer.validated_data))
        shown = FixSerializer(self._fixes(case).get(pk=fix.pk), context={"request": request})
        return Response(shown.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Compute the latest fix's verdict now (quality leads)",
        description="409 when the case has no fix, or nothing to measure.",
        request=None,
        responses={200: FixSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="fixes/verdict")
    def fix_verdict(self, request, pk=None):
        case = self.get_object()
        fix = fix_verdict_recompute(case=case, actor=request.user)
        return Response(FixSerializer(self._fixes(case).get(pk=fix.pk), context={"request": request}).data)
