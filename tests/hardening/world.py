"""One small world for the access-control sweep: a case shared with the Policy team, with a linked sample, a finding,
a comment, an action item owned by the Policy partner, a recorded fix, a second (unlinked) sample, a detected pattern
with its run, a notification of the quality lead and a quality initiative the case serves; and one user per role,
including a partner of another team (Legal)."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import Count
from django.utils import timezone

from cases.disputes.models import CalibrationExport, Dispute
from cases.fixes.models import Fix
from cases.initiatives.models import Initiative
from cases.models import (
    ActionItem,
    Activity,
    Case,
    CaseSample,
    Comment,
    ContributingFactor,
    Finding,
    Notification,
    Team,
    WhyStep,
)
from cases.notifications.choices import NotificationKind
from rca.models import DetectionRun, ErrorPattern, ModerationSample, SampleReveal
from rca.verdicts.models import SampleReview
from tests.cases.initiative_data import InitiativeFactory
from tests.factories import (
    ActionItemFactory,
    CaseFactory,
    CaseSampleFactory,
    CommentFactory,
    DetectionRunFactory,
    ErrorPatternFactory,
    FindingFactory,
    ModerationSampleFactory,
    UserFactory,
)

ROLES = ("anonymous", "outsider", "other_partner", "partner", "manager", "lead")
PASSWORD = "pw-for-tests-1"


@dataclass
class World:
    users: dict[str, User | None]
    case: Case
    sample: ModerationSample
    free_sample: ModerationSample
    finding: Finding
    item: ActionItem
    comment: Comment
    pattern: ErrorPattern
    run: DetectionRun
    notification: Notification
    policy: Team
    legal: Team
    factor: ContributingFactor
    dispute: Dispute  # open, on the unlinked sample (which partners do not see)
    initiative: Initiative


def build_world() -> World:
    policy, legal = Team.objects.get(slug="policy"), Team.objects.get(slug="legal")
    users = {
        "anonymous": None,
        "outsider": UserFactory(username="sweep_nobody"),
        "other_partner": UserFactory(username="sweep_legal_partner", role="partner", teams=[legal]),
        "partner": UserFactory(username="sweep_policy_partner", role="partner", teams=[policy]),
        "manager": UserFactory(username="sweep_boss", role="manager"),
        "lead": UserFactory(username="sweep_lead", role="quality_lead"),
    }
    case = CaseFactory(shared_teams=[policy], owner=users["lead"])
    sample = ModerationSampleFactory(external_id="qa-sweep-linked")
    CaseSampleFactory(case=case, sample=sample)
    Case.objects.filter(pk=case.pk).update(sample_count=1)
    run = DetectionRunFactory()
    free_sample = ModerationSampleFactory(external_id="qa-sweep-free")
    Fix.objects.create(case=case, effective_at=timezone.now() - timedelta(days=3), recorded_by=users["lead"])
    return World(
        users=users,
        case=case,
        sample=sample,
        free_sample=free_sample,
        finding=FindingFactory(case=case, author=users["lead"]),
        item=ActionItemFactory(case=case, owner=users["partner"], team=policy),
        comment=CommentFactory(case=case, author=users["lead"]),
        pattern=ErrorPatternFactory(last_run=run),
        run=run,
        notification=Notification.objects.create(
            recipient=users["lead"],
            kind=NotificationKind.CASE_ASSIGNED,
            case=case,
            message="Something happened",
            url=f"/cases/{case.pk}/",
            idempotency_key="sweep-1",
        ),
        policy=policy,
        legal=legal,
        factor=ContributingFactor.objects.create(case=case, category="process", statement="No second review."),
        dispute=Dispute.objects.create(
            sample=free_sample, reason="Swept", disputed_label_id=free_sample.audit_label_id, raised_by=users["lead"]
        ),
        initiative=InitiativeFactory(owner=users["lead"], cases=[case]),
    )


def state(world: World) -> tuple:
    """Everything a page or endpoint of the sweep could write, as one comparable value."""
    case = Case.objects.annotate(watching=Count("watchers", distinct=True), shares=Count("shared_teams")).get(
        pk=world.case.pk
    )
    return (
        Activity.objects.count(),
        Case.objects.count(),
        CaseSample.objects.count(),
        Comment.objects.count(),
        Finding.objects.count(),
        ActionItem.objects.count(),
        SampleReveal.objects.count(),
        DetectionRun.objects.count(),
        ModerationSample.objects.count(),
        (case.status, case.title, case.severity, case.owner_id, case.team_id, case.watching, case.shares),
        Finding.objects.get(pk=world.finding.pk).status,
        ActionItem.objects.get(pk=world.item.pk).status,
        Notification.objects.get(pk=world.notification.pk).read_at,
        Notification.objects.filter(read_at__isnull=True).count(),
        ContributingFactor.objects.count(),
        list(WhyStep.objects.values_list("case_id", "position", "answer")),
        list(Dispute.objects.values_list("id", "status")),
        SampleReview.objects.count(),
        CalibrationExport.objects.count(),
        list(ModerationSample.objects.order_by("id").values_list("audit_label", "verdict_in_doubt")),
        list(Initiative.objects.order_by("pk").values_list("pk", "name", "target_rate", "updated_at")),
    )
