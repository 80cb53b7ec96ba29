"""Reads of the audit-quality pages and API: the disputes a user sees, a sample's verdict page, the agreement table,
a case's calibration rounds."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import QuerySet

from cases import permissions
from cases.disputes import rules
from cases.disputes.choices import DisputeStatus
from cases.disputes.models import CalibrationExport, Dispute
from cases.models import Case
from cases.selectors import blur_preference, mark_sensitive, sample_rows
from rca.models import ModerationSample, PolicyLabel
from rca.verdicts.agreement import ALPHA, MIN_VERDICTS, AgreementRow, agreement_rows, critical_z
from rca.verdicts.models import SampleReview
from rca.verdicts.selectors import PairFilters, RoundScore, calibration_rounds, sample_history, verdict_pairs
from rca.verdicts.services import review_refusal

# DISPUTES
# ------------------------------------------------------------------------------


def visible_disputes(user: User) -> QuerySet[Dispute]:
    """The disputes of the samples `user` sees (`cases.permissions.visible_samples`), newest first."""
    samples = permissions.visible_samples(user)
    queryset = Dispute.objects.all() if permissions.sees_all_cases(user) else Dispute.objects.filter(sample__in=samples)
    return queryset.select_related(
        "sample", "raised_by", "review", "review__reviewer", "disputed_label", "proposed_label"
    ).order_by("-raised_at", "-id")


@dataclass
class SampleVerdictPage:
    sample: ModerationSample
    history: list
    disputes: list[Dispute]
    open_dispute: Dispute | None
    cases: list[Case]
    can_dispute: bool
    can_review: bool
    review_refused: str | None
    labels: list[PolicyLabel]
    blur: bool


def sample_verdict_page(*, user: User, sample_id: int) -> SampleVerdictPage | None:
    """A sample's verdict as `user` may see it, its history and disputes, and what the user may do (None: no such
    sample for this user)."""
    sample = sample_rows(permissions.visible_samples(user)).filter(pk=sample_id).first()
    if sample is None:
        return None
    blur = blur_preference(user)
    mark_sensitive([sample], blur=blur)
    disputes = list(visible_disputes(user).filter(sample=sample))
    open_dispute = next((dispute for dispute in disputes if dispute.status == DisputeStatus.OPEN), None)
    can_review = open_dispute is not None and rules.can_review(user)
    refused = review_refusal(sample=sample, auditor_id=rules.auditor_id_of(user), user=user) if can_review else None
    return SampleVerdictPage(
        sample=sample,
        history=sample_history(sample),
        disputes=disputes,
        open_dispute=open_dispute,
        cases=list(permissions.visible_cases(user).filter(sample_links__sample=sample).order_by("-opened_at")),
        can_dispute=open_dispute is None and rules.can_dispute(user),
        can_review=can_review and refused is None,
        review_refused=refused,
        labels=list(PolicyLabel.objects.filter(is_active=True).only("code", "name")),
        blur=blur,
    )


# AGREEMENT
# ------------------------------------------------------------------------------


@dataclass
class AgreementTable:
    group_by: str
    overall: AgreementRow
    rows: list[AgreementRow]
    alpha: float
    min_verdicts: int
    critical_z: float | None  # the bar an auditor's z must pass (grouped by auditor)


def agreement_table(
    *,
    group_by: str = "auditor",
    reviewed_after: datetime | None = None,
    reviewed_before: datetime | None = None,
    policy: str = "",
    market: str = "",
    auditor: str = "",
) -> AgreementTable:
    pairs = verdict_pairs(
        PairFilters(
            reviewed_after=reviewed_after,
            reviewed_before=reviewed_before,
            policy=policy,
            market=market,
            auditor=auditor,
        )
    )
    overall, rows = agreement_rows(pairs, group_by=group_by)
    tested = sum(1 for row in rows if row.compared >= MIN_VERDICTS) if group_by == "auditor" else 0
    return AgreementTable(
        group_by=group_by,
        overall=overall,
        rows=rows,
        alpha=ALPHA,
        min_verdicts=MIN_VERDICTS,
        critical_z=critical_z(alpha=ALPHA, tests=tested) if tested else None,
    )


# CALIBRATION
# ------------------------------------------------------------------------------


@dataclass
class CalibrationPanel:
    case: Case
    baseline: RoundScore | None
    rounds: list[RoundScore]
    exports: int


def calibration_panel(*, case: Case) -> CalibrationPanel:
    """The calibration rounds of a case's samples (scored against their final labels) and how often it was exported.
    Most cases have no second audit at all: one `EXISTS` then spares the room reading every linked sample's id and
    three queries over them."""
    baseline, rounds = None, []
    if SampleReview.objects.filter(sample__case_links__case=case).exists():
        sample_ids = list(case.sample_links.values_list("sample_id", flat=True))
        baseline, rounds = calibration_rounds(sample_ids=sample_ids)
    return CalibrationPanel(
        case=case, baseline=baseline, rounds=rounds, exports=CalibrationExport.objects.filter(case=case).count()
    )
