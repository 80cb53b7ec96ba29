"""Creators of timeline entries: one small function per kind of event. Activity rows are only ever inserted."""

from django.contrib.auth.models import User

from cases import people
from cases.choices import ActivityVerb
from cases.models import ActionItem, Activity, Case, Comment, ContributingFactor, Finding
from cases.webhooks import outbox


def _record(case: Case, actor: User | None, verb: ActivityVerb, **data) -> Activity:
    activity = Activity.objects.create(case=case, actor=actor, verb=verb, data=data)
    outbox.activity_recorded(activity)  # the webhook deliveries of this event, in its transaction (outbox)
    return activity


def case_opened(case: Case, actor: User | None, *, origin: str, pattern_id: int | None = None) -> Activity:
    return _record(case, actor, ActivityVerb.OPENED, origin=origin, pattern_id=pattern_id, title=case.title)


def case_transitioned(
    case: Case, actor: User | None, *, source: str, target: str, reason: str = "", **extra
) -> Activity:
    verb = ActivityVerb.REOPENED if extra.pop("reopen", False) else ActivityVerb.TRANSITIONED
    return _record(case, actor, verb, source=source, target=target, reason=reason, **extra)


def case_assigned(case: Case, actor: User | None, *, owner: User | None, previous_owner_id: int | None) -> Activity:
    return _record(
        case,
        actor,
        ActivityVerb.ASSIGNED,
        owner_id=owner.pk if owner else None,
        owner=owner.get_username() if owner else None,
        owner_name=people.display_name(owner) if owner else None,
        previous_owner_id=previous_owner_id,
    )


def case_updated(case: Case, actor: User | None, *, changes: dict) -> Activity:
    return _record(case, actor, ActivityVerb.UPDATED, changes=changes)


def case_shared(case: Case, actor: User | None, *, teams: list[str]) -> Activity:
    return _record(case, actor, ActivityVerb.SHARED, teams=teams)


def case_watch_changed(case: Case, actor: User | None, *, user: User, watching: bool) -> Activity:
    return _record(case, actor, ActivityVerb.WATCHED, user=user.get_username(), watching=watching)


def samples_linked(case: Case, actor: User | None, *, external_ids: list[str], source: str) -> Activity:
    verb = ActivityVerb.DETECTION_UPDATE if source == "detection" else ActivityVerb.SAMPLES_LINKED
    if source == "merge":
        verb = ActivityVerb.SAMPLES_MERGED
    return _record(case, actor, verb, count=len(external_ids), external_ids=external_ids[:50], source=source)


def samples_unlinked(case: Case, actor: User | None, *, external_ids: list[str]) -> Activity:
    return _record(case, actor, ActivityVerb.SAMPLES_UNLINKED, count=len(external_ids), external_ids=external_ids[:50])


def finding_added(finding: Finding, actor: User | None) -> Activity:
    return _record(finding.case, actor, ActivityVerb.FINDING_ADDED, finding_id=finding.pk, status=finding.status)


def finding_updated(finding: Finding, actor: User | None, *, changes: dict) -> Activity:
    return _record(finding.case, actor, ActivityVerb.FINDING_UPDATED, finding_id=finding.pk, changes=changes)


def action_item_added(item: ActionItem, actor: User | None) -> Activity:
    return _record(item.case, actor, ActivityVerb.ACTION_ITEM_ADDED, action_item_id=item.pk, title=item.title)


def action_item_updated(item: ActionItem, actor: User | None, *, changes: dict) -> Activity:
    return _record(item.case, actor, ActivityVerb.ACTION_ITEM_UPDATED, action_item_id=item.pk, changes=changes)


def comment_added(comment: Comment, actor: User | None) -> Activity:
    return _record(comment.case, actor, ActivityVerb.COMMENTED, comment_id=comment.pk, finding_id=comment.finding_id)


def factor_added(factor: ContributingFactor, actor: User | None) -> Activity:
    return _record(
        factor.case,
        actor,
        ActivityVerb.FACTOR_ADDED,
        factor_id=factor.pk,
        category=factor.category,
        statement=factor.statement,
    )


def factor_removed(case: Case, actor: User | None, *, factor_id: int, category: str, statement: str) -> Activity:
    return _record(
        case, actor, ActivityVerb.FACTOR_REMOVED, factor_id=factor_id, category=category, statement=statement
    )


def five_whys_updated(case: Case, actor: User | None, *, previous: list[str], answers: list[str]) -> Activity:
    return _record(case, actor, ActivityVerb.FIVE_WHYS_UPDATED, previous=previous, answers=answers)


def fix_recorded(
    case: Case, actor: User | None, *, fix_id: int, effective_at: str, changes: dict, with_move: bool = True
) -> Activity:
    """`with_move`: recorded by the move to monitoring (False: a later fix of a case already in monitoring)."""
    return _record(
        case,
        actor,
        ActivityVerb.FIX_RECORDED,
        fix_id=fix_id,
        effective_at=effective_at,
        changes=changes,
        with_move=with_move,
    )


def fix_verdict_changed(case: Case, *, fix_id: int, verdict: str, previous: str, figures: dict) -> Activity:
    summary = {key: figures.get(key) for key in ("before", "after", "change", "audits_more")}
    return _record(case, None, ActivityVerb.FIX_VERDICT, fix_id=fix_id, verdict=verdict, previous=previous, **summary)


def late_audits(case: Case, *, count: int, since: str) -> Activity:
    """Detection attached audits of decisions made before the fix (or the closing): shown, not a regression."""
    return _record(case, None, ActivityVerb.LATE_AUDITS, count=count, since=since)


def pattern_grew(case: Case, *, weekly_errors: int, previous_weekly_errors: int) -> Activity:
    return _record(
        case,
        None,
        ActivityVerb.PATTERN_GREW,
        weekly_errors=weekly_errors,
        previous_weekly_errors=previous_weekly_errors,
    )


def verdict_disputed(case: Case, actor: User | None, *, dispute_id: int, external_id: str, label: str) -> Activity:
    return _record(
        case, actor, ActivityVerb.VERDICT_DISPUTED, dispute_id=dispute_id, external_id=external_id, label=label
    )


def verdict_reviewed(
    case: Case,
    actor: User | None,
    *,
    review_id: int,
    external_id: str,
    kind: str,
    verdict_label: str,
    label: str,
    overturned: bool,
) -> Activity:
    """A resolution of a linked sample's verdict: overturned (the sample now says `label`; `verdict_label` was its
    label) or upheld."""
    verb = ActivityVerb.VERDICT_OVERTURNED if overturned else ActivityVerb.VERDICT_UPHELD
    return _record(
        case,
        actor,
        verb,
        review_id=review_id,
        external_id=external_id,
        kind=kind,
        verdict_label=verdict_label,
        label=label,
    )
