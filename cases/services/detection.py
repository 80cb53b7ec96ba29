"""Detection's side of a case: the one service the rca app calls (through its port) when a pattern is found or
recurs. It opens the case (routed to a team and its least busy quality lead) or feeds it new samples. A closed case
reopens (the workflow table's reopen move) only on a regression among decisions made after its fix
(`cases.fixes.regression`); a won't-fix case never reopens by itself, it notes when its pattern has doubled
(`cases.fixes.growth`).

An audit-driven pattern (an auditor, or a group, out of line with their peers) opens its case with the root-cause
category `qa_calibration` and is routed by its policy area, `AUDIT_QUALITY`, which the Quality team lists: the
calibration of the audits is the quality team's work, not a partner's."""

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q

from cases import events, permissions
from cases.choices import OPEN_STATUSES, CaseOrigin, CaseStatus, LinkSource, RootCauseCategory, Severity
from cases.fixes.growth import case_growth_check
from cases.fixes.records import latest_fix
from cases.fixes.regression import case_regression
from cases.fixes.verdict_refresh import fix_verdict_refresh
from cases.models import Case, Team
from cases.numbers import format_percent
from cases.services.case import case_open, case_transition, link_samples
from cases.titles import pattern_label_names, pattern_title, slice_chips
from cases.workflow import REOPEN
from rca.models import ErrorPattern, ModerationSample


def _route_owner(policy_area: str) -> tuple[Team | None, User | None]:
    """The team whose policy areas include `policy_area`, and its quality lead with the fewest open cases."""
    team = next((t for t in Team.objects.all() if policy_area and policy_area in t.policy_areas), None)
    if team is None:
        return None, None
    owner = (
        permissions.case_owner_candidates()
        .filter(teams=team)
        .annotate(open_cases=Count("owned_cases", filter=Q(owned_cases__status__in=OPEN_STATUSES)))
        .order_by("open_cases", "id")
        .first()
    )
    return team, owner


@transaction.atomic
def case_record_pattern(
    *,
    pattern: ErrorPattern,
    samples: Iterable[ModerationSample],
    severity: str = Severity.S3,
    open_new: bool = True,
    label_names: Mapping[str, str] | None = None,
) -> tuple[Case | None, str]:
    """Open, feed or reopen the case of a detected pattern; returns `(case, "opened"|"updated"|"reopened"|"unchanged")`.

    A new case is titled by `cases.titles.pattern_title` (with `label_names`, policy label code -> display name, when
    the caller has them; else they are read). Feeding or reopening the case never touches its title or problem
    statement: a lead may have rewritten them.

    Idempotent: `Case.pattern` is one-to-one, the pattern row is locked while its case is found or created, and
    already-linked samples are skipped. New samples are always linked. A closed case reopens once, when the decisions
    made since its fix show the pattern again with detection's significance; new samples of decisions made before
    the fix ("late audits") write one `late_audits` entry and leave it closed ("updated"). A won't-fix case never
    reopens by itself; it writes `pattern_grew` (and notifies) when its pattern has doubled. A case marked duplicate
    passes the new samples on to the case it duplicates.
    """
    ErrorPattern.objects.select_for_update().get(pk=pattern.pk)
    samples = list(samples)
    case = Case.objects.filter(pattern=pattern).first()
    if case is None:
        if not open_new:
            return None, "unchanged"
        team, owner = _route_owner(pattern.policy_area)
        names = label_names if label_names is not None else pattern_label_names(pattern)
        case = case_open(
            actor=None,
            title=pattern_title(pattern, names=names),
            samples=samples,
            severity=severity,
            problem_statement=_pattern_problem_statement(pattern, names),
            owner=owner,
            team=team,
            shared_teams=[team] if team else [],
            origin=CaseOrigin.DETECTED,
            pattern=pattern,
        )
        if pattern.is_audit_driven:  # part of the opening: the category the detection found, which a lead may change
            case.root_cause_category = RootCauseCategory.QA_CALIBRATION
            case.save(update_fields=["root_cause_category"])
        return case, "opened"
    while case.status == CaseStatus.DUPLICATE and case.duplicate_of_id:
        case = Case.objects.select_for_update().get(pk=case.duplicate_of_id)  # feed the case that absorbed it
    new = link_samples(case, samples, None, LinkSource.DETECTION)
    if case.status == CaseStatus.WONT_FIX:
        noted = case_growth_check(case=case) is not None
        return case, "updated" if new or noted else "unchanged"
    if not new:
        return case, "unchanged"
    if case.status == CaseStatus.CLOSED:
        return case, _closed_case_fed(case, new)
    return case, "updated"


def _closed_case_fed(case: Case, new: list[ModerationSample]) -> str:
    """Reopen a closed case on a regression since its fix ("reopened"); else note the late audits among the new
    samples (decisions made before the fix point) and leave it closed ("updated")."""
    point, regression = case_regression(case)
    if regression is not None and regression.regressed:
        case_transition(case=case, to=REOPEN.target, actor=None, reason=regression.sentence)
        latest = latest_fix(case)
        if latest is not None:
            fix_verdict_refresh(latest)  # its stored verdict was as of the closing: say now that it did not hold
        return "reopened"
    late = ModerationSample.objects.filter(pk__in=[sample.pk for sample in new], decided_at__lt=point.at).count()
    if late:
        events.late_audits(case, count=late, since=point.at.isoformat())
    return "updated"


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _pattern_problem_statement(pattern: ErrorPattern, names: Mapping[str, str]) -> str:
    """What the detection saw, in words: the whole sentence of the title, the figures, and the slice as its chips."""
    chips = slice_chips(pattern, names=names, mask=permissions.mask_personal_id)  # partners read it: no auditor id
    figures = (
        f"{_counted(pattern.error_count, 'error')} in {_counted(pattern.support, 'audit')} "
        f"({format_percent(pattern.error_rate)}), seen on {_counted(pattern.days_seen, 'day')}."
    )
    if pattern.is_audit_driven:
        definition = pattern.definition
        audits = "audited removal" if definition.get("audit_label") else "audit"
        audits = "audited approval" if definition.get("decision_label") else audits
        figures = (
            f"{_counted(pattern.error_count, 'overturn')} of {_counted(pattern.support, audits)} "
            f"({format_percent(pattern.error_rate)}, against {format_percent(pattern.baseline_rate)} for peers "
            f"auditing comparable decisions), seen on {_counted(pattern.days_seen, 'day')}. The audits are in doubt, "
            "not the decisions: their samples are marked verdict in doubt."
        )
    lines = [f"{pattern_title(pattern, names=names, limit=None)}: {figures}"]
    if chips:
        lines.append("Slice: " + "; ".join(f"{label}: {value}" for label, value in chips) + ".")
    terms = ", ".join(pattern.top_terms[:8])
    if terms and "text_topic" not in pattern.definition:
        lines.append(f"Characteristic terms of the notes: {terms}.")
    return "\n".join(lines)
