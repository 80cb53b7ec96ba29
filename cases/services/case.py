"""The case itself: open, edit, assign, share, watch, link and unlink samples, and move it through the workflow.

`require_driver` and `link_samples` are shared with the other service modules of the package.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cases import events, permissions
from cases.audience import refresh_audience
from cases.choices import TERMINAL_STATUSES, CaseOrigin, CaseStatus, LinkSource, Severity
from cases.fixes.records import FixInput, closure_evidence, fix_record
from cases.measure.definition import measure_from_dict
from cases.models import Case, CaseSample, Team
from cases.tasks import notify_activity
from cases.workflow import STATE_TIMESTAMPS, TransitionRefused, TransitionRequest, check_transition, is_reopen
from rca.models import ErrorPattern, ModerationSample

# HELPERS
# ------------------------------------------------------------------------------


def require_driver(actor: User | None) -> None:
    if actor is not None and not permissions.can_drive_case(actor):
        raise PermissionDenied("Only quality leads may change cases.")


def _require_eligible_owner(owner: User | None) -> None:
    """The one check of who may own a case (`permissions.can_own_case`), for every service that sets an owner."""
    if owner is not None and not permissions.can_own_case(owner):
        why = "is not a quality lead" if owner.is_active else "is no longer active"
        raise ValidationError({"owner": f"{owner.get_username()} {why}."})


def sla_due_at(*, severity: str, opened_at) -> "timezone.datetime":
    return opened_at + timedelta(days=settings.CASE_SLA_DAYS[severity])


_SLICE_FIELDS = {"audit_label_id", "decision_label_id", "market"}


def _dominant_slice(samples: list[ModerationSample]) -> tuple[str, str]:
    """The most common audit label (errors first) and market among the samples, for the case's policy and market.

    Ties are broken by the value itself (the alphabetical first), so the same samples always name the same market.
    Counted in Python from the samples' own fields (a detected case links tens of thousands: three `GROUP BY`s over
    an `IN` list of their ids took 0.7 s a case at 10M audits), read in one query when the samples lack them."""
    if not samples:
        return "", ""
    if _SLICE_FIELDS & samples[0].get_deferred_fields():
        samples = list(ModerationSample.objects.filter(pk__in=[sample.pk for sample in samples]).only(*_SLICE_FIELDS))
    labels = Counter(sample.audit_label_id for sample in samples if sample.audit_label_id != "none")
    labels = labels or Counter(sample.decision_label_id for sample in samples)
    policy = _most_common(labels)
    return ("" if policy == "none" else policy), _most_common(Counter(sample.market for sample in samples))


def _most_common(counts: Counter) -> str:
    """The value counted most often; of equal counts, the first in order."""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0] if counts else ""


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
    measure: dict | None = None,
) -> Case:
    """Open a case in `new`, link `samples`, and set its due date from the severity's SLA.

    `actor` None is the detection pipeline. A case opened by hand without an owner is owned by the person who opened
    it, when they may own cases (`permissions.can_own_case`). `measure` (the filters it was opened from, in the form
    `cases.measure.definition.measure_from_dict` reads) is the case's measure; without it the measure is derived from
    the pattern or the samples (`cases.measure.definition.case_measure`). The actor and the owner watch the case.
    Writes `opened` (then `assigned`, notified unless the owner is the actor, when it opens with an owner, and
    `samples_linked`).
    """
    require_driver(actor)
    if owner is None and actor is not None and origin == CaseOrigin.MANUAL and permissions.can_own_case(actor):
        owner = actor
    _require_eligible_owner(owner)
    if severity not in Severity.values:
        raise ValidationError({"severity": f"'{severity}' is not one of {', '.join(Severity.values)}."})
    if not title.strip():
        raise ValidationError({"title": "A case needs a title."})
    if measure:
        measure = measure_from_dict(measure).as_dict()
    sample_list = list(dict.fromkeys(samples))
    policy_label, market = (pattern.policy_label, pattern.market) if pattern is not None else ("", "")
    if not (policy_label and market):
        dominant_label, dominant_market = _dominant_slice(sample_list)
        policy_label, market = policy_label or dominant_label, market or dominant_market
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
        measure=measure or {},
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
        link_samples(case, sample_list, actor, source)
    refresh_audience([case.pk])
    return case


EDITABLE_FIELDS = ("title", "problem_statement", "severity", "root_cause_category", "root_cause_statement")


@transaction.atomic
def case_update(*, case: Case, actor: User, **fields) -> Case:
    """Edit the case's text, severity (recomputing the due date from `opened_at`) and root cause."""
    require_driver(actor)
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
    require_driver(actor)
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
    require_driver(actor)
    teams = list(teams)
    case.shared_teams.set(teams)
    refresh_audience([case.pk])
    events.case_shared(case, actor, teams=sorted(team.name for team in teams))
    return case


@transaction.atomic
def case_watch(*, case: Case, user: User, watching: bool, actor: User) -> Case:
    """Start or stop watching a case. Anyone who sees the case may (un)watch it for themselves."""
    if actor.pk != user.pk:
        require_driver(actor)
    if watching:
        case.watchers.add(user)
    else:
        case.watchers.remove(user)
    refresh_audience([case.pk])
    events.case_watch_changed(case, actor, user=user, watching=watching)
    return case


# SAMPLES
# ------------------------------------------------------------------------------


def link_samples(
    case: Case, samples: list[ModerationSample], actor: User | None, source: str
) -> list[ModerationSample]:
    """Link the samples not linked yet, refresh `sample_count`, write one `samples_linked` entry; return the new ones.
    The callers check the actor's role (the detection pipeline links as `None`)."""
    samples = list(dict.fromkeys(samples))
    linked = _insert_links(case, [sample.pk for sample in samples], actor, source)
    new = [sample for sample in samples if sample.pk in linked]
    if not new:
        return []
    _refresh_sample_count(case)
    events.samples_linked(case, actor, external_ids=[sample.external_id for sample in new], source=source)
    return new


def _insert_links(case: Case, sample_ids: list[int], actor: User | None, source: str) -> set[int]:
    """Insert the links of `sample_ids` not there yet; returns the ids it linked.

    On PostgreSQL one `INSERT ... SELECT FROM unnest(array) ON CONFLICT DO NOTHING RETURNING`, whatever the count (a
    detected case links tens of thousands of samples: as model instances through `bulk_create`, after a look-up of
    the existing links by an `IN` list, that took 1.6 s a case at 10M audits; as rca's pattern samples do,
    `rca.pattern_writes`). Elsewhere the look-up and `bulk_create`."""
    if not sample_ids:
        return set()
    if connection.vendor == "postgresql":
        columns = "case_id, sample_id, linked_by_id, linked_at, source"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {CaseSample._meta.db_table} ({columns}) "
                "SELECT %s, sample_id, %s, statement_timestamp(), %s FROM unnest(%s::bigint[]) AS sample_id "
                "ON CONFLICT DO NOTHING RETURNING sample_id",
                [case.pk, actor.pk if actor else None, source, sample_ids],
            )
            return {sample_id for (sample_id,) in cursor.fetchall()}
    already = set(CaseSample.objects.filter(case=case, sample_id__in=sample_ids).values_list("sample_id", flat=True))
    new = [sample_id for sample_id in sample_ids if sample_id not in already]
    CaseSample.objects.bulk_create(
        [CaseSample(case=case, sample_id=sample_id, linked_by=actor, source=source) for sample_id in new],
        ignore_conflicts=True,
    )
    return set(new)


@transaction.atomic
def case_link_samples(
    *, case: Case, samples: Iterable[ModerationSample], actor: User | None, source: str = LinkSource.MANUAL
) -> list[ModerationSample]:
    """Link samples as evidence; samples already linked are skipped. Returns the newly linked ones."""
    require_driver(actor)
    return link_samples(case, list(samples), actor, source)


@transaction.atomic
def case_unlink_samples(*, case: Case, samples: Iterable[ModerationSample], actor: User) -> int:
    """Unlink samples; returns how many links were removed."""
    require_driver(actor)
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
    *,
    case: Case,
    to: str,
    actor: User | None,
    reason: str = "",
    duplicate_of: Case | None = None,
    fix: FixInput | None = None,
) -> Case:
    """Move the case to `to` through the workflow table (`cases.workflow`), or raise `TransitionRefused`.

    Locks the case row, stamps the state's timestamp, and writes one `transitioned` (or `reopened`) entry.
    `monitoring`: records the fix (`fix`, effective now when not given; `fix_recorded` on the timeline).
    `closed`: without evidence (`cases.fixes.records.closure_evidence`) the reason is an override: the case is marked
    `closed_by_override` and the entry says so; the pipeline (actor None) never overrides.
    `duplicate`: the samples of this case are linked to `duplicate_of` (one `samples_merged` entry there).
    Reopening clears `closed_at`/`resolved_at` and counts the reopen.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    request = TransitionRequest(reason=reason, duplicate_of=duplicate_of, fix=fix)
    check_transition(case, to, actor, request)
    now = timezone.now()
    source = case.status
    reopen = is_reopen(source, to)
    override = False
    if to == CaseStatus.CLOSED:
        why_not = closure_evidence(case, now=now)
        if why_not is not None and actor is None:
            raise TransitionRefused("guard_failed", why_not)
        override = why_not is not None
        case.closed_by_override = override
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
        case.closed_by_override = False
        case.set_aside_weekly_errors = None  # a later won't-fix measures its growth from its own decision
    case.save()
    extra = {"reopen": reopen}
    if override:
        extra["override"] = True
    if duplicate_of is not None and to == CaseStatus.DUPLICATE:
        extra["duplicate_of"] = duplicate_of.key
    activity = events.case_transitioned(case, actor, source=source, target=to, reason=reason, **extra)
    if to == CaseStatus.MONITORING:
        fix_record(case=case, fix=fix or FixInput(), actor=actor, now=now)
    transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    if to == CaseStatus.DUPLICATE:
        survivor = Case.objects.select_for_update().get(pk=duplicate_of.pk)
        link_samples(survivor, list(case.samples.all()), actor, LinkSource.MERGE)
    return case
