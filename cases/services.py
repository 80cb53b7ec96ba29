"""Every write to a case and what hangs off it. Views, serializers, forms and tasks call these; nothing else changes a
case's status, links, findings, action items or comments.

Each service is atomic, checks the actor's role (raising `PermissionDenied`), and writes one timeline entry per change
through `cases.events`. Visibility (may the actor see this case at all?) is the caller's first check, so that it can
answer 404; services re-check roles because they are the last line.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from cases import events, permissions
from cases.audience import refresh_audience
from cases.choices import (
    OPEN_STATUSES,
    SETTLED_ACTION_ITEM_STATUSES,
    TERMINAL_STATUSES,
    ActionItemKind,
    ActionItemStatus,
    CaseOrigin,
    CaseStatus,
    FindingStatus,
    LinkSource,
    Severity,
)
from cases.markdown import mentioned_usernames, render_markdown
from cases.models import ActionItem, Case, CaseSample, Comment, Finding, Team
from cases.tasks import notify_activity
from cases.workflow import REOPEN, STATE_TIMESTAMPS, TransitionRequest, can_reopen, check_transition, is_reopen
from rca.models import ErrorPattern, ModerationSample

# HELPERS
# ------------------------------------------------------------------------------


def _require_driver(actor: User | None) -> None:
    if actor is not None and not permissions.can_drive_case(actor):
        raise PermissionDenied("Only quality leads may change cases.")


def _require_eligible_owner(owner: User | None) -> None:
    """The one check of who may own a case (`permissions.can_own_case`), for every service that sets an owner."""
    if owner is not None and not permissions.can_own_case(owner):
        why = "is not a quality lead" if owner.is_active else "is no longer active"
        raise ValidationError({"owner": f"{owner.get_username()} {why}."})


def sla_due_at(*, severity: str, opened_at) -> "timezone.datetime":
    return opened_at + timedelta(days=settings.CASE_SLA_DAYS[severity])


def _dominant_slice(sample_ids: list[int]) -> tuple[str, str]:
    """The most common audit label (errors first) and market among the samples, for the case's policy and market."""
    if not sample_ids:
        return "", ""
    rows = ModerationSample.objects.filter(pk__in=sample_ids)
    label = (
        rows.exclude(audit_label_id="none").values("audit_label_id").annotate(n=Count("id")).order_by("-n").first()
        or rows.values("decision_label_id").annotate(n=Count("id")).order_by("-n").first()
    )
    market = rows.values("market").annotate(n=Count("id")).order_by("-n").first()
    policy = label.get("audit_label_id") or label.get("decision_label_id") or ""
    return ("" if policy == "none" else policy), (market["market"] if market else "")


def _refresh_sample_count(case: Case) -> None:
    case.sample_count = CaseSample.objects.filter(case=case).count()
    Case.objects.filter(pk=case.pk).update(sample_count=case.sample_count)


# OPEN, EDIT, ASSIGN, SHARE, WATCH
# ------------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: User | None,
    title: str,
    samples: Iterable[ModerationSample] = (),
    severity: str = Severity.S3,
    problem_statement: str = "",
    owner: User | None = None,
    team: Team | None = None,
    shared_teams: Iterable[Team] = (),
    origin: str = CaseOrigin.MANUAL,
    pattern: ErrorPattern | None = None,
) -> Case:
    """Open a case in `new`, link `samples`, and set its due date from the severity's SLA.

    `actor` None is the detection pipeline. The actor and the owner watch the case. Writes `opened` (then `assigned`,
    notified, when it opens with an owner, and `samples_linked`).
    """
    _require_driver(actor)
    _require_eligible_owner(owner)
    if severity not in Severity.values:
        raise ValidationError({"severity": f"'{severity}' is not one of {', '.join(Severity.values)}."})
    if not title.strip():
        raise ValidationError({"title": "A case needs a title."})
    sample_list = list(samples)
    policy_label, market = _dominant_slice([sample.pk for sample in sample_list])
    if pattern is not None:
        policy_label, market = pattern.policy_label or policy_label, pattern.market or market
    now = timezone.now()
    case = Case.objects.create(
        title=title.strip()[:200],
        problem_statement=problem_statement,
        severity=severity,
        owner=owner,
        team=team,
        origin=origin,
        pattern=pattern,
        policy_label=policy_label,
        market=market,
        opened_at=now,
        due_at=sla_due_at(severity=severity, opened_at=now),
    )
    case.shared_teams.set(shared_teams)
    if actor is not None:
        case.watchers.add(actor)
    events.case_opened(case, actor, origin=origin, pattern_id=pattern.pk if pattern else None)
    if owner is not None:
        case.watchers.add(owner)
        assigned = events.case_assigned(case, actor, owner=owner, previous_owner_id=None)
        transaction.on_commit(lambda: notify_activity.delay(assigned.pk), robust=True)
    if sample_list:
        source = LinkSource.DETECTION if origin == CaseOrigin.DETECTED else LinkSource.MANUAL
        _link(case, sample_list, actor, source)
    refresh_audience([case.pk])
    return case


EDITABLE_FIELDS = ("title", "problem_statement", "severity", "root_cause_category", "root_cause_statement")


@transaction.atomic
def case_update(*, case: Case, actor: User, **fields) -> Case:
    """Edit the case's text, severity (recomputing the due date from `opened_at`) and root cause."""
    _require_driver(actor)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be edited here."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    changes = {}
    for name, value in fields.items():
        if getattr(case, name) != value:
            changes[name] = {"from": getattr(case, name), "to": value}
            setattr(case, name, value)
    if "severity" in changes:
        case.due_at = sla_due_at(severity=case.severity, opened_at=case.opened_at)
    if changes:
        case.full_clean(exclude=["owner", "team", "pattern", "duplicate_of"])
        case.save()
        events.case_updated(case, actor, changes=changes)
    return case


@transaction.atomic
def case_assign(*, case: Case, owner: User | None, actor: User | None, team: Team | None = None) -> Case:
    """Give the case an owner (and optionally an owning team); the owner starts watching it."""
    _require_driver(actor)
    _require_eligible_owner(owner)
    case = Case.objects.select_for_update().get(pk=case.pk)
    previous = case.owner_id
    case.owner = owner
    if team is not None:
        case.team = team
    case.save(update_fields=["owner", "team", "updated_at"])
    if owner is not None:
        case.watchers.add(owner)
    refresh_audience([case.pk])
    activity = events.case_assigned(case, actor, owner=owner, previous_owner_id=previous)
    transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return case


@transaction.atomic
def case_share(*, case: Case, teams: Iterable[Team], actor: User) -> Case:
    """Set the teams the case is shared with (their partners then see it)."""
    _require_driver(actor)
    teams = list(teams)
    case.shared_teams.set(teams)
    refresh_audience([case.pk])
    events.case_shared(case, actor, teams=sorted(team.name for team in teams))
    return case


@transaction.atomic
def case_watch(*, case: Case, user: User, watching: bool, actor: User) -> Case:
    """Start or stop watching a case. Anyone who sees the case may (un)watch it for themselves."""
    if actor.pk != user.pk:
        _require_driver(actor)
    if watching:
        case.watchers.add(user)
    else:
        case.watchers.remove(user)
    refresh_audience([case.pk])
    events.case_watch_changed(case, actor, user=user, watching=watching)
    return case


# SAMPLES
# ------------------------------------------------------------------------------


def _link(case: Case, samples: list[ModerationSample], actor: User | None, source: str) -> list[ModerationSample]:
    sample_ids = [sample.pk for sample in samples]
    already = set(CaseSample.objects.filter(case=case, sample_id__in=sample_ids).values_list("sample_id", flat=True))
    new = [sample for sample in dict.fromkeys(samples) if sample.pk not in already]
    if not new:
        return []
    CaseSample.objects.bulk_create(
        [CaseSample(case=case, sample=sample, linked_by=actor, source=source) for sample in new],
        ignore_conflicts=True,
    )
    _refresh_sample_count(case)
    events.samples_linked(case, actor, external_ids=[sample.external_id for sample in new], source=source)
    return new


@transaction.atomic
def case_link_samples(
    *, case: Case, samples: Iterable[ModerationSample], actor: User | None, source: str = LinkSource.MANUAL
) -> list[ModerationSample]:
    """Link samples as evidence; samples already linked are skipped. Returns the newly linked ones."""
    _require_driver(actor)
    return _link(case, list(samples), actor, source)


@transaction.atomic
def case_unlink_samples(*, case: Case, samples: Iterable[ModerationSample], actor: User) -> int:
    """Unlink samples; returns how many links were removed."""
    _require_driver(actor)
    samples = list(samples)
    links = CaseSample.objects.filter(case=case, sample__in=samples)
    external_ids = list(links.values_list("sample__external_id", flat=True))
    deleted, _ = links.delete()
    if deleted:
        _refresh_sample_count(case)
        events.samples_unlinked(case, actor, external_ids=external_ids)
    return deleted


# WORKFLOW
# ------------------------------------------------------------------------------


@transaction.atomic
def case_transition(
    *, case: Case, to: str, actor: User | None, reason: str = "", duplicate_of: Case | None = None
) -> Case:
    """Move the case to `to` through the workflow table (`cases.workflow`), or raise `TransitionRefused`.

    Locks the case row, stamps the state's timestamp, and writes one `transitioned` (or `reopened`) entry.
    `duplicate`: the samples of this case are linked to `duplicate_of` (one `samples_merged` entry there).
    Reopening clears `closed_at`/`resolved_at` and counts the reopen.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    request = TransitionRequest(reason=reason, duplicate_of=duplicate_of)
    check_transition(case, to, actor, request)
    now = timezone.now()
    source = case.status
    reopen = is_reopen(source, to)
    case.status = to
    if to in STATE_TIMESTAMPS:
        setattr(case, STATE_TIMESTAMPS[to], now)
    if to in TERMINAL_STATUSES:
        case.resolved_at = now
    if to == CaseStatus.WONT_FIX:
        case.resolution_reason = reason
    if to == CaseStatus.DUPLICATE:
        case.duplicate_of = duplicate_of
    if reopen:
        case.reopen_count += 1
        case.reopened_at = now
        case.closed_at = None
        case.resolved_at = None
        case.resolution_reason = ""
    case.save()
    extra = {"reopen": reopen}
    if duplicate_of is not None and to == CaseStatus.DUPLICATE:
        extra["duplicate_of"] = duplicate_of.key
    activity = events.case_transitioned(case, actor, source=source, target=to, reason=reason, **extra)
    transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    if to == CaseStatus.DUPLICATE:
        survivor = Case.objects.select_for_update().get(pk=duplicate_of.pk)
        _link(survivor, list(case.samples.all()), actor, LinkSource.MERGE)
    return case


# FINDINGS, ACTION ITEMS, COMMENTS
# ------------------------------------------------------------------------------


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
    _require_driver(actor)
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
    _require_driver(actor)
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


@transaction.atomic
def action_item_create(
    *,
    case: Case,
    actor: User,
    title: str,
    kind: str,
    owner: User | None = None,
    team: Team | None = None,
    due_at=None,
    description: str = "",
) -> ActionItem:
    """Hand an action item to a partner (owner and/or team). The owner gets to see the case."""
    _require_driver(actor)
    if not title.strip():
        raise ValidationError({"title": "An action item needs a title."})
    if kind not in ActionItemKind.values:
        raise ValidationError({"kind": f"'{kind}' is not one of {', '.join(ActionItemKind.values)}."})
    item = ActionItem.objects.create(
        case=case,
        title=title.strip()[:200],
        kind=kind,
        owner=owner,
        team=team,
        due_at=due_at,
        description=description,
        created_by=actor,
    )
    refresh_audience([case.pk])
    activity = events.action_item_added(item, actor)
    transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return item


ITEM_EDITABLE_FIELDS = {"title", "description", "kind", "owner", "team", "due_at", "status"}


@transaction.atomic
def action_item_update(*, item: ActionItem, actor: User, **fields) -> ActionItem:
    """Update an action item. Partners may change the fields of `permissions.PARTNER_EDITABLE_ACTION_ITEM_FIELDS` on
    items owned by them or their team; quality leads may change everything. Settling it (done or cancelled) stamps
    `completed_at`."""
    if not permissions.can_update_action_item(actor, item):
        raise PermissionDenied("You may not update this action item.")
    unknown = set(fields) - ITEM_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be edited."))
    if permissions.action_item_fields_refused(actor, fields):
        allowed = " and ".join(sorted(permissions.PARTNER_EDITABLE_ACTION_ITEM_FIELDS))
        raise PermissionDenied(f"Partners may only change the {allowed} of their action items.")
    if "status" in fields and fields["status"] not in ActionItemStatus.values:
        raise ValidationError({"status": f"'{fields['status']}' is not one of {', '.join(ActionItemStatus.values)}."})
    if "kind" in fields and fields["kind"] not in ActionItemKind.values:
        raise ValidationError({"kind": f"'{fields['kind']}' is not one of {', '.join(ActionItemKind.values)}."})
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    changes = {}
    for name, value in fields.items():
        current = getattr(item, name)
        if current != value:
            changes[name] = {"from": _plain(current), "to": _plain(value)}
            setattr(item, name, value)
    if "status" in changes:
        settled = item.status in SETTLED_ACTION_ITEM_STATUSES
        item.completed_at = timezone.now() if settled else None
    if changes:
        item.save()
        if "owner" in changes:
            refresh_audience([item.case_id])
        activity = events.action_item_updated(item, actor, changes=changes)
        if "owner" in changes:
            transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return item


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


@transaction.atomic
def comment_create(*, case: Case, actor: User, body: str, finding: Finding | None = None) -> Comment:
    """Comment on a case or one of its findings. Markdown is rendered and sanitised once, here; `@username` mentions
    of existing users are recorded (and notified)."""
    if not permissions.can_comment(actor, case):
        raise PermissionDenied("You may not comment on this case.")
    if not body.strip():
        raise ValidationError({"body": "A comment cannot be empty."})
    if len(body) > 20_000:
        raise ValidationError({"body": "A comment is at most 20,000 characters."})
    if finding is not None and finding.case_id != case.pk:
        raise ValidationError({"finding": "This finding belongs to another case."})
    comment = Comment.objects.create(
        case=case, finding=finding, author=actor, body=body, body_html=render_markdown(body)
    )
    usernames = mentioned_usernames(body)
    if usernames:
        comment.mentions.set(User.objects.filter(username__in=usernames, is_active=True))
    activity = events.comment_added(comment, actor)
    if usernames:
        transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return comment


# DETECTION (the one service the rca app calls)
# ------------------------------------------------------------------------------


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
    *, pattern: ErrorPattern, samples: Iterable[ModerationSample], severity: str = Severity.S3, open_new: bool = True
) -> tuple[Case | None, str]:
    """Open, feed or reopen the case of a detected pattern; returns `(case, "opened"|"updated"|"reopened"|"unchanged")`.

    Idempotent: `Case.pattern` is one-to-one, the pattern row is locked while its case is found or created, and
    already-linked samples are skipped. A closed (or won't-fix) case whose pattern brings new samples is reopened; a
    case marked duplicate passes the new samples on to the case it duplicates.
    """
    ErrorPattern.objects.select_for_update().get(pk=pattern.pk)
    samples = list(samples)
    case = Case.objects.filter(pattern=pattern).first()
    if case is None:
        if not open_new:
            return None, "unchanged"
        team, owner = _route_owner(pattern.policy_area)
        case = case_open(
            actor=None,
            title=f"Detected: {pattern.name}"[:200],
            samples=samples,
            severity=severity,
            problem_statement=_pattern_problem_statement(pattern),
            owner=owner,
            team=team,
            shared_teams=[team] if team else [],
            origin=CaseOrigin.DETECTED,
            pattern=pattern,
        )
        return case, "opened"
    while case.status == CaseStatus.DUPLICATE and case.duplicate_of_id:
        case = Case.objects.select_for_update().get(pk=case.duplicate_of_id)  # feed the case that absorbed it
    new = _link(case, samples, None, LinkSource.DETECTION)
    if not new:
        return case, "unchanged"
    if can_reopen(case.status):
        case_transition(case=case, to=REOPEN.target, actor=None, reason=f"Pattern recurred: {len(new)} new sample(s).")
        return case, "reopened"
    return case, "updated"


def _pattern_problem_statement(pattern: ErrorPattern) -> str:
    slice_text = ", ".join(f"{key} = {value}" for key, value in pattern.definition.items())
    terms = ", ".join(pattern.top_terms[:8])
    return (
        f"Recurring errors in the slice {slice_text}: {pattern.error_count} misclassified of {pattern.support} audits "
        f"({pattern.error_rate:.1%} against a baseline of {pattern.baseline_rate:.1%}), "
        f"seen on {pattern.days_seen} days." + (f" Characteristic terms of the notes: {terms}." if terms else "")
    )
