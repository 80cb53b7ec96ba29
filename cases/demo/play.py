"""Carry out the demo's case plans (`cases.demo.plan`) through the services, as the people in them would have, each
step dated by `cases.demo.history.happened_at`. A case is opened with errors of its story's pattern audited in the
weeks before, so its title, policy label and market match its samples."""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.test.utils import override_settings

from cases import services
from cases.choices import ActionItemKind, ActionItemStatus, CaseStatus, FindingStatus
from cases.demo.history import date_case_due, happened_at, one_transaction
from cases.demo.plan import CasePlan
from cases.demo.stories import Story
from cases.fixes.records import FixInput, closure_evidence, latest_fix
from cases.fixes.services import fix_verdict_refresh
from cases.models import Case, Team
from rca.models import ModerationSample
from rca.synthetic.catalog import AUDITOR_PLANTED

SAMPLES_PER_CASE = 8
PLANTED_AUDITORS = tuple(auditor for plant in AUDITOR_PLANTED for auditor in plant.auditors)
SAMPLE_WINDOW = timedelta(days=45)
MIN_SAMPLES = 3
OVERRIDE_REASON = "The partner team confirmed the fix; the weekly audit sample is too small to verify it."


def pick_samples(story: Story, *, before: datetime, used: set[int]) -> list[ModerationSample]:
    """Up to `SAMPLES_PER_CASE` errors of the story's pattern audited in the weeks before `before`, not yet taken by
    another demo case when there are enough; any earlier ones otherwise. Never an audit of the planted auditor-driven
    patterns' auditors: a lenient auditor's overturns look like a story's errors, but the audit is wrong."""
    errors = (
        ModerationSample.objects.filter(
            market=story.market,
            decision_label_id=story.decision_label,
            audit_label_id=story.audit_label,
            audited_at__lt=before,
        )
        .exclude(auditor_id__in=PLANTED_AUDITORS)  # their overturns are the audit's errors, not the story's
        .order_by("-audited_at")
    )
    candidates = list(errors.filter(audited_at__gte=before - SAMPLE_WINDOW)[: SAMPLES_PER_CASE * 4])
    if len(candidates) < MIN_SAMPLES:
        candidates = list(errors[: SAMPLES_PER_CASE * 4])
    fresh = [sample for sample in candidates if sample.pk not in used]
    chosen = (fresh if len(fresh) >= MIN_SAMPLES else candidates)[:SAMPLES_PER_CASE]
    used.update(sample.pk for sample in chosen)
    return chosen


class CasePlayer:
    """Plays one plan: `open()` then `step(kind)` for each planned step, each inside `happened_at`."""

    def __init__(self, plan: CasePlan, *, users: dict[str, User], teams: dict[str, Team], opened: dict[int, Case]):
        self.plan, self.story = plan, plan.story
        self.lead, self.partner = users[plan.owner], users[plan.story.partner]
        self.team = teams[plan.story.team]
        self.opened = opened  # the cases played so far, by plan index (for duplicates)
        self.case: Case | None = None
        self.moment = plan.opened_at  # the step being played
        self.samples: list[ModerationSample] = []

    def play(self, used: set[int]) -> Case:
        self.samples = pick_samples(self.story, before=self.plan.opened_at, used=used)
        with happened_at(self.plan.opened_at):
            self.case = services.case_open(
                actor=self.lead,
                title=self.plan.title,
                samples=self.samples,
                severity=self.plan.severity,
                problem_statement=f"{self.story.finding} Opened from {len(self.samples)} audited errors.",
                team=self.team,
                shared_teams=[self.team],
                measure=self.story.measure,
            )
        date_case_due(self.case)
        for moment, kind in self.plan.steps:
            self.moment = moment
            with happened_at(moment):
                getattr(self, f"_{kind}")()
        return self.case

    def _move(self, to: str, reason: str = "", duplicate_of: Case | None = None, fix: FixInput | None = None) -> None:
        self.case = services.case_transition(
            case=self.case, to=to, actor=self.lead, reason=reason, duplicate_of=duplicate_of, fix=fix
        )

    def _triage(self) -> None:
        self._move(CaseStatus.TRIAGE)

    def _investigate(self) -> None:
        self.case = services.case_assign(case=self.case, owner=self.lead, actor=self.lead, team=self.team)
        self._move(CaseStatus.INVESTIGATING)

    def _discuss(self) -> None:
        finding = services.finding_create(
            case=self.case, actor=self.lead, statement=self.story.finding, evidence=self.samples[:3]
        )
        services.comment_create(
            case=self.case,
            actor=self.partner,
            finding=finding,
            body="Matches what we see on our side; the three samples attached are typical.",
        )
        services.comment_create(
            case=self.case,
            actor=self.lead,
            body=f"@{self.partner.username} could you take the fix? Proposal: {self.story.action_title.lower()}.",
        )

    def _root_cause(self) -> None:
        if not self.case.root_cause_statement:
            self.case = services.case_update(
                case=self.case,
                actor=self.lead,
                root_cause_category=self.story.root_cause,
                root_cause_statement=self.story.root_cause_statement,
            )
            for finding in self.case.findings.all():
                services.finding_update(finding=finding, actor=self.lead, status=FindingStatus.CONFIRMED)
        if not self.case.action_items.exists():
            self._hand_out(self.story.action_kind, self.story.action_title, self.plan.item_due_at)
        self._move(CaseStatus.ROOT_CAUSE_IDENTIFIED)

    def _hand_out(self, kind: str, title: str, due_at: datetime | None) -> None:
        services.action_item_create(
            case=self.case, actor=self.lead, title=title, kind=kind, owner=self.partner, team=self.team, due_at=due_at
        )

    def _remediate(self) -> None:
        self._move(CaseStatus.REMEDIATING)

    def _settle(self, status: str) -> None:
        for item in self.case.action_items.exclude(status__in=(ActionItemStatus.DONE, ActionItemStatus.CANCELLED)):
            if item.status != status:
                services.action_item_update(item=item, actor=self.partner, status=status)

    def _item_started(self) -> None:
        self._settle(ActionItemStatus.IN_PROGRESS)

    def _item_done(self) -> None:
        self._settle(ActionItemStatus.DONE)

    def _monitor(self) -> None:
        self._move(CaseStatus.MONITORING, fix=FixInput(description=f"{self.story.action_title}: shipped."))

    def _verify(self) -> bool:
        """Compute the latest fix's verdict as of this step; whether the case may close on evidence."""
        fix = latest_fix(self.case)
        if fix is not None:
            fix_verdict_refresh(fix, now=self.moment)
        self.case.refresh_from_db()
        return closure_evidence(self.case, now=self.moment) is None

    def _close(self) -> None:
        """On evidence when the fix holds; otherwise by override, as teams do when the weekly sample is too small."""
        on_evidence = self._verify()
        reason = "" if on_evidence else OVERRIDE_REASON
        self._move(CaseStatus.CLOSED, reason=reason)

    def _close_on_evidence(self) -> None:
        if self._verify():
            self._move(CaseStatus.CLOSED)

    def _reopen(self) -> None:
        self._move(CaseStatus.INVESTIGATING, reason="The errors came back in this week's audits after the fix.")

    def _follow_up(self) -> None:
        self._hand_out(
            ActionItemKind.PROCESS_CHANGE, "Follow-up: find why the fix did not hold", self.plan.follow_up_due_at
        )

    def _wont_fix(self) -> None:
        self._move(CaseStatus.WONT_FIX, reason="Too few errors to act on; the weekly audit will catch a recurrence.")

    def _duplicate(self) -> None:
        survivor = self.opened.get(self.plan.duplicate_of) if self.plan.duplicate_of is not None else None
        if survivor is None or survivor.status == CaseStatus.DUPLICATE:
            self._wont_fix()
        else:
            self._move(CaseStatus.DUPLICATE, duplicate_of=survivor)


def play_history(plans: list[CasePlan], *, users: dict[str, User], teams: dict[str, Team]) -> list[Case]:
    """Play the plans in the order the cases were opened; return the cases.

    The notifications of this history are created (and stamped as emailed) like any others, but their emails go
    nowhere: they would arrive months late."""
    opened: dict[int, Case] = {}
    used: set[int] = set()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for plan in plans:
            with one_transaction():
                opened[plan.index] = CasePlayer(plan, users=users, teams=teams, opened=opened).play(used)
    return list(opened.values())
