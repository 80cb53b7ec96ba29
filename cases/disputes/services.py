"""Writes of the audit-quality work: disputes, their second reviews, and the calibration export log.

- `dispute_open`: a quality lead or a partner questions a sample's verdict with a reason. The sample's verdict is then
  in doubt (`verdict_in_doubt`; the quality rollups of its day are rebuilt once this commits, so the metrics can
  leave it out), and each case the sample is linked to gets `verdict_disputed` on its timeline.
- `dispute_review`: a second reviewer (a lead, or a user mapped to an auditor id; never who gave a verdict on the
  decision) records their label: `rca.verdicts.services.review_record` upholds or overturns the verdict (an overturn
  corrects the sample's label and outcome, keeping the original in the review), writes the timelines and settles the
  dispute (`cases.disputes.resolution`, through `rca.case_port`).
- `calibration_export_record`: the log of an export, and a reveal recorded for each sensitive sample whose text it
  included (as a reveal on the page is).

Refusals: `PermissionDenied` (403) for a role that may not act, `ValidationError` (400) for bad input, `Refusal`
(409) when the state forbids it (a sample already disputed, a dispute already settled).
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import events
from cases.disputes import rules
from cases.disputes.choices import DisputeStatus, ExportFormat
from cases.disputes.models import CalibrationExport, Dispute
from cases.models import Case
from config.api.errors import Refusal
from rca.models import ModerationSample, PolicyLabel
from rca.quality.rollups import decision_day, quality_rollups_mark_and_refresh
from rca.reveals import samples_reveal
from rca.verdicts.choices import ReviewKind
from rca.verdicts.services import review_record, review_refusal

REASON_MAX = 2000
NOTES_MAX = 10_000


def _active_label(code: str | None, field: str) -> str | None:
    if code is None or code == "":
        return None
    if not PolicyLabel.objects.filter(code=code, is_active=True).exists():
        raise ValidationError({field: f'"{code[:40]}" is not an active policy label.'})
    return code


def _linked_cases(sample: ModerationSample) -> list[Case]:
    return list(Case.objects.filter(sample_links__sample=sample).order_by("pk"))


@transaction.atomic
def dispute_open(*, sample: ModerationSample, actor: User, reason: str, proposed_label: str | None = None) -> Dispute:
    """Open a dispute of `sample`'s verdict. The caller has checked that `actor` sees the sample (else 404). Refused:
    a role that may not dispute (403), an empty reason or a proposed label that is not an active one or is the verdict
    itself (400), a sample with an open dispute already (409)."""
    if not rules.can_dispute(actor):
        raise PermissionDenied("Only quality leads and partners may dispute a verdict.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the verdict is in doubt."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"At most {REASON_MAX} characters."})
    proposed_label = _active_label(proposed_label, "proposed_label")
    sample = ModerationSample.objects.select_for_update().get(pk=sample.pk)
    if proposed_label == sample.audit_label_id:
        raise ValidationError({"proposed_label": "That is the verdict being disputed."})
    if Dispute.objects.filter(sample=sample, status=DisputeStatus.OPEN).exists():
        raise Refusal("already_disputed", f"{sample.external_id} has an open dispute already; it awaits its review.")
    dispute = Dispute.objects.create(
        sample=sample,
        reason=reason,
        disputed_label_id=sample.audit_label_id,
        proposed_label_id=proposed_label,
        raised_by=actor,
    )
    if not sample.verdict_in_doubt:  # the quality figures count it in doubt from now on: its day is rebuilt
        ModerationSample.objects.filter(pk=sample.pk).update(verdict_in_doubt=True)
        quality_rollups_mark_and_refresh([decision_day(sample.decided_at)])
    for case in _linked_cases(sample):
        events.verdict_disputed(
            case, actor, dispute_id=dispute.pk, external_id=sample.external_id, label=sample.audit_label_id
        )
    return dispute


@transaction.atomic
def dispute_review(*, dispute: Dispute, actor: User, label: str, notes: str = "") -> Dispute:
    """Settle an open dispute with `actor`'s second review, labelled `label`: upheld when it is the disputed verdict,
    overturned otherwise (see the module docstring). The caller has checked that `actor` sees the dispute (else 404).
    Refused: a user who may not review, or who gave a verdict on this decision (403); a label that is not an active
    policy label, or notes too long (400); a dispute already settled (409)."""
    if not rules.can_review(actor):
        raise PermissionDenied("Only quality leads and auditors may second-review a verdict.")
    dispute = Dispute.objects.select_for_update().select_related("sample").get(pk=dispute.pk)
    if dispute.status != DisputeStatus.OPEN:
        raise Refusal("already_settled", f"This dispute was settled already ({dispute.get_status_display()}).")
    auditor_id = rules.auditor_id_of(actor)
    refusal = review_refusal(sample=dispute.sample, auditor_id=auditor_id, user=actor)
    if refusal is not None:
        raise PermissionDenied(refusal)
    label = _active_label(label, "label")
    if label is None:
        raise ValidationError({"label": "This field is required."})
    if len(notes or "") > NOTES_MAX:
        raise ValidationError({"notes": f"At most {NOTES_MAX} characters."})
    review_record(
        sample=dispute.sample,
        kind=ReviewKind.DISPUTE,
        label=label,
        reviewer=actor,
        reviewer_auditor_id=auditor_id,
        notes=notes or "",
    )
    dispute.refresh_from_db()
    return dispute


@transaction.atomic
def calibration_export_record(
    *,
    user: User,
    case: Case | None,
    filters: dict,
    export_format: ExportFormat,
    sample_count: int,
    revealed_sample_ids: list[int],
    redacted: int,
) -> CalibrationExport:
    """Log one calibration-set export, and record a reveal of each sensitive sample whose text it included."""
    samples_reveal(user=user, sample_ids=revealed_sample_ids)
    return CalibrationExport.objects.create(
        user=user,
        case=case,
        filters=filters,
        format=export_format,
        sample_count=sample_count,
        sensitive_included=len(revealed_sample_ids),
        sensitive_redacted=redacted,
    )
