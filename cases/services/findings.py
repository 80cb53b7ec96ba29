"""Findings: what the investigation establishes (hypotheses, then confirmed or rejected), with evidence samples."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from cases import events
from cases.choices import FindingStatus
from cases.models import Case, Finding
from cases.services.case import require_driver
from rca.models import ModerationSample


@transaction.atomic
def finding_create(
    *,
    case: Case,
    actor: User,
    statement: str,
    status: str = FindingStatus.HYPOTHESIS,
    evidence: Iterable[ModerationSample] = (),
) -> Finding:
    """Add a finding (hypothesis, confirmed or rejected) with its evidence samples."""
    require_driver(actor)
    if not statement.strip():
        raise ValidationError({"statement": "A finding needs a statement."})
    if status not in FindingStatus.values:
        raise ValidationError({"status": f"'{status}' is not one of {', '.join(FindingStatus.values)}."})
    finding = Finding.objects.create(case=case, statement=statement.strip(), status=status, author=actor)
    finding.evidence.set(list(evidence))
    events.finding_added(finding, actor)
    return finding


@transaction.atomic
def finding_update(
    *, finding: Finding, actor: User, statement: str | None = None, status: str | None = None
) -> Finding:
    """Change a finding's statement or status (for example hypothesis -> confirmed)."""
    require_driver(actor)
    changes = {}
    if statement is not None and statement.strip() != finding.statement:
        changes["statement"] = {"from": finding.statement, "to": statement.strip()}
        finding.statement = statement.strip()
    if status is not None and status != finding.status:
        if status not in FindingStatus.values:
            raise ValidationError({"status": f"'{status}' is not one of {', '.join(FindingStatus.values)}."})
        changes["status"] = {"from": finding.status, "to": status}
        finding.status = status
    if changes:
        finding.save()
        events.finding_updated(finding, actor, changes=changes)
    return finding
