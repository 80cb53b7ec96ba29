"""Serializers of the case API: read shapes (what a page shows) and small strict input shapes (what a client may send).

Input serializers only parse and check types; the rules (who may, what must be filled in) are the services'.
Related objects a client names are looked up among what that client may see, so another user's case is "does not
exist" rather than a hint that it exists.
"""

from django.contrib.auth.models import User
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import permissions
from cases.api.fix_serializers import FixInputSerializer, FixSerializer, MeasureInputSerializer, MeasureSerializer
from cases.api.story_serializers import StorySerializer
from cases.choices import ActionItemKind, ActionItemStatus, CaseStatus, FindingStatus, RootCauseCategory, Severity
from cases.fixes.records import latest_fix
from cases.measure.definition import case_measure
from cases.measure.describe import masked_measure_dict
from cases.models import ActionItem, Activity, Case, Comment, Finding, Team
from cases.story.selectors import case_story
from config.api.strict import StrictSerializer

# RELATED FIELDS
# ------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class VisibleCaseField(serializers.PrimaryKeyRelatedField):
    """A case id, resolved among the cases the requesting user may see."""

    def get_queryset(self):
        return permissions.visible_cases(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleFindingField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return permissions.visible_findings(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class UserField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return User.objects.filter(is_active=True)


@extend_schema_field(OpenApiTypes.INT)
class TeamField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Team.objects.all()


# CASES
# ------------------------------------------------------------------------------


# Read cases through `cases.api.views.case_queryset` (owner and team selected, the shared teams and watchers
# prefetched in ascending order into `shared_team_list` and `watcher_list`): a page costs the queries one case does.
class CaseSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True, help_text="Human key, e.g. `RCA-42`.")
    owner_username = serializers.CharField(source="owner.username", read_only=True, allow_null=True, default=None)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True, default=None)
    shared_teams = TeamField(source="shared_team_list", many=True, read_only=True, help_text="Team ids, ascending.")
    watchers = UserField(source="watcher_list", many=True, read_only=True, help_text="User ids, ascending.")
    root_cause_category = serializers.ChoiceField(
        choices=RootCauseCategory.choices, allow_blank=True, read_only=True, help_text="Empty until it is known."
    )

    class Meta:
        model = Case
        fields = [
            "id", "key", "title", "status", "severity", "owner", "owner_username", "team", "team_name", "origin",
            "pattern", "sample_count", "due_at", "opened_at", "closed_at", "problem_statement", "policy_label",
            "market", "root_cause_category", "root_cause_statement", "resolution_reason", "duplicate_of",
            "shared_teams", "watchers", "reopen_count", "triaged_at", "investigating_at", "root_cause_identified_at",
            "remediating_at", "monitoring_at", "resolved_at", "reopened_at", "updated_at", "closed_by_override",
        ]  # fmt: skip
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    """One case (not the list: its measure, latest fix and story cost a few queries of their own)."""

    measure = serializers.SerializerMethodField(
        help_text="The case's effective measure (a lead's, else its pattern's, else what its samples share); null "
        "when there is nothing to measure. PATCH `measure` to change it."
    )
    latest_fix = serializers.SerializerMethodField(help_text="The fix the verdict follows; null before monitoring.")
    story = serializers.SerializerMethodField(
        help_text="The case's story, as the case room shows it: the header's figures, the trend's daily series and "
        "markers, why it is a pattern and not noise, what else is unusual (stored; computed on the first read)."
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "measure", "latest_fix", "story"]
        read_only_fields = fields

    @extend_schema_field(MeasureSerializer(allow_null=True))
    def get_measure(self, case: Case) -> dict | None:
        measure = case_measure(case)
        if measure is None:
            return None
        mask = permissions.request_id_masker(self.context.get("request"))
        return MeasureSerializer(masked_measure_dict(measure.as_dict(), mask)).data

    @extend_schema_field(FixSerializer(allow_null=True))
    def get_latest_fix(self, case: Case) -> dict | None:
        fix = latest_fix(case)
        return None if fix is None else FixSerializer(fix, context=self.context).data

    @extend_schema_field(StorySerializer)
    def get_story(self, case: Case) -> dict:
        request = self.context.get("request")
        return case_story(case, user=request.user if request is not None else None).as_dict()


class CaseCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    problem_statement = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default=Severity.S3)
    owner = UserField(
        required=False, allow_null=True, default=None, help_text="A quality lead's user id; by default the opener."
    )
    team = TeamField(required=False, allow_null=True, default=None)
    shared_teams = TeamField(many=True, required=False, default=list)
    external_ids = serializers.ListField(
        child=serializers.CharField(max_length=128),
        required=False,
        default=list,
        max_length=5000,
        help_text="Samples to link as evidence (all must exist).",
    )


class CaseUpdateSerializer(StrictSerializer):
    unknown_field_messages = {
        "status": 'The status changes only through the workflow: POST /api/v1/cases/{id}/transition/ {"to": ...}.',
    }

    title = serializers.CharField(max_length=200, required=False)
    problem_statement = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    root_cause_category = serializers.ChoiceField(choices=RootCauseCategory.choices, required=False, allow_blank=True)
    root_cause_statement = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    owner = UserField(required=False, allow_null=True, help_text="A quality lead's user id, or null to unassign.")
    team = TeamField(required=False)
    shared_teams = TeamField(many=True, required=False)
    measure = MeasureInputSerializer(
        required=False,
        help_text="The case's measure, as a lead sets it; `{}` goes back to the derived one (its pattern's, or what "
        "its samples share).",
    )


class TransitionSerializer(StrictSerializer):
    to = serializers.ChoiceField(choices=CaseStatus.choices, help_text="The target state.")
    reason = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="",
        help_text="Why (`wont_fix`, back to `remediating`); closing without evidence (a holding fix verdict after the "
        "monitoring period), the override reason.",
    )  # fmt: skip
    duplicate_of = VisibleCaseField(required=False, allow_null=True, default=None, help_text="For `duplicate`.")
    fix = FixInputSerializer(
        required=False, allow_null=True, default=None,
        help_text="For `monitoring` only: the fix being monitored (by default effective now, nothing named).",
    )  # fmt: skip


class AvailableTransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=CaseStatus.choices)
    label = serializers.CharField()
    allowed = serializers.BooleanField(help_text="Whether the guards pass now.")
    reason = serializers.CharField(help_text="Why not, when `allowed` is false.")
    needs = serializers.ListField(
        child=serializers.CharField(),
        help_text="Inputs to send: `reason`, `duplicate_of`, `fix` (optional: what changed and since when), "
        "`override_reason` (sent as `reason`: needed to close without evidence).",
    )


class LinkResultSerializer(serializers.Serializer):
    linked = serializers.IntegerField(required=False, help_text="Samples newly linked (POST).")
    unlinked = serializers.IntegerField(required=False, help_text="Links removed (DELETE).")
    sample_count = serializers.IntegerField()


class ActivitySerializer(serializers.ModelSerializer):
    actor_username = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    verb_display = serializers.CharField(source="get_verb_display", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "case", "verb", "verb_display", "actor", "actor_username", "data", "created_at"]
        read_only_fields = fields


# FINDINGS, ACTION ITEMS, COMMENTS
# ------------------------------------------------------------------------------


class FindingSerializer(serializers.ModelSerializer):
    author_username = serializers.CharField(source="author.username", read_only=True, allow_null=True, default=None)
    evidence = serializers.SlugRelatedField(many=True, read_only=True, slug_field="external_id")

    class Meta:
        model = Finding
        fields = [
            "id",
            "case",
            "statement",
            "status",
            "author",
            "author_username",
            "evidence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FindingCreateSerializer(StrictSerializer):
    case = VisibleCaseField()
    statement = serializers.CharField(max_length=20_000)
    status = serializers.ChoiceField(choices=FindingStatus.choices, required=False, default=FindingStatus.HYPOTHESIS)
    evidence = serializers.ListField(
        child=serializers.CharField(max_length=128), required=False, default=list, max_length=5000,
        help_text="External ids of the evidence samples (all must exist).",
    )  # fmt: skip


class FindingUpdateSerializer(StrictSerializer):
    statement = serializers.CharField(max_length=20_000, required=False)
    status = serializers.ChoiceField(choices=FindingStatus.choices, required=False)


class ActionItemSerializer(serializers.ModelSerializer):
    owner_username = serializers.CharField(source="owner.username", read_only=True, allow_null=True, default=None)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ActionItem
        fields = [
            "id", "case", "title", "description", "kind", "owner", "owner_username", "team", "team_name", "due_at",
            "status", "created_by", "created_at", "updated_at", "completed_at",
        ]  # fmt: skip
        read_only_fields = fields


class ActionItemCreateSerializer(StrictSerializer):
    case = VisibleCaseField()
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ActionItemKind.choices)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    owner = UserField(required=False, allow_null=True, default=None)
    team = TeamField(required=False, allow_null=True, default=None)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ActionItemUpdateSerializer(StrictSerializer):
    """Partners may send `status` and `description` of their own items; quality leads any field."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ActionItemKind.choices, required=False)
    owner = UserField(required=False, allow_null=True)
    team = TeamField(required=False, allow_null=True)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=ActionItemStatus.choices, required=False)


class CommentSerializer(serializers.ModelSerializer):
    author_username = serializers.CharField(source="author.username", read_only=True, allow_null=True, default=None)
    mentions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")

    class Meta:
        model = Comment
        fields = ["id", "case", "finding", "author", "author_username", "body", "body_html", "mentions", "created_at"]
        read_only_fields = fields


class CommentCreateSerializer(StrictSerializer):
    case = VisibleCaseField()
    finding = VisibleFindingField(required=False, allow_null=True, default=None)
    body = serializers.CharField(max_length=20_000, help_text="Markdown; `@username` mentions notify.")
