"""The plan of the demo's case work: pure functions from a seed, a count and "now" to what each case went through and
when (no database). `play` carries a plan out through the services; `history` writes its times.

Each case gets an outcome (every state is represented, most older cases closed), a severity, and phase durations
scaled by the severity's SLA and a per-case factor, so some close in hours, some in weeks, and about a third breach
their SLA. Resolved cases open anywhere in the last `days` days; open cases are recent and sit in their state for a
while. Steps are `(moment, kind)`; the kinds are the `Step.*` names below.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cases.choices import CaseStatus
from cases.demo.stories import STORIES, Story
from cases.fixes.choices import FixVerdict

SLA_DAYS = {"S1": 2, "S2": 7, "S3": 14, "S4": 30}
SEVERITY_WEIGHTS = (("S1", 0.1), ("S2", 0.3), ("S3", 0.4), ("S4", 0.2))
LEADS = ("lead", "lead2", "lead3")


class Step:
    TRIAGE = "triage"
    INVESTIGATE = "investigate"  # assign the owner, then move to investigating
    DISCUSS = "discuss"  # a finding, the partner's comment on it, the lead's reply with a mention
    ROOT_CAUSE = "root_cause"  # root cause filled in, finding confirmed, action item handed out, moved on
    REMEDIATE = "remediate"
    ITEM_STARTED = "item_started"
    ITEM_DONE = "item_done"
    MONITOR = "monitor"
    VERIFY = "verify"  # compute the fix verdict as of this step
    CLOSE = "close"  # on evidence when the fix holds, else by override with a reason
    CLOSE_ON_EVIDENCE = "close_on_evidence"  # only if the fix holds after the monitoring period
    REOPEN = "reopen"
    FOLLOW_UP = "follow_up"  # after a reopen: a second action item
    WONT_FIX = "wont_fix"
    DUPLICATE = "duplicate"


# Outcome -> share of the cases (at least one case each). "reopened" ends closed again; "reopened_open" is still being
# investigated after its reopen.
OUTCOMES = (
    (CaseStatus.NEW, 0.04),
    (CaseStatus.TRIAGE, 0.04),
    (CaseStatus.INVESTIGATING, 0.06),
    (CaseStatus.ROOT_CAUSE_IDENTIFIED, 0.04),
    (CaseStatus.REMEDIATING, 0.06),
    (CaseStatus.MONITORING, 0.05),
    (CaseStatus.WONT_FIX, 0.04),
    (CaseStatus.DUPLICATE, 0.04),
    ("reopened", 0.04),
    ("reopened_open", 0.02),
)
OPEN_PATH = (
    CaseStatus.NEW,
    CaseStatus.TRIAGE,
    CaseStatus.INVESTIGATING,
    CaseStatus.ROOT_CAUSE_IDENTIFIED,
    CaseStatus.REMEDIATING,
    CaseStatus.MONITORING,
)


@dataclass
class CasePlan:
    index: int
    story: Story
    title: str
    severity: str
    owner: str
    outcome: str
    opened_at: datetime
    steps: list[tuple[datetime, str]] = field(default_factory=list)
    item_due_at: datetime | None = None
    follow_up_due_at: datetime | None = None
    duplicate_of: int | None = None  # index of an earlier plan of the same story

    @property
    def ends_at(self) -> datetime:
        return self.steps[-1][0] if self.steps else self.opened_at


def _outcomes(rng: random.Random, count: int) -> list[str]:
    outcomes = []
    for outcome, share in OUTCOMES:
        outcomes += [outcome] * max(1, round(count * share))
    outcomes += [CaseStatus.CLOSED] * max(1, count - len(outcomes))
    rng.shuffle(outcomes)
    return outcomes[:count]


def _phases(rng: random.Random, severity: str, outcome: str) -> list[tuple[timedelta, str]]:
    """The steps of the full path to `outcome`, each with the time since the previous step."""
    sla = SLA_DAYS[severity]
    pace = rng.lognormvariate(0, 0.45)  # this case is quicker or slower than usual

    def days(low: float, high: float) -> timedelta:
        return timedelta(days=rng.uniform(low, high) * pace)

    def hours(low: float, high: float) -> timedelta:
        return timedelta(hours=rng.uniform(low, high) * pace)

    triage = [(hours(0.5, 18), Step.TRIAGE)]
    if outcome == CaseStatus.WONT_FIX:
        return [*triage, (days(0.5, 0.3 * sla), Step.WONT_FIX)]
    if outcome == CaseStatus.DUPLICATE:
        return [*triage, (hours(1, 30), Step.DUPLICATE)]
    steps = [
        *triage,
        (hours(1, 2 * sla), Step.INVESTIGATE),
        (hours(1, 2 * sla), Step.DISCUSS),
        (days(0.1, 0.35 * sla), Step.ROOT_CAUSE),
        (days(0.05, 0.1 * sla), Step.REMEDIATE),
        (hours(1, 2 * sla), Step.ITEM_STARTED),
        (days(0.1, 0.3 * sla), Step.ITEM_DONE),
        (hours(1, sla), Step.MONITOR),
        (days(0.1, 0.4 * sla), Step.CLOSE),
    ]
    if outcome in ("reopened", "reopened_open"):
        steps += [(days(3, 25), Step.REOPEN)]
        if outcome == "reopened":
            steps += [
                (days(0.5, 4), Step.FOLLOW_UP),
                (days(0.5, 3), Step.ROOT_CAUSE),
                (days(0.2, 2), Step.REMEDIATE),
                (days(1, 0.3 * sla + 2), Step.ITEM_DONE),
                (days(0.5, 3), Step.CLOSE),
            ]
    if outcome in OPEN_PATH:
        last = {
            CaseStatus.NEW: None,
            CaseStatus.TRIAGE: Step.TRIAGE,
            CaseStatus.INVESTIGATING: Step.DISCUSS,
            CaseStatus.ROOT_CAUSE_IDENTIFIED: Step.ROOT_CAUSE,
            CaseStatus.REMEDIATING: Step.ITEM_STARTED,
            CaseStatus.MONITORING: Step.MONITOR,
        }[outcome]
        kinds = [kind for _delta, kind in steps]
        steps = [] if last is None else steps[: kinds.index(last) + 1]
    return steps


def plan_cases(*, seed: int, count: int, now: datetime, days: int = 180) -> list[CasePlan]:
    """`count` case plans over the `days` days before `now`, in the order they were opened."""
    rng = random.Random(seed)
    severities, weights = zip(*SEVERITY_WEIGHTS, strict=True)
    plans = []
    for index, outcome in enumerate(_outcomes(rng, count)):
        story = rng.choice(STORIES)
        severity = rng.choices(severities, weights=weights)[0]
        phases = _phases(rng, severity, outcome)
        span = sum((delta for delta, _kind in phases), timedelta())
        if outcome in OPEN_PATH or outcome == "reopened_open":
            # Still open: the last step happened recently, and the case has sat in its state since.
            end = now - timedelta(hours=rng.uniform(2, 24 * min(12, SLA_DAYS[severity])))
            opened_at = end - span
        else:
            latest = now - span - timedelta(hours=6)
            earliest = now - timedelta(days=days)
            opened_at = earliest + (latest - earliest) * rng.random() if latest > earliest else latest
        plan = CasePlan(
            index=index,
            story=story,
            title=rng.choice(story.titles),
            severity=severity,
            owner=rng.choice(LEADS),
            outcome=outcome,
            opened_at=opened_at,
        )
        moment = opened_at
        for delta, kind in phases:
            moment += delta
            plan.steps.append((moment, kind))
            if kind == Step.ROOT_CAUSE and plan.item_due_at is None:
                plan.item_due_at = moment + timedelta(days=rng.choice((3, 5, 7, 10, 14)))
            if kind == Step.FOLLOW_UP:
                plan.follow_up_due_at = moment + timedelta(days=rng.choice((5, 7, 10)))
        plans.append(plan)
    plans.sort(key=lambda plan: plan.opened_at)
    for position, plan in enumerate(plans):
        plan.index = position
        if plan.outcome == CaseStatus.DUPLICATE:
            earlier = [p for p in plans[:position] if p.story == plan.story and p.outcome != CaseStatus.DUPLICATE]
            plan.duplicate_of = earlier[-1].index if earlier else None
    return plans


# The fixes whose verdicts the demo shows: (story, days between the fix and now as a share of the recent audit days,
# last step). The patterns of `FIXED_STORIES` (the first and the fourth) are fixed in the generated audits, so their
# fixes hold (the demo's on-track initiatives, `cases.demo.initiatives`, rest on them); the second goes on after its
# fix (not holding); the third was fixed three days ago (not enough audits yet). The last two are the aftermath
# (`cases.demo.aftermath`): fixed `AFTERMATH_FIX_AGE` before the audits' end whatever their days, both hold and close
# on evidence, then detection meets their patterns again: late audits of decisions before the fix (it stays closed),
# and a regression after it (it reopens).
FIXED_STORY = "id_slang_insult_missed"
SECOND_FIXED_STORY = "tr_crypto_giveaway_missed"
FIXED_STORIES = (FIXED_STORY, SECOND_FIXED_STORY)
LATE_AUDITED_STORY = "br_casino_promo_missed"
REGRESSED_STORY = "fr_satire_hate_fp"
AFTERMATH_STORIES = (LATE_AUDITED_STORY, REGRESSED_STORY)
AFTERMATH_FIX_AGE = timedelta(days=8)  # more than the monitoring a closing on evidence needs (7 days)
SHOWCASE = (
    (FIXED_STORY, 0.5, Step.CLOSE_ON_EVIDENCE),
    ("mx_cartel_banner_wrong_policy", 0.65, Step.VERIFY),
    ("de_documentary_extremism_fp", 0.15, Step.VERIFY),
    (SECOND_FIXED_STORY, 0.4, Step.CLOSE_ON_EVIDENCE),
    (LATE_AUDITED_STORY, None, Step.CLOSE_ON_EVIDENCE),
    (REGRESSED_STORY, None, Step.CLOSE_ON_EVIDENCE),
)
# The verdict each showcase fix has when the history has been played.
SHOWCASE_VERDICTS = {
    FIXED_STORY: FixVerdict.HOLDING,
    "mx_cartel_banner_wrong_policy": FixVerdict.NOT_HOLDING,
    "de_documentary_extremism_fp": FixVerdict.NOT_ENOUGH_AUDITS,
    SECOND_FIXED_STORY: FixVerdict.HOLDING,
    LATE_AUDITED_STORY: FixVerdict.HOLDING,
    REGRESSED_STORY: FixVerdict.NOT_HOLDING,  # held at its closing; computed again when detection reopens the case
}
SHOWCASE_PATH = (
    (timedelta(days=-6), None),
    (timedelta(days=-6, hours=2), Step.TRIAGE),
    (timedelta(days=-5), Step.INVESTIGATE),
    (timedelta(days=-5, hours=3), Step.DISCUSS),
    (timedelta(days=-4), Step.ROOT_CAUSE),
    (timedelta(days=-3), Step.REMEDIATE),
    (timedelta(days=-3, hours=1), Step.ITEM_STARTED),
    (timedelta(hours=-1), Step.ITEM_DONE),
    (timedelta(0), Step.MONITOR),
)


def fixed_at(key: str, *, recent_end: datetime, recent_days: int) -> datetime:
    """When the showcase fix of story `key` took effect: its share of the recent audit days before their end (for the
    aftermath stories, `AFTERMATH_FIX_AGE` before it)."""
    share = next(share for story, share, _last in SHOWCASE if story == key)
    return recent_end - (AFTERMATH_FIX_AGE if share is None else timedelta(days=recent_days * share))


def showcase_plans(*, now: datetime, recent_end: datetime, recent_days: int, first_index: int) -> list[CasePlan]:
    """Cases opened by hand from a pattern's slice and taken to monitoring with a fix (`SHOWCASE`)."""
    stories = {story.pattern_key: story for story in STORIES}
    plans = []
    for offset, (key, _share, last) in enumerate(SHOWCASE):
        fix = fixed_at(key, recent_end=recent_end, recent_days=recent_days)
        story = stories[key]
        plan = CasePlan(
            index=first_index + offset,
            story=story,
            title=story.titles[0],
            severity="S2",
            owner=LEADS[offset % len(LEADS)],
            outcome=CaseStatus.MONITORING,
            opened_at=fix + SHOWCASE_PATH[0][0],
            item_due_at=fix + timedelta(days=1),
        )
        plan.steps = [(fix + delta, kind) for delta, kind in SHOWCASE_PATH[1:]]
        plan.steps.append((min(now - timedelta(minutes=30), max(fix, now - timedelta(hours=1))), last))
        plans.append(plan)
    return plans
