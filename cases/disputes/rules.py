"""Who may do what with disputes, agreement and calibration sets: the one place the pages, the API and the services
ask (on top of `cases.permissions`, which decides who sees which sample).

- Dispute a verdict: quality leads (any sample), partners (a sample of a case they see).
- Second-review a dispute: quality leads, and users mapped to an auditor id (`AuditorIdentity`), on a sample they
  see; never whoever gave a verdict on the decision already (`rca.verdicts.services.review_refusal`).
- Agreement figures: quality leads and managers (they name auditors: personal data).
- Export a calibration set: whoever sees the samples; the notes and transcripts of sensitive samples are included only
  for the roles that see personal data (quality leads, managers), redacted for everyone else.
"""

from django.contrib.auth.models import AnonymousUser, User

from cases import permissions
from cases.choices import Role
from cases.disputes.models import AuditorIdentity

AnyUser = User | AnonymousUser


def auditor_id_of(user: AnyUser) -> str:
    """The auditor id of `user` ("" when none), read once per user object."""
    if not user.is_authenticated:
        return ""
    cached = getattr(user, "_rca_auditor_id", None)
    if cached is None:
        cached = AuditorIdentity.objects.filter(user=user).values_list("auditor_id", flat=True).first() or ""
        user._rca_auditor_id = cached
    return cached


def can_dispute(user: AnyUser) -> bool:
    return permissions.is_quality_lead(user) or permissions.has_role(user, Role.PARTNER)


def can_review(user: AnyUser) -> bool:
    return permissions.is_quality_lead(user) or bool(auditor_id_of(user))


def can_list_disputes(user: AnyUser) -> bool:
    """The disputes page (a lead's work queue): quality leads and managers."""
    return permissions.sees_all_cases(user)


def can_view_agreement(user: AnyUser) -> bool:
    return permissions.sees_all_cases(user)


def export_includes_sensitive_text(user: AnyUser) -> bool:
    return permissions.can_see_personal_data(user)


def can_export_calibration(user: AnyUser) -> bool:
    """Quality leads, managers and partners (who export only the samples they see, their sensitive text redacted)."""
    return permissions.sees_all_cases(user) or permissions.has_role(user, Role.PARTNER)
