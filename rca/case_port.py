"""The port through which a detected pattern becomes a case, and through which retention learns which samples the case
work still needs: the only module of `rca` that imports `cases`.

It also carries one more hand-over: a resolved verdict (`rca.verdicts.services.review_record`) goes on the timeline of
the cases that hold its sample, and settles the sample's open dispute (`sample_verdict_reviewed`).

Detection (the evidence and its analysis) knows nothing else about case work. It hands a pattern, the ids of the
samples the run found for it, the severity weight of its policy label and the display names of the policy labels (read
once per run, for the case's title) to `pattern_case_record`; which severity that makes (`cases.severity`) and how a
case is opened, fed or reopened (`cases.services.case_record_pattern`) are the cases app's rules.
"""

from collections.abc import Mapping, Sequence
from typing import Literal

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from cases.disputes.resolution import verdict_resolution_record
from cases.models import Case, CaseSample, Finding
from cases.services import case_record_pattern
from cases.severity import severity_for
from cases.story.tasks import refresh_case_story
from rca.models import ErrorPattern, ModerationSample, PatternSample
from rca.verdicts.models import SampleReview

# "reopened" only on a regression after the case's fix; new samples that reopen nothing (late audits of decisions made
# before the fix, a won't-fix case's growth note) are "updated".
CaseOutcome = Literal["opened", "updated", "reopened", "unchanged"]


def pattern_case_record(
    *,
    pattern: ErrorPattern,
    sample_ids: Sequence[int],
    severity_weight: int,
    label_names: Mapping[str, str] | None = None,
    new_sample_ids: Sequence[int] | None = None,
) -> CaseOutcome:
    """Open, feed or reopen the case of `pattern` with its samples; returns what happened to the case.

    `new_sample_ids`, the samples this run added to the pattern (`None`: all of `sample_ids`): a case that exists is
    fed only those (the hourly run finds its patterns again with tens of thousands of samples at 10M audits, of which
    a few are new: reading them all again took ~0.3 s a pattern; and a sample a lead unlinked from the case stays
    unlinked). A case opened now gets all of them.

    Call it after the pattern's statistics are saved (the severity reads its error count and lift), inside the run's
    write transaction: `case_record_pattern` locks the pattern row and is idempotent (linked samples are skipped).
    A case opened, fed or reopened gets its story (`cases.story`) computed again once the run's writes commit.
    """
    severity = severity_for(severity_weight=severity_weight, error_count=pattern.error_count, lift=pattern.lift)
    if new_sample_ids is not None and Case.objects.filter(pattern=pattern).exists():
        sample_ids = new_sample_ids
    case, outcome = case_record_pattern(
        pattern=pattern, samples=_case_samples(sample_ids), severity=severity, label_names=label_names
    )
    if case is not None and outcome != "unchanged":
        case_id = case.pk
        transaction.on_commit(lambda: refresh_case_story.delay(case_id), robust=True)
    return outcome


def _case_samples(sample_ids: Sequence[int]) -> list[ModerationSample]:
    """The samples (id, external id, labels and market: what a case link and a new case's policy and market need),
    by id; one array parameter on PostgreSQL.

    A pattern can hold tens of thousands of samples, and an `IN (...)` list of that size costs more to build in
    Python than the query costs to run.
    """
    if connection.vendor == "postgresql":
        table = ModerationSample._meta.db_table
        columns = ", ".join(CASE_SAMPLE_FIELDS)
        query = f"SELECT {columns} FROM {table} WHERE id = ANY(%s) ORDER BY id"
        return list(ModerationSample.objects.raw(query, [list(sample_ids)]))
    return list(ModerationSample.objects.filter(pk__in=sample_ids).only(*CASE_SAMPLE_FIELDS).order_by("id"))


CASE_SAMPLE_FIELDS = ("id", "external_id", "audit_label_id", "decision_label_id", "market")


def sample_verdict_reviewed(*, review: SampleReview, actor: User | None) -> int:
    """A resolution was recorded: write it on the timeline of every case its
    sample is linked to and settle the sample's open dispute with it; returns how many cases it went on."""
    return verdict_resolution_record(review=review, actor=actor)


def samples_kept_by_cases() -> Q:
    """A filter of `ModerationSample`: the samples that case work refers to, which retention (`rca.retention`) keeps
    however old they are: linked to a case (any status: a closed case's evidence stays readable), evidence of a finding,
    or in the pattern of a case."""
    in_case_pattern = PatternSample.objects.filter(sample=OuterRef("pk"), pattern__case__isnull=False)
    return (
        Q(Exists(CaseSample.objects.filter(sample=OuterRef("pk"))))
        | Q(Exists(Finding.evidence.through.objects.filter(moderationsample=OuterRef("pk"))))
        | Q(Exists(in_case_pattern))
    )
