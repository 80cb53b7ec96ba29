"""The structured RCA of a case in the API: its contributing factors (`/cases/{id}/contributing-factors/`: list, add,
and delete one), its five-whys chain (`/cases/{id}/five-whys/`: read, replace) and its write-up as Markdown
(`/cases/{id}/writeup/`, `text/markdown`).

Whoever sees the case reads them (404 otherwise); quality leads write them, through `cases.services` (403 for the
others). The write-up is the one the printable page shows (`cases.writeup`), rendered by `writeup_markdown`.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from cases import permissions, services
from cases.choices import RootCauseCategory
from cases.models import MAX_WHYS, Case, ContributingFactor
from cases.writeup import case_writeup
from cases.writeup_markdown import writeup_markdown
from config.api.schema import ErrorSerializer, error_responses
from config.api.strict import StrictSerializer

# SERIALIZERS
# ------------------------------------------------------------------------------


class ContributingFactorSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    author_username = serializers.CharField(source="author.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ContributingFactor
        fields = ["id", "case", "category", "category_label", "statement", "author_username", "created_at"]
        read_only_fields = fields


class ContributingFactorCreateSerializer(StrictSerializer):
    category = serializers.ChoiceField(choices=RootCauseCategory.choices)
    statement = serializers.CharField(max_length=500, help_text="One sentence.")


class FiveWhysSerializer(StrictSerializer):
    answers = serializers.ListField(
        child=serializers.CharField(max_length=500),
        max_length=MAX_WHYS,
        help_text='The answers to "why?", the first one first; an empty list clears the chain.',
    )


class MarkdownRenderer(BaseRenderer):
    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return str(data).encode(self.charset)


# VIEWS
# ------------------------------------------------------------------------------

_FACTOR_ID = OpenApiParameter("factor_id", int, OpenApiParameter.PATH, description="The contributing factor's id.")
# The write-up answers Markdown, and its errors in JSON: each error response names its media type.
_WRITEUP_ERRORS = {
    (code, "application/json"): response
    for code, response in {
        **error_responses(404),
        406: OpenApiResponse(ErrorSerializer, description="The client accepts no text/markdown."),
    }.items()
}


class CaseRcaStructureViewSet(viewsets.GenericViewSet):
    """Routes under `/cases/{id}/` beside the case's own viewset (`cases.api.views.CaseViewSet`)."""

    queryset = Case.objects.all()
    serializer_class = ContributingFactorSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return permissions.visible_cases(self.request.user)

    def _factors(self, case: Case):
        return case.contributing_factors.select_related("author").order_by("created_at", "id")

    @extend_schema(
        methods=["GET"],
        summary="The case's contributing factors",
        responses={200: ContributingFactorSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a contributing factor (quality leads)",
        request=ContributingFactorCreateSerializer,
        responses={201: ContributingFactorSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get", "post"], url_path="contributing-factors")
    def contributing_factors(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(ContributingFactorSerializer(self._factors(case), many=True).data)
        serializer = ContributingFactorCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        factor = services.contributing_factor_create(case=case, actor=request.user, **serializer.validated_data)
        factor = self._factors(case).get(pk=factor.pk)
        return Response(ContributingFactorSerializer(factor).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove a contributing factor (quality leads)",
        parameters=[_FACTOR_ID],
        responses={204: None, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["delete"], url_path=r"contributing-factors/(?P<factor_id>[0-9]+)")
    def contributing_factor(self, request, pk=None, factor_id=None):
        case = self.get_object()
        factor = case.contributing_factors.filter(pk=int(factor_id)).first()
        if factor is None:
            raise NotFound("This case has no such contributing factor.")
        services.contributing_factor_delete(factor=factor, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        summary="The case's five-whys chain",
        responses={200: FiveWhysSerializer, **error_responses(404)},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Replace the five-whys chain (quality leads)",
        request=FiveWhysSerializer,
        responses={200: FiveWhysSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get", "put"], url_path="five-whys")
    def five_whys(self, request, pk=None):
        case = self.get_object()
        if request.method == "PUT":
            serializer = FiveWhysSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.five_whys_replace(case=case, actor=request.user, answers=serializer.validated_data["answers"])
        answers = list(case.why_steps.order_by("position").values_list("answer", flat=True))
        return Response({"answers": answers})

    @extend_schema(
        summary="The case's write-up for a review meeting, as Markdown",
        description="Problem and impact, timeline highlights, root cause and contributing factors, five whys, action "
        "items. Moderator and auditor ids are masked and sensitive sample text left out as for the case room.",
        responses={(200, "text/markdown"): OpenApiTypes.STR, **_WRITEUP_ERRORS},
    )
    @action(detail=True, methods=["get"], renderer_classes=[MarkdownRenderer])
    def writeup(self, request, pk=None):
        case = self.get_object()
        response = Response(writeup_markdown(case_writeup(case=case, user=request.user)))
        response["Content-Disposition"] = f'inline; filename="{case.key}-writeup.md"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON (`{"detail", "code"}`), even where Markdown was negotiated or nothing could be.
        accepted = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and (accepted is None or isinstance(accepted, MarkdownRenderer)):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
