"""A case's write-up for a review meeting: problem and impact, timeline highlights, root cause and contributing
factors, the five whys, action items and their state, the fix and its verdict, and the case's measure.

`case_writeup` (a selector: a fixed handful of queries) builds one `Writeup` value as the given user may see it:
moderator and auditor ids through `permissions.personal_id_masker`, and the text of a sensitive sample left out
(`text_hidden`) unless the user may see personal data and does not blur sensitive text. The printable page
(`templates/cases/writeup.html`) and the Markdown (`writeup_markdown`, pure) both render that one value, so they
cannot disagree about what a user may read.

The fix and the measure read as in the case room: `cases.fixes.summary` and `cases.measure.describe` word them for both.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.models import User
from django.db.models import Count
from django.utils import timezone

from cases import permissions
from cases.choices import ActionItemStatus, ActivityVerb, CaseStatus, FindingStatus, RootCauseCategory
from cases.evidence.selectors import daily_series
from cases.fixes.summary import FixSummary, case_fix_summaries, fix_activity_text, override_text
from cases.measure.definition import case_measure
from cases.measure.describe import MeasureSummary, measure_summary
from cases.models import Case
from cases.selectors import blur_preference
from cases.titles import pattern_title
from rca.choices import DecisionSource, Outcome

EXAMPLE_LIMIT = 5
HIGHLIGHT_LIMIT = 40
HIGHLIGHT_VERBS = (
    ActivityVerb.OPENED,
    ActivityVerb.TRANSITIONED,
    ActivityVerb.REOPENED,
    ActivityVerb.ASSIGNED,
    ActivityVerb.DETECTION_UPDATE,
    ActivityVerb.FINDING_ADDED,
    ActivityVerb.ACTION_ITEM_ADDED,
    ActivityVerb.FACTOR_ADDED,
    ActivityVerb.FIX_RECORDED,
    ActivityVerb.FIX_VERDICT,
    ActivityVerb.LATE_AUDITS,
    ActivityVerb.PATTERN_GREW,
)
_STATUS = dict(CaseStatus.choices)
_CATEGORY = dict(RootCauseCategory.choices)


@dataclass(frozen=True)
class PatternImpact:
    name: str
    support: int
    error_count: int
    error_rate: float
    baseline_rate: float
    lift: float
    first_seen: datetime | None
    last_seen: datetime | None
    days_seen: int
    daily: list[tuple[date, int]]


@dataclass(frozen=True)
class Example:
    external_id: str
    outcome: str
    labels: str
    decided_by: str
    auditor: str
    text: str
    text_hidden: bool


@dataclass(frozen=True)
class Highlight:
    when: datetime
    who: str
    text: str


@dataclass(frozen=True)
class ItemLine:
    title: str
    kind: str
    owner: str
    team: str
    due_at: datetime | None
    status: str
    status_label: str


@dataclass(frozen=True)
class Writeup:
    key: str
    title: str
    status: str
    severity: str
    owner: str
    team: str
    opened_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    problem_statement: str
    linked_samples: int
    outcomes: list[tuple[str, int]]
    pattern: PatternImpact | None
    examples: list[Example]
    highlights: list[Highlight]
    highlights_total: int
    root_cause_category: str
    root_cause_statement: str
    factors: list[tuple[str, str]]
    whys: list[str]
    confirmed_findings: list[str]
    action_items: list[ItemLine]
    generated_at: datetime
    generated_for: str
    masked: bool = field(default=False)
    fix: FixSummary | None = None  # the latest fix, the one that counts
    earlier_fixes: list[FixSummary] = field(default_factory=list)
    measure: MeasureSummary | None = None


def _who(user: User | None) -> str:
    return user.get_username() if user is not None else "the system"


def highlight_text(verb: str, data: dict) -> str:
    """One plain sentence for a highlighted timeline entry (the case room's `activity_text`, without HTML)."""
    if verb in (ActivityVerb.TRANSITIONED, ActivityVerb.REOPENED):
        text = "reopened the case: " if verb == ActivityVerb.REOPENED else "moved the case "
        text += f"{_STATUS.get(data.get('source', ''), '?')} → {_STATUS.get(data.get('target', ''), '?')}"
        if data.get("override"):
            return f"{text}, {override_text(data)}"
        return text + (f": “{data['reason']}”" if data.get("reason") else "")
    if verb == ActivityVerb.OPENED:
        return f"opened the case ({data.get('origin') or 'manual'})"
    if verb == ActivityVerb.ASSIGNED:
        return f"assigned the case to {data.get('owner') or 'nobody'}"
    if verb == ActivityVerb.DETECTION_UPDATE:
        return f"detection attached {data.get('count', 0)} new sample(s)"
    if verb == ActivityVerb.FINDING_ADDED:
        return f"added a finding ({dict(FindingStatus.choices).get(data.get('status', ''), 'hypothesis').lower()})"
    if verb == ActivityVerb.ACTION_ITEM_ADDED:
        return f"added the action item “{data.get('title', '')}”"
    if verb == ActivityVerb.FACTOR_ADDED:
        return f"added a contributing factor ({_CATEGORY.get(data.get('category', ''), '?')})"
    fix_text = fix_activity_text(verb, data)
    if fix_text is not None:
        return fix_text
    return dict(ActivityVerb.choices).get(verb, verb)


def _pattern_impact(case: Case) -> PatternImpact | None:
    pattern = case.pattern
    if pattern is None:
        return None
    return PatternImpact(
        name=pattern_title(pattern),
        support=pattern.support,
        error_count=pattern.error_count,
        error_rate=pattern.error_rate,
        baseline_rate=pattern.baseline_rate,
        lift=pattern.lift,
        first_seen=pattern.first_seen,
        last_seen=pattern.last_seen,
        days_seen=pattern.days_seen,
        daily=daily_series(pattern.daily_counts),
    )


def _examples(case: Case, user: User) -> list[Example]:
    """A few recent misclassified samples of the case, as `user` may see them."""
    mask = permissions.personal_id_masker(user)
    show_sensitive = permissions.can_see_personal_data(user) and not blur_preference(user)
    samples = (
        case.samples.exclude(outcome=Outcome.CORRECT)
        .select_related("decision_label", "audit_label")
        .order_by("-audited_at", "-id")[:EXAMPLE_LIMIT]
    )
    examples = []
    for sample in samples:
        sensitive = sample.decision_label.is_sensitive or sample.audit_label.is_sensitive
        hidden = sensitive and not show_sensitive
        if sample.decision_source == DecisionSource.MODEL:
            decided_by = f"model {sample.model_version or '?'}"
        else:
            decided_by = f"moderator {mask(sample.moderator_id) or '—'}"
        text = " · ".join(part for part in (sample.notes.strip(), sample.transcript.strip()) if part)
        examples.append(
            Example(
                external_id=sample.external_id,
                outcome=sample.get_outcome_display(),
                labels=f"{sample.decision_label_id} → {sample.audit_label_id}",
                decided_by=decided_by,
                auditor=mask(sample.auditor_id) or "—",
                text="" if hidden else " ".join(text.split())[:400],
                text_hidden=hidden,
            )
        )
    return examples


def case_writeup(*, case: Case, user: User, now: datetime | None = None) -> Writeup:
    """The write-up of `case` (which the caller has checked `user` may see), as `user` may read it."""
    case = Case.objects.select_related("owner", "team", "pattern").get(pk=case.pk)
    outcome_labels = dict(Outcome.choices)
    outcomes = [
        (outcome_labels.get(row["outcome"], row["outcome"]), row["n"])
        for row in case.samples.order_by().values("outcome").annotate(n=Count("id")).order_by("-n", "outcome")
    ]
    activities = case.activities.filter(verb__in=HIGHLIGHT_VERBS).select_related("actor").order_by("created_at", "id")
    highlights = [
        Highlight(when=activity.created_at, who=_who(activity.actor), text=highlight_text(activity.verb, activity.data))
        for activity in activities[:HIGHLIGHT_LIMIT]
    ]
    items = [
        ItemLine(
            title=item.title,
            kind=item.get_kind_display(),
            owner=_who(item.owner) if item.owner else "—",
            team=item.team.name if item.team else "—",
            due_at=item.due_at,
            status=item.status,
            status_label=ActionItemStatus(item.status).label,
        )
        for item in case.action_items.select_related("owner", "team").order_by("due_at", "id")
    ]
    fixes = case_fix_summaries(case)
    measure = case_measure(case)
    return Writeup(
        key=case.key,
        title=case.title,
        status=case.get_status_display(),
        severity=case.get_severity_display(),
        owner=_who(case.owner) if case.owner else "—",
        team=case.team.name if case.team else "—",
        opened_at=case.opened_at,
        due_at=case.due_at,
        resolved_at=case.resolved_at,
        problem_statement=case.problem_statement.strip(),
        linked_samples=case.sample_count,
        outcomes=outcomes,
        pattern=_pattern_impact(case),
        examples=_examples(case, user),
        highlights=highlights,
        highlights_total=activities.count() if len(highlights) == HIGHLIGHT_LIMIT else len(highlights),
        root_cause_category=_CATEGORY.get(case.root_cause_category, ""),
        root_cause_statement=case.root_cause_statement.strip(),
        factors=[(_CATEGORY[f.category], f.statement) for f in case.contributing_factors.order_by("created_at", "id")],
        whys=list(case.why_steps.order_by("position").values_list("answer", flat=True)),
        confirmed_findings=list(
            case.findings.filter(status=FindingStatus.CONFIRMED)
            .order_by("created_at", "id")
            .values_list("statement", flat=True)
        ),
        action_items=items,
        generated_at=now or timezone.now(),
        generated_for=user.get_username(),
        masked=not permissions.can_see_personal_data(user),
        fix=fixes[0] if fixes else None,
        earlier_fixes=fixes[1:],
        measure=measure_summary(measure, mask=permissions.personal_id_masker(user)) if measure is not None else None,
    )
