"""Viewsets of the case API. Each one reads through `cases.permissions` (what this user may see: 404 otherwise),
parses input with a strict serializer, and makes every change through one of `cases.services` (which raise
`PermissionDenied` -> 403, `ValidationError` -> 400, `TransitionRefused` -> 409; see `config.api.errors`).
"""

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import permissions, services
from cases.api.fixes import errors_under, fix_input
from cases.api.serializers import (
    ActionItemCreateSerializer,
    ActionItemSerializer,
    ActionItemUpdateSerializer,
    ActivitySerializer,
    AvailableTransitionSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    CaseUpdateSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    FindingCreateSerializer,
    FindingSerializer,
    FindingUpdateSerializer,
    LinkResultSerializer,
    TransitionSerializer,
)
from cases.filters import ActionItemFilter, CaseFilter, CommentFilter, FindingFilter
from cases.models import ActionItem, Case, Comment, Finding, Team
from cases.services import case_measure_set
from cases.workflow import available_transitions
from config.api.authentication import token_for
from config.api.schema import error_responses
from config.api.strict import ExternalIdsSerializer, StrictFieldsMixin
from rca.models import ModerationSample

# HELPERS
# ------------------------------------------------------------------------------


def samples_by_external_id(user, external_ids: list[str], field: str = "external_ids") -> list[ModerationSample]:
    """The samples named by `external_ids`, or a 400 listing every id that does not exist (so nothing is linked)."""
    wanted = list(dict.fromkeys(external_ids))
    found = {
        sample.external_id: sample
        for sample in permissions.visible_samples(user).filter(external_id__in=wanted).only("id", "external_id")
    }
    missing = [external_id for external_id in wanted if external_id not in found]
    if missing:
        raise serializers.ValidationError({field: [f"No sample with external id '{value}'." for value in missing]})
    return [found[external_id] for external_id in wanted]


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def case_queryset(user) -> QuerySet[Case]:
    """The cases this user may see, with what `CaseSerializer` shows: owner and team joined, the shared teams and
    watchers prefetched in ascending order (two queries for a whole page). The prefetches go to plain lists
    (`to_attr`): a related manager with its own queryset for each case of a page cost about 3 ms a page of 50."""
    return (
        permissions.visible_cases(user)
        .select_related("owner", "team")
        .prefetch_related(
            Prefetch("shared_teams", queryset=Team.objects.only("id").order_by("id"), to_attr="shared_team_list"),
            Prefetch("watchers", queryset=User.objects.only("id").order_by("id"), to_attr="watcher_list"),
        )
    )


# AUTH
# ------------------------------------------------------------------------------


class TokenRequestSerializer(StrictFieldsMixin, AuthTokenSerializer):
    pass


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """Exchange a username and password for an expiring API token (the only endpoint open to anonymous clients)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, **error_responses(400, 429)},
        auth=[],
        operation_id="auth_token_create",
    )
    def post(self, request):
        # The Django request, not DRF's: the login guard (django-axes) marks a locked-out attempt on it.
        serializer = TokenRequestSerializer(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # A token is a sign-in: the login guard clears the user's failed attempts, Django records `last_login`.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token, expires_at = token_for(user)
        return Response({"token": token.key, "expires_at": expires_at})


# CASES
# ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Cases this user may see", responses={200: CaseSerializer, **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: CaseDetailSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Open a case (quality leads)",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400)},
    ),
    partial_update=extend_schema(
        summary="Edit, assign or share a case, or set its measure (quality leads); the status changes only through "
        "/transition/",
        request=CaseUpdateSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 404)},
    ),
)
class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    queryset = Case.objects.all()
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    delete_takes_body = True  # DELETE /cases/{id}/samples/ (see config.api.schema.AutoSchema)

    def get_queryset(self):
        queryset = case_queryset(self.request.user)
        return queryset.select_related("pattern") if self.action == "retrieve" else queryset

    def retrieve(self, request, *args, **kwargs):
        return Response(CaseDetailSerializer(self.get_object(), context=self.get_serializer_context()).data)

    def _read(self, case: Case) -> Response:
        case = case_queryset(self.request.user).select_related("pattern").get(pk=case.pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    def create(self, request, *args, **kwargs):
        require(permissions.can_drive_case(request.user), "Only quality leads may open cases.")
        serializer = CaseCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        samples = samples_by_external_id(request.user, data["external_ids"]) if data["external_ids"] else []
        case = services.case_open(
            actor=request.user,
            title=data["title"],
            samples=samples,
            severity=data["severity"],
            problem_statement=data["problem_statement"],
            owner=data["owner"],
            team=data["team"],
            shared_teams=data["shared_teams"],
        )
        response = self._read(case)
        response.status_code = status.HTTP_201_CREATED
        return response

    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        require(permissions.can_drive_case(request.user), "Only quality leads may change cases.")
        serializer = CaseUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        edits = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        with transaction.atomic():
            if edits:
                case = services.case_update(case=case, actor=request.user, **edits)
            if "owner" in data or "team" in data:
                owner = data.get("owner", case.owner)
                case = services.case_assign(case=case, owner=owner, team=data.get("team"), actor=request.user)
            if "shared_teams" in data:
                case = services.case_share(case=case, teams=data["shared_teams"], actor=request.user)
            if "measure" in data:
                with errors_under("measure"):
                    case = case_measure_set(case=case, actor=request.user, data=data["measure"])
        return self._read(case)

    @extend_schema(
        summary="Move the case through the workflow",
        description="Entering `monitoring` records the fix (`fix`, optional). Closing needs evidence (the latest "
        "fix's verdict `holding`, monitored `FIX_MIN_MONITORING_DAYS`) or an override reason (`reason`); without "
        "either the answer is a 409 saying why not.",
        request=TransitionSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        serializer = TransitionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fix = fix_input(data["fix"], to=data["to"])
        with errors_under("fix", when=fix is not None):
            case = services.case_transition(
                case=case, to=data["to"], actor=request.user, reason=data["reason"], duplicate_of=data["duplicate_of"],
                fix=fix,
            )  # fmt: skip
        return self._read(case)

    @extend_schema(
        summary="The moves this user may make now",
        responses={200: AvailableTransitionSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transitions(self, request, pk=None):
        case = self.get_object()
        moves = available_transitions(case, request.user)
        return Response(AvailableTransitionSerializer(moves, many=True).data)

    @extend_schema(
        summary="Link (POST) or unlink (DELETE) samples by external id; unknown ids are a 400 and nothing changes",
        request=ExternalIdsSerializer,
        responses={200: LinkResultSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["post", "delete"], url_path="samples", filter_backends=[])
    def samples(self, request, pk=None):
        case = self.get_object()
        require(permissions.can_drive_case(request.user), "Only quality leads may link samples.")
        serializer = ExternalIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        samples = samples_by_external_id(request.user, serializer.validated_data["external_ids"])
        if request.method == "DELETE":
            removed = services.case_unlink_samples(case=case, samples=samples, actor=request.user)
            result = {"unlinked": removed}
        else:
            linked = services.case_link_samples(case=case, samples=samples, actor=request.user)
            result = {"linked": len(linked)}
        case.refresh_from_db(fields=["sample_count"])
        return Response({**result, "sample_count": case.sample_count})

    @extend_schema(
        summary="The case's timeline, oldest first",
        responses={200: ActivitySerializer(many=True), **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def activity(self, request, pk=None):
        case = self.get_object()
        entries = case.activities.select_related("actor").order_by("created_at", "id")
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)


# FINDINGS, ACTION ITEMS, COMMENTS
# ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: FindingSerializer, **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: FindingSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Add a finding (quality leads)",
        request=FindingCreateSerializer,
        responses={201: FindingSerializer, **error_responses(400)},
    ),
    partial_update=extend_schema(
        summary="Change a finding's statement or status (quality leads)",
        request=FindingUpdateSerializer,
        responses={200: FindingSerializer, **error_responses(400, 404)},
    ),
)
class FindingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            permissions.visible_findings(self.request.user)
            .select_related("author")
            .prefetch_related(Prefetch("evidence", queryset=ModerationSample.objects.only("id", "external_id")))
        )

    def _read(self, finding: Finding, code: int = status.HTTP_200_OK) -> Response:
        return Response(FindingSerializer(self.get_queryset().get(pk=finding.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = FindingCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        require(permissions.can_drive_case(request.user), "Only quality leads may add findings.")
        evidence = samples_by_external_id(request.user, data["evidence"], field="evidence")
        finding = services.finding_create(
            case=data["case"], actor=request.user, statement=data["statement"], status=data["status"], evidence=evidence
        )
        return self._read(finding, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        finding = self.get_object()
        require(permissions.can_drive_case(request.user), "Only quality leads may change findings.")
        serializer = FindingUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        finding = services.finding_update(finding=finding, actor=request.user, **serializer.validated_data)
        return self._read(finding)


@extend_schema_view(
    list=extend_schema(responses={200: ActionItemSerializer, **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: ActionItemSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Hand an action item to a partner (quality leads)",
        request=ActionItemCreateSerializer,
        responses={201: ActionItemSerializer, **error_responses(400)},
    ),
    partial_update=extend_schema(
        summary="Update an action item: partners its status and description (their own items), quality leads all",
        request=ActionItemUpdateSerializer,
        responses={200: ActionItemSerializer, **error_responses(400, 404)},
    ),
)
class ActionItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    queryset = ActionItem.objects.all()
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    filter_backends = [DjangoFilterBackend]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return permissions.visible_action_items(self.request.user).select_related("owner", "team")

    def _read(self, item: ActionItem, code: int = status.HTTP_200_OK) -> Response:
        return Response(ActionItemSerializer(self.get_queryset().get(pk=item.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = ActionItemCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        require(permissions.can_drive_case(request.user), "Only quality leads may add action items.")
        item = services.action_item_create(actor=request.user, **serializer.validated_data)
        return self._read(item, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = ActionItemUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        item = services.action_item_update(item=item, actor=request.user, **serializer.validated_data)
        return self._read(item)


@extend_schema_view(
    list=extend_schema(responses={200: CommentSerializer, **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: CommentSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Comment on a case or one of its findings (anyone who sees the case)",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, **error_responses(400)},
    ),
)
class CommentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = Comment.objects.all()
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return (
            permissions.visible_comments(self.request.user)
            .select_related("author")
            .prefetch_related(Prefetch("mentions", queryset=User.objects.only("id", "username")))
        )

    def create(self, request, *args, **kwargs):
        serializer = CommentCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(actor=request.user, **serializer.validated_data)
        return Response(CommentSerializer(self.get_queryset().get(pk=comment.pk)).data, status=status.HTTP_201_CREATED)
