"""Reads for the case pages: the case board rows and counts, and the case room bundle ("my work": home_selectors).

Every read starts from `cases.permissions.visible_cases` and filters with the shared `cases.filters.CaseFilter`, so
the pages apply exactly the rules of the API. Each selector runs a fixed number of queries whatever the data size:
related rows come with `select_related` / `Prefetch`, per-row counts are correlated subqueries evaluated only for
the rows of the page.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from cases import permissions
from cases.choices import OPEN_ACTION_ITEM_STATUSES, OPEN_STATUSES, CaseStatus, Role
from cases.evidence.filters import SampleFilter
from cases.filters import CaseFilter
from cases.measure.definition import Measure
from cases.models import ActionItem, Activity, Case, Comment, ContributingFactor, Finding, Team, UserPreference, WhyStep
from cases.room_samples import SampleOrder, SampleRanking, rank_samples
from cases.workflow import AvailableTransition, available_transitions
from rca.models import ModerationSample

CASE_PAGE_SIZE = 25
LINKED_SAMPLES_PAGE_SIZE = 10  # the most typical first (`cases.room_samples`): the room's evidence, then its work
TIMELINE_LIMIT = 200
DUE_SOON = timedelta(days=1)


# SLA
# ------------------------------------------------------------------------------


class SlaState:
    """How a case stands against its due date; the values double as CSS modifiers."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    BREACHED = "breached"

    LABELS = {
        ON_TRACK: "On track",
        DUE_SOON: "Due within a day",
        OVERDUE: "Overdue",
        MET: "Met SLA",
        BREACHED: "Missed SLA",
    }


def sla_state(case: Case, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if case.status in OPEN_STATUSES:
        if case.due_at < now:
            return SlaState.OVERDUE
        return SlaState.DUE_SOON if case.due_at - now < DUE_SOON else SlaState.ON_TRACK
    resolved = case.resolved_at or case.closed_at
    return SlaState.BREACHED if resolved and resolved > case.due_at else SlaState.MET


# CASE BOARD
# ------------------------------------------------------------------------------


def open_item_count() -> Subquery:
    items = (
        ActionItem.objects.filter(case_id=OuterRef("pk"), status__in=OPEN_ACTION_ITEM_STATUSES)
        .order_by()
        .values("case_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(items, output_field=IntegerField()), 0)


class KnownCountPaginator(Paginator):
    """A `Paginator` given its count: the board already knows it (the sum of its status counts), so the paginator
    does not run a second `COUNT(*)` over the same rows."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


@dataclass
class CaseBoard:
    filterset: CaseFilter
    page: Page
    status_counts: list[tuple[str, str, int]]
    total: int
    is_valid: bool


def case_board(*, user: User, params: QueryDict, page_number: str | int | None = 1) -> CaseBoard:
    """The visible cases matching `params` (the API's case filters), one page of them, and a count per status.

    The counts ignore the status filter so that the status tabs show what each one would hold.
    """
    visible = permissions.visible_cases(user)
    filterset = CaseFilter(params, queryset=visible)
    is_valid = filterset.is_valid()
    queryset = visible.none() if not is_valid else filterset.qs
    if not params.get("ordering"):
        queryset = queryset.order_by("-opened_at", "-id")
    without_status = params.copy()
    without_status.pop("status", None)
    without_status.pop("ordering", None)
    count_filter = CaseFilter(without_status, queryset=visible)
    counts: dict[str, int] = {}
    if is_valid and count_filter.is_valid():
        # COUNT(*), not COUNT(id): PostgreSQL can then count from the status index alone (an index-only scan).
        counts = dict(count_filter.qs.order_by().values_list("status").annotate(n=Count("*")))
    status_counts = [(value, label, counts.get(value, 0)) for value, label in CaseStatus.choices]
    # The total is the sum of the selected statuses' counts: no second COUNT over the same rows.
    selected = set(filterset.form.cleaned_data.get("status") or []) if is_valid else set()
    total = sum(count for value, _, count in status_counts if not selected or value in selected)

    paginator = KnownCountPaginator(queryset.select_related("owner", "team"), CASE_PAGE_SIZE, count=total)
    page = paginator.get_page(page_number)
    # Counted for the rows of the page in one query: as a subquery of the page query, PostgreSQL would evaluate it for
    # every row an OFFSET skips too (2,500 of them on page 100).
    page.object_list = list(page.object_list)
    open_items = dict(
        ActionItem.objects.filter(
            case_id__in=[row.pk for row in page.object_list], status__in=OPEN_ACTION_ITEM_STATUSES
        )
        .order_by()
        .values_list("case_id")
        .annotate(n=Count("id"))
    )
    for row in page.object_list:
        row.open_items = open_items.get(row.pk, 0)
        row.sla = sla_state(row)
    return CaseBoard(filterset, page, status_counts, total, is_valid)


def board_choices() -> dict[str, list]:
    """Options of the board's filter selects: owners (quality leads), teams, policy labels. Three queries."""
    from rca.models import PolicyLabel

    return {
        "owners": list(quality_lead_choices().only("id", "username", "first_name", "last_name")),
        "teams": list(Team.objects.order_by("name").only("id", "name")),
        "labels": list(PolicyLabel.objects.filter(is_active=True).only("code", "name")),
    }


# CASE ROOM
# ------------------------------------------------------------------------------


def visible_case_or_none(*, user: User, case_id: int) -> Case | None:
    return (
        permissions.visible_cases(user)
        .select_related("owner", "team", "pattern", "duplicate_of")
        .filter(pk=case_id)
        .first()
    )


def blur_preference(user: User) -> bool:
    """Whether sensitive sample text is blurred for `user` (on unless the user turned it off)."""
    preference = UserPreference.objects.filter(user=user).only("blur_sensitive").first()
    return True if preference is None else preference.blur_sensitive


def sample_rows(queryset: QuerySet[ModerationSample]) -> QuerySet[ModerationSample]:
    """Samples with the labels needed to decide on blurring, without the bulky columns we do not show."""
    return queryset.select_related("decision_label", "audit_label")


def mark_sensitive(samples, *, blur: bool) -> None:
    for sample in samples:
        sample.is_sensitive = sample.decision_label.is_sensitive or sample.audit_label.is_sensitive
        sample.blurred = blur and sample.is_sensitive


@dataclass
class CaseRoom:
    case: Case
    sla: str
    transitions: list[AvailableTransition]
    sample_filter: SampleFilter
    samples: Page
    findings: list[Finding]
    action_items: list[ActionItem]
    comments: list[Comment]
    activities: list[Activity]
    shared_teams: list[Team]
    is_watching: bool
    watcher_count: int
    blur: bool
    activity_total: int = 0
    contributing_factors: list[ContributingFactor] = field(default_factory=list)
    why_steps: list[WhyStep] = field(default_factory=list)
    sample_ranking: SampleRanking = field(default_factory=lambda: SampleRanking(order=SampleOrder.LATEST))
    blurred_ids: list[int] = field(default_factory=list)


def case_room(
    *,
    case: Case,
    request: HttpRequest,
    sample_page: str | int | None = 1,
    measure: Measure | None = None,
    sample_order: str = SampleOrder.TYPICAL,
) -> CaseRoom:
    """Everything the case page shows to the request's user, in a fixed number of queries (linked samples and timeline
    are paged/capped). The linked samples are filtered by the query string, with the request: a `case` or `pattern`
    filter accepts only what this user sees, so the room cannot tell a partner which of its samples belong to a case
    or pattern hidden from it. They come best first for the case's `measure` (`cases.room_samples`)."""
    user = request.user
    now = timezone.now()
    blur = blur_preference(user)
    linked = ModerationSample.objects.filter(case_links__case=case)
    sample_filter = SampleFilter(request.GET, queryset=linked, request=request)
    sample_qs = sample_filter.qs if sample_filter.is_valid() else linked.none()
    sample_qs, ranking = rank_samples(sample_rows(sample_qs), measure, order=sample_order)
    samples = Paginator(sample_qs, LINKED_SAMPLES_PAGE_SIZE).get_page(sample_page)
    mark_sensitive(samples.object_list, blur=blur)

    finding_comments = Prefetch(
        "comments", queryset=Comment.objects.select_related("author").order_by("created_at", "id")
    )
    findings = list(
        case.findings.select_related("author")
        .prefetch_related(finding_comments)
        .annotate(evidence_count=Count("evidence"))
        .order_by("created_at", "id")
    )
    action_items = list(case.action_items.select_related("owner", "team").order_by("due_at", "id"))
    for item in action_items:
        item.is_overdue = bool(item.due_at and item.due_at < now and item.status in OPEN_ACTION_ITEM_STATUSES)
        item.user_may_update = permissions.can_update_action_item(user, item)
    comments = list(case.comments.filter(finding__isnull=True).select_related("author").order_by("created_at", "id"))
    activity_total = case.activities.count()
    activities = list(case.activities.select_related("actor").order_by("-created_at", "-id")[:TIMELINE_LIMIT])
    activities.reverse()
    shared_teams = list(case.shared_teams.order_by("name"))
    watchers = set(case.watchers.values_list("id", flat=True))
    return CaseRoom(
        case=case,
        sla=sla_state(case, now),
        transitions=available_transitions(case, user),
        sample_filter=sample_filter,
        samples=samples,
        findings=findings,
        action_items=action_items,
        comments=comments,
        activities=activities,
        shared_teams=shared_teams,
        is_watching=user.pk in watchers,
        watcher_count=len(watchers),
        blur=blur,
        activity_total=activity_total,
        contributing_factors=list(case.contributing_factors.select_related("author").order_by("created_at", "id")),
        why_steps=list(case.why_steps.order_by("position")),
        sample_ranking=ranking,
        blurred_ids=[sample.pk for sample in samples.object_list if sample.blurred],
    )


def case_mention_candidates(*, case: Case) -> list[User]:
    """The people who can see `case`, by username: quality leads, managers and the partners in its audience (through
    a team or in person, see `cases.audience`). Whom a comment on it may mention (the case room's autocomplete); the
    same rule as `permissions.can_view_case`, in one query."""
    keys = case.audience or {}
    team_ids = [int(key[1:]) for key in keys if key.startswith("t")]
    user_ids = [int(key[1:]) for key in keys if key.startswith("u")]
    everyone = permissions.users_with_role(Role.QUALITY_LEAD, Role.MANAGER).values("pk")
    partners = permissions.users_with_role(Role.PARTNER).filter(Q(teams__in=team_ids) | Q(pk__in=user_ids))
    return list(
        User.objects.filter(Q(pk__in=everyone) | Q(pk__in=partners.values("pk")))
        .order_by("username")
        .only("id", "username", "first_name", "last_name")
    )


def action_item_owner_choices() -> QuerySet[User]:
    """People an action item can be handed to: partners and quality leads."""
    return permissions.users_with_role(Role.PARTNER, Role.QUALITY_LEAD).order_by("username")


def quality_lead_choices() -> QuerySet[User]:
    """People a case can be assigned to (`permissions.case_owner_candidates`), by username."""
    return permissions.case_owner_candidates().order_by("username")


def open_case_choices(*, user: User, limit: int = 50) -> list[Case]:
    """Open cases a quality lead may add samples to (most recent first), for the samples explorer."""
    return list(
        permissions.visible_cases(user)
        .filter(status__in=OPEN_STATUSES)
        .order_by("-opened_at", "-id")
        .only("id", "title", "status")[:limit]
    )


def recent_visible_cases(*, user: User, limit: int = 50) -> list[Case]:
    """The most recently opened cases `user` may see (for a partner's case picker on the samples explorer)."""
    return list(permissions.visible_cases(user).order_by("-opened_at", "-id").only("id", "title")[:limit])


def finding_evidence_choices(*, case: Case, limit: int = 50) -> list[ModerationSample]:
    """The samples most recently linked to `case`, for the finding form's evidence checklist (others are typed)."""
    return list(
        ModerationSample.objects.filter(case_links__case=case)
        .order_by("-case_links__linked_at", "-id")
        .only("id", "external_id", "market", "audit_label_id", "decision_label_id")[:limit]
    )


def linked_sensitive_samples(*, case: Case, ids: list[int]) -> list[ModerationSample]:
    """The sensitive samples linked to `case` among these ids, in the order given (one query; others are left out:
    the text of the rest is not hidden)."""
    sensitive = Q(decision_label__is_sensitive=True) | Q(audit_label__is_sensitive=True)
    found = {
        sample.pk: sample
        for sample in ModerationSample.objects.filter(case_links__case=case, pk__in=ids)
        .filter(sensitive)
        .only("id", "external_id", "notes", "transcript")
    }
    return [found[sample_id] for sample_id in dict.fromkeys(ids) if sample_id in found]


def linked_samples(*, case: Case, ids: list[int], external_ids: list[str]) -> list[ModerationSample]:
    """The samples linked to `case` among these ids and external ids (one query; others are left out)."""
    return list(
        ModerationSample.objects.filter(case_links__case=case)
        .filter(Q(pk__in=ids) | Q(external_id__in=external_ids))
        .only("id", "external_id")
    )
