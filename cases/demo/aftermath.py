"""The aftermath of two showcase fixes (`cases.demo.plan.AFTERMATH_STORIES`): after their cases closed on evidence,
detection meets their patterns again, and the product decides what that means (`cases.services.detection.
case_record_pattern`; docs/fixes.md, "Regression, not recurrence"). Nothing here writes a case or its timeline: the
demo only imports audits, lets a lead mark a case duplicate, and runs detection.

- Their slices get more traffic over the detection window (`cases.demo.audits.showcase_traffic`): the pattern at full
  rate before the fix and at its residual after, so the demo's first detection run finds both patterns, however few
  audits a day the demo has, and both fixes hold.
- Once the history is played, a lead marks the case detection opened for each pattern a duplicate of the showcase case
  (`play_aftermath`): the product's way of pointing a pattern's new samples at a case opened by hand.
- Then two batches of audits, audited since the cases closed, arrive and detection runs again: late QA of
  `LATE_AUDITED_STORY`'s decisions made before its fix (its case gets one `late_audits` entry and stays closed), and
  fresh audits of `REGRESSED_STORY`'s decisions since its fix, the pattern back at full rate (detection reopens its case
  once, with the figures).
"""

from django.db.models import Count
from django.utils import timezone

from cases import services
from cases.choices import OPEN_STATUSES, CaseOrigin, CaseStatus
from cases.demo.audits import run_detection, traffic_seed
from cases.demo.plan import AFTERMATH_STORIES, LATE_AUDITED_STORY
from cases.demo.stories import STORIES, Story
from cases.fixes.records import latest_fix
from cases.models import Case
from rca.importing import import_records
from rca.models import ModerationSample
from rca.synthetic import generate_slice_audits

LATE_SEED_OFFSET = 3000  # the late QA batch
REGRESSION_SEED_OFFSET = 4000  # the batch in which the pattern is back
LATE_AUDITS_PER_DAY = 30
REGRESSION_AUDITS_PER_DAY = 80  # enough decisions of the measure's population for detection's minimum support
LATE_DAYS = 6  # of decisions before the fix
REGRESSION_DAYS = 4  # of the latest decisions, since the fix
DUPLICATE_REASON = "Detection's case of the pattern this case was opened for: its new samples belong there."


def _story(key: str) -> Story:
    return next(story for story in STORIES if story.pattern_key == key)


def _detected_case(story: Story, *, seed: int) -> Case | None:
    """The open case detection opened for the story's pattern: the one whose pattern holds most of its extra errors."""
    errors = ModerationSample.objects.filter(
        external_id__startswith=f"syn-{traffic_seed(story.pattern_key, seed=seed)}-",
        decision_label_id=story.decision_label,
        audit_label_id=story.audit_label,
    )
    return (
        Case.objects.filter(
            origin=CaseOrigin.DETECTED, status__in=OPEN_STATUSES, pattern__patternsample__sample__in=errors
        )
        .annotate(held=Count("pattern__patternsample"))
        .order_by("-held", "id")
        .first()
    )


def play_aftermath(showcase: dict[str, Case], *, seed: int) -> list[str]:
    """Point detection's cases of the two patterns at their closed showcase cases (`showcase`: story key -> case),
    import the late and the regression batches, and run detection again; returns what happened, one line each. Does
    nothing for a story whose showcase case is not closed or whose pattern detection did not find (`--skip-detection`).
    """
    now = timezone.now()
    records: list[dict] = []
    lines = []
    for key in AFTERMATH_STORIES:
        story, case = _story(key), showcase.get(key)
        detected = _detected_case(story, seed=seed)
        if case is None or case.status != CaseStatus.CLOSED or detected is None:
            lines.append(f"Aftermath of {key}: skipped (no closed showcase case, or no detected pattern).")
            continue
        services.case_transition(
            case=detected,
            to=CaseStatus.DUPLICATE,
            actor=case.owner,  # the quality lead who worked the case
            reason=DUPLICATE_REASON,
            duplicate_of=case,
        )
        fixed = latest_fix(case).effective_at
        audited = (case.closed_at, now)  # both batches were audited after the case closed
        # Late QA of decisions made before the fix, or decisions since the fix with the pattern back at full rate.
        offset, days, per_day, end = (
            (LATE_SEED_OFFSET, LATE_DAYS, LATE_AUDITS_PER_DAY, fixed)
            if key == LATE_AUDITED_STORY
            else (REGRESSION_SEED_OFFSET, REGRESSION_DAYS, REGRESSION_AUDITS_PER_DAY, now)
        )
        batch = generate_slice_audits(
            seed=seed + offset,
            pattern=story.pattern,
            days=days,
            audits_per_day=per_day,
            end=end,
            audited_between=audited,
        )
        records += batch.records
    if not records:
        return lines
    result = import_records(records)
    run = run_detection()
    lines.append(
        f"Aftermath: {result.created} audits arrived late or after the fixes; detection run {run.pk}: {run.status}."
    )
    for key in AFTERMATH_STORIES:
        if key in showcase:
            case = Case.objects.get(pk=showcase[key].pk)
            lines.append(f"  {case.key} ({key}): {case.status}, reopened {case.reopen_count} time(s).")
    return lines
